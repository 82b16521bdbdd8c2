import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { ByteRingReader, ByteRingWriter, createByteRing } from '../../src/ingest/byte-ring.js';
import { seededUint32 } from '../support/seeded-random.js';

function writeRecord(writer: ByteRingWriter, size: number, tag: number): boolean {
  const offset = writer.reserve(size);
  if (offset < 0) return false;
  writer.view.setUint16(offset, size, true);
  writer.view.setUint32(offset + 4, tag, true);
  return true;
}

function readAll(reader: ByteRingReader): number[] {
  const tags: number[] = [];
  reader.drainBatches((view, _bytes, offsets, count) => {
    for (const offset of offsets.subarray(0, count)) tags.push(view.getUint32(offset + 4, true));
  });
  return tags;
}

test('records come out in order and only after publish', () => {
  const ring = createByteRing(1024);
  const writer = new ByteRingWriter(ring);
  const reader = new ByteRingReader(ring);
  assert.ok(writeRecord(writer, 16, 1));
  assert.ok(writeRecord(writer, 24, 2));
  assert.deepEqual(readAll(reader), []);
  writer.publish();
  assert.equal(reader.depth(), 40);
  assert.deepEqual(readAll(reader), [1, 2]);
  assert.equal(reader.depth(), 0);
});

test('a full ring refuses, and wraps around once drained', () => {
  const ring = createByteRing(1024);
  const writer = new ByteRingWriter(ring);
  const reader = new ByteRingReader(ring);
  let tag = 0;
  while (writeRecord(writer, 48, tag)) tag++;
  assert.equal(tag, Math.floor(1024 / 48));
  writer.publish();
  assert.equal(readAll(reader).length, tag);
  // The next records do not fit in the 16-byte tail: they wrap to offset 0 intact.
  const tags: number[] = [];
  for (let round = 0; round < 100; round++) {
    assert.ok(writeRecord(writer, 48, 1000 + round));
    assert.ok(writeRecord(writer, 40, 2000 + round));
    writer.publish();
    tags.push(...readAll(reader));
  }
  assert.equal(tags.length, 200);
  assert.deepEqual(tags.slice(0, 4), [1000, 2000, 1001, 2001]);
  assert.deepEqual(tags.slice(-2), [1099, 2099]);
});

test('moves a million records between threads without loss or reordering', async () => {
  const ring = createByteRing(1 << 16);
  const total = 1_000_000;
  const producer = new Worker(new URL('./fixtures/ring-producer.js', import.meta.url), { workerData: { ring, total } });
  const reader = new ByteRingReader(ring);
  let expected = 0;
  let outOfOrder = 0;
  const deadline = Date.now() + 20_000;
  while (expected < total && Date.now() < deadline) {
    reader.drainBatches((view, _b, offsets, count) => {
      for (const offset of offsets.subarray(0, count)) {
        if (view.getUint32(offset + 4, true) !== expected) outOfOrder++;
        expected++;
      }
    });
    await new Promise((resolve) => setImmediate(resolve));
  }
  await producer.terminate();
  assert.equal(outOfOrder, 0);
  assert.equal(expected, total);
});

test('drainBatches hands records over in order, in batches of at most 32, across the wrap', () => {
  const ring = createByteRing(4096);
  const writer = new ByteRingWriter(ring);
  const reader = new ByteRingReader(ring);
  let next = 0;
  const seen: number[] = [];
  const batchSizes: number[] = [];
  for (let round = 0; round < 5; round++) {
    // 70 records of 40 bytes: 2800 bytes per round, so rounds 2.. wrap around the 4096-byte ring.
    for (let i = 0; i < 70; i++) assert.ok(writeRecord(writer, 40, next++));
    writer.publish();
    const drained = reader.drainBatches((view, _bytes, offsets, count) => {
      batchSizes.push(count);
      for (let i = 0; i < count; i++) seen.push(view.getUint32(offsets[i] + 4, true));
    });
    assert.equal(drained >= 2800, true);
    assert.equal(reader.depth(), 0);
  }
  assert.deepEqual(seen, Array.from({ length: next }, (_, i) => i));
  assert.ok(batchSizes.every((n) => n >= 1 && n <= 32));
  assert.ok(batchSizes.includes(32));
});

test('drainBatches stops near maxBytes and leaves the rest', () => {
  const ring = createByteRing(4096);
  const writer = new ByteRingWriter(ring);
  const reader = new ByteRingReader(ring);
  for (let i = 0; i < 50; i++) assert.ok(writeRecord(writer, 16, i));
  writer.publish();
  const seen: number[] = [];
  const visit = (view: DataView, _bytes: Uint8Array, offsets: Uint32Array, count: number): void => {
    for (let i = 0; i < count; i++) seen.push(view.getUint32(offsets[i] + 4, true));
  };
  assert.equal(reader.drainBatches(visit, 160), 160);
  assert.deepEqual(seen, Array.from({ length: 10 }, (_, i) => i));
  assert.equal(reader.depth(), 40 * 16);
  reader.drainBatches(visit);
  assert.deepEqual(seen, Array.from({ length: 50 }, (_, i) => i));
});

test('fuzz: records of random sizes, many landing exactly on the end, cross threads intact', async () => {
  // A 1 KiB ring and sizes up to half of it: a wrap every few records, some records ending exactly
  // at the end of the buffer and some exactly filling the ring; every byte of every record checked.
  for (const [seed, maxSize] of [[1, 256], [7, 64], [12345, 512]] as const) {
    const ring = createByteRing(1024);
    const total = 200_000;
    const producer = new Worker(new URL('./fixtures/ring-fuzz-producer.js', import.meta.url), { workerData: { ring, total, seed, maxSize } });
    const reader = new ByteRingReader(ring);
    // The producer's sequence of sizes and publishes, replayed.
    const next = seededUint32(seed);
    let expected = 0;
    let bad = 0;
    const deadline = Date.now() + 30_000;
    while (expected < total && Date.now() < deadline && bad === 0) {
      reader.drainBatches((view, bytes, offsets, count) => {
        for (const offset of offsets.subarray(0, count)) {
          const size = 8 * (1 + (next() % (maxSize / 8)));
          if (next() < 0) bad++; // keep step with the producer's publish draw
          let ok = view.getUint16(offset, true) === size && view.getUint16(offset + 2, true) === 0xabcd && view.getUint32(offset + 4, true) === expected;
          ok &&= offset + size <= bytes.length;
          for (let b = 8; ok && b < size; b++) ok = bytes[offset + b] === ((expected * 31 + b) & 255);
          if (!ok) bad++;
          expected++;
        }
      });
      await new Promise((resolve) => setImmediate(resolve));
    }
    await producer.terminate();
    assert.equal(bad, 0, `seed ${seed}: record ${expected - 1} corrupt`);
    assert.equal(expected, total);
  }
});
