/**
 * Per-receiver counters in a SharedArrayBuffer: the receiver thread is the only writer, the main
 * thread reads them at each flush and reports the deltas under `carbonado.statsd.*`.
 */
export const ReceiverStat = {
  packets: 0,
  bytes: 1,
  lines: 2,
  badLines: 3,
  /** Samples dropped because an aggregator's ring was full. */
  queueDrops: 4,
  /** Deepest ring seen since the last reset, in bytes. */
  queueDepthMax: 5,
  tcpConnections: 6,
  /** Datagrams read from a sibling receiver's socket (included in packets). */
  stolenPackets: 7,
} as const;
export type ReceiverStat = (typeof ReceiverStat)[keyof typeof ReceiverStat];

export const RECEIVER_STAT_SLOTS = 8;

export function createReceiverStats(): SharedArrayBuffer {
  return new SharedArrayBuffer(RECEIVER_STAT_SLOTS * 8);
}
