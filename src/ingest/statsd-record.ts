/**
 * Binary layout of one parsed StatsD sample, as receivers hand it to aggregators through a
 * ByteRing. Little-endian; every record is padded to a multiple of 8 bytes.
 *
 * A receiver numbers each (kind, name) it meets, and sends the name bytes only the first time a
 * number goes down a ring (a "named" record); after that the number alone says which metric a
 * record is for, so the common record is 16 bytes and the aggregator finds its metric by indexing
 * an array instead of hashing and comparing the name.
 *
 *   0  u16 size        total bytes of this record (0 marks "wrap to ring start")
 *   2  u8  kind        MetricKind
 *   3  u8  flags       RecordFlags
 *   4  u32 id          the sending receiver's number for (kind, name); stable for its lifetime
 *   8  f64 value       counter/timer/gauge value (0 for sets)
 *  16  f64 sampleRate  only with RecordFlags.Sampled (otherwise the rate is 1)
 *
 * then, for named records and for sets, a tail (at 16, or 24 when sampled):
 *
 *   +0 u32 hash        FNV-1a of the normalised name bytes (shard key)
 *   +4 u16 nameLen     0 unless named
 *   +6 u16 setValueLen 0 unless a set
 *   +8 name bytes (normalised: sanitised, tags sorted), then set-member bytes, then padding
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
  /** A sampleRate field follows the value (the rate is not 1). */
  Sampled: 2,
  /** The tail carries the name: the first record of this id on this ring. */
  Named: 4,
} as const;

export const RecordOffset = {
  size: 0,
  kind: 2,
  flags: 3,
  id: 4,
  value: 8,
  sampleRate: 16,
} as const;

/** Offsets inside the tail. */
export const TailOffset = {
  hash: 0,
  nameLen: 4,
  setValueLen: 6,
  name: 8,
} as const;

const BASE_BYTES = 16;
const RATE_BYTES = 8;
const TAIL_HEADER_BYTES = 8;

export function hasTail(kind: number, flags: number): boolean {
  return (flags & RecordFlags.Named) !== 0 || kind === MetricKind.Set;
}

/** Where the tail of the record at `offset` starts. */
export function tailOffset(offset: number, flags: number): number {
  return offset + ((flags & RecordFlags.Sampled) !== 0 ? BASE_BYTES + RATE_BYTES : BASE_BYTES);
}

/** Total (padded) size of a record; nameLen counts only for named records. */
export function recordSize(kind: number, flags: number, nameLen: number, setValueLen: number): number {
  let size = (flags & RecordFlags.Sampled) !== 0 ? BASE_BYTES + RATE_BYTES : BASE_BYTES;
  if (!hasTail(kind, flags)) return size;
  size += TAIL_HEADER_BYTES + setValueLen;
  if ((flags & RecordFlags.Named) !== 0) size += nameLen;
  return (size + 7) & ~7;
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
