/**
 * LevelDB key layout (docs/format/leveldb.md). Big-endian integers, so LevelDB's byte order is
 * numeric order: a series' chunks of one step sort by time, and a range read is one key range.
 */
import type { ClassicLevel } from 'classic-level';

export const KeyPrefix = {
  /** 0x01 id:u32 -> series name (utf-8) */
  series: 0x01,
  /** 0x02 id:u32 step:u32 start:u32 -> chunk bytes */
  chunk: 0x02,
  /** 0x03 name (ascii) -> metadata value */
  meta: 0x03,
  /** 0x04 id:u32 -> JSON archive layouts of the series: current and earlier ones */
  layout: 0x04,
  /** 0x05 firstId:u32 -> the records of many new series (series-blocks.ts) */
  seriesBlock: 0x05,
} as const;

export function seriesKey(id: number): Uint8Array {
  return writeSeriesKey(new Uint8Array(SERIES_KEY_BYTES), id);
}

export const SERIES_KEY_BYTES = 5;

/** Writes the series key of `id` into `key` (SERIES_KEY_BYTES long) and returns it. */
export function writeSeriesKey(key: Uint8Array, id: number): Uint8Array {
  key[0] = KeyPrefix.series;
  putU32(key, 1, id);
  return key;
}

export function seriesBlockKey(firstId: number): Uint8Array {
  const key = seriesKey(firstId);
  key[0] = KeyPrefix.seriesBlock;
  return key;
}

export function layoutKey(id: number): Uint8Array {
  const key = seriesKey(id);
  key[0] = KeyPrefix.layout;
  return key;
}

export function seriesIdFromKey(key: Uint8Array): number {
  return ((key[1] << 24) | (key[2] << 16) | (key[3] << 8) | key[4]) >>> 0;
}

export function chunkKey(id: number, step: number, start: number): Uint8Array {
  return writeChunkKey(new Uint8Array(CHUNK_KEY_BYTES), id, step, start);
}

export const CHUNK_KEY_BYTES = 13;

/** Writes the chunk key of (id, step, start) into `key` (CHUNK_KEY_BYTES long) and returns it. */
export function writeChunkKey(key: Uint8Array, id: number, step: number, start: number): Uint8Array {
  // Byte by byte, big-endian: a DataView would need key.buffer, which moves a small array's bytes
  // off the heap into a backing store of their own (a cold 1,000-series read makes 72,000 keys).
  key[0] = KeyPrefix.chunk;
  putU32(key, 1, id);
  putU32(key, 5, step);
  putU32(key, 9, start);
  return key;
}

function putU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = value >>> 16;
  bytes[at + 2] = value >>> 8;
  bytes[at + 3] = value;
}

/** The start time encoded in a chunk key. */
export function chunkStartFromKey(key: Uint8Array): number {
  return new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(9);
}

export function metaKey(name: string): Uint8Array {
  const bytes = Buffer.from(name, 'ascii');
  const key = new Uint8Array(1 + bytes.length);
  key[0] = KeyPrefix.meta;
  key.set(bytes, 1);
  return key;
}

/** A u32 metadata value (seal, rollup and expiry watermarks). */
export const u32 = (value: number): Uint8Array => {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value);
  return bytes;
};
export const readU32 = (bytes: Uint8Array): number => new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);

/** Visits every entry under one key prefix, fetched in large batches (a promise per entry is slow at 1M series). */
export async function eachEntry(
  db: Pick<ClassicLevel<Uint8Array, Uint8Array>, 'iterator'>,
  prefix: number,
  visit: (key: Uint8Array, value: Uint8Array) => void,
): Promise<void> {
  const iterator = db.iterator({ gte: Uint8Array.of(prefix), lt: Uint8Array.of(prefix + 1) });
  try {
    for (;;) {
      const batch = await iterator.nextv(10_000);
      if (batch.length === 0) return;
      for (const [key, value] of batch) visit(key, value);
    }
  } finally {
    await iterator.close();
  }
}
