/**
 * Binary layout of one parsed StatsD sample, as receivers hand it to aggregators through a
 * ByteRing. Little-endian; every record is padded to a multiple of 8 bytes.
 *
 *   0  u16 size        total bytes of this record (0 marks "wrap to ring start")
 *   2  u8  kind        MetricKind
 *   3  u8  flags       RecordFlags
 *   4  u32 hash        FNV-1a of the normalised name bytes (shard key)
 *   8  f64 value       counter/timer/gauge value (0 for sets)
 *  16  f64 sampleRate  in (0, 1]
 *  24  u16 nameLen
 *  26  u16 setValueLen
 *  28  name bytes (normalised: sanitised, tags sorted), then set-member bytes, then padding
 */
export const MetricKind = {
  Counter: 0,
  Timer: 1,
  Gauge: 2,
  Set: 3,
} as const;
export type MetricKind = (typeof MetricKind)[keyof typeof MetricKind];

export const RecordFlags = {
  None: 0,
  /** Gauge value is a delta (`+n` / `-n`) to the previous value. */
  GaugeDelta: 1,
} as const;

export const RECORD_HEADER_BYTES = 28;

export const RecordOffset = {
  size: 0,
  kind: 2,
  flags: 3,
  hash: 4,
  value: 8,
  sampleRate: 16,
  nameLen: 24,
  setValueLen: 26,
  name: 28,
} as const;

/** Total (padded) size of a record with these payload lengths. */
export function recordSize(nameLen: number, setValueLen: number): number {
  return (RECORD_HEADER_BYTES + nameLen + setValueLen + 7) & ~7;
}

/** FNV-1a 32-bit over a byte range; the shard key for a series name. */
export function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
