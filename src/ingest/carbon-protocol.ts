/**
 * What the carbon worker thread and the main thread say to each other. The worker owns the
 * sockets and the parsing; main owns the store. Points cross as transferred typed arrays of
 * worker-local series ids, one message per read chunk or pickle frame (or several coalesced),
 * with only the names the worker has not sent before.
 */
import type { NameBlock } from '../names/name-block.js';

export interface CarbonWorkerData {
  host: string;
  /** 0 disables the plaintext TCP+UDP listener. */
  plaintextPort: number;
  /** 0 disables the pickle listener. */
  picklePort: number;
  maxNameLength: number;
  /** CARBON_STAT_SLOTS float64 counters, written by the worker only. */
  stats: SharedArrayBuffer;
}

/**
 * Counters in a SharedArrayBuffer: the worker is the only writer, main reads them at each flush
 * and reports the deltas under `carbonado.carbon.*`.
 */
export const CarbonStat = {
  lines: 0,
  badLines: 1,
  connections: 2,
  pickleFrames: 3,
  badPickles: 4,
  /** UDP datagrams dropped because main had too many batches unacknowledged. */
  queueDrops: 5,
} as const;
export type CarbonStat = (typeof CarbonStat)[keyof typeof CarbonStat];

export const CARBON_STAT_SLOTS = 6;

export function createCarbonStats(): SharedArrayBuffer {
  return new SharedArrayBuffer(CARBON_STAT_SLOTS * 8);
}

/** One batch of points; `ids` are worker-local series ids. */
export interface CarbonBatchMessage {
  type: 'batch';
  /** Batches are numbered 1, 2, 3... in the order they are sent. */
  seq: number;
  length: number;
  ids: Uint32Array;
  timestamps: Uint32Array;
  values: Float64Array;
  /** The worker forgot every name before this batch: local ids restart at 0. */
  resetNames: boolean;
  /** Name k of newNames is the name of local id firstNewId + k. */
  firstNewId: number;
  newNames: NameBlock;
}

export type CarbonWorkerMessage =
  | { type: 'listening'; plaintextPort: number | null; picklePort: number | null }
  | { type: 'error'; message: string }
  | CarbonBatchMessage
  /** Sent after the last batch once the listeners are closed. */
  | { type: 'stopped' };

export type CarbonMainMessage =
  /** Batch `seq` (and every one before it) is appended; its arrays come back for reuse. */
  | { type: 'ack'; seq: number; ids: Uint32Array; timestamps: Uint32Array; values: Float64Array }
  | { type: 'stop' };
