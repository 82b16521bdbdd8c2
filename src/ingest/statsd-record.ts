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
 *   +0 u32 hash        nameHash of the normalised name bytes (shard key)
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

/** Seed of nameHash, and the multiplier of its 4-byte steps (murmur2's). */
export const NAME_HASH_SEED = 0x811c9dc5;
const WORD_MULTIPLIER = 0x5bd1e995;

/**
 * The shard key and table hash of a series name: 4 bytes (little-endian) per step, then the last
 * 0-3 bytes one by one, then murmur3's finaliser so every bit counts in `hash % shards`. The
 * parser folds the same steps into its scan of the name (`nameHashStep`, `nameHashFinish`).
 */
export function nameHash(bytes: Uint8Array, start: number, end: number): number {
  let h = NAME_HASH_SEED;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    h = nameHashStep(h, bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
  }
  for (; i < end; i++) h = nameHashStep(h, bytes[i]);
  return nameHashFinish(h, end - start);
}

export function nameHashStep(h: number, word: number): number {
  h = Math.imul(h ^ word, WORD_MULTIPLIER);
  return h ^ (h >>> 15);
}

/**
 * murmur3's finaliser written out, not murmurFinalise() (src/murmur-finaliser.ts): called from the
 * parser's scan, the call cost the receive path 15-25% (statsd-parser bench, plain -> rings: 251-261
 * against 298-330 ns/line).
 */
export function nameHashFinish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
