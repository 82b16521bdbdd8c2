import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HotRing } from '../../src/store/hot-ring.js';

const chunk = (fill: number, length = 100): Uint8Array => new Uint8Array(length).fill(fill);

test('chunks are stored as copies, found by series and window, and replaced in place', () => {
  const ring = new HotRing(1 << 30);
  const original = chunk(1);
  ring.put(7, 1200, original);
  original.fill(9);
  assert.deepEqual(ring.get(7, 1200), chunk(1));
  ring.put(7, 1200, chunk(2, 50));
  assert.deepEqual(ring.get(7, 1200), chunk(2, 50));
  assert.equal(ring.get(7, 2400), undefined);
  assert.equal(ring.get(8, 1200), undefined);
  assert.equal(ring.get(100_000, 1200), undefined);
});

test('past the budget the oldest windows leave memory; the newest always stays', () => {
  const ring = new HotRing(3 * 64 * 1024);
  for (let w = 0; w < 10; w++) for (let id = 0; id < 100; id++) ring.put(id, w * 1200, chunk(w, 500));
  assert.ok(ring.bytes <= 3 * 64 * 1024, `held ${ring.bytes}`);
  assert.equal(ring.get(0, 0), undefined);
  assert.deepEqual(ring.get(99, 9 * 1200), chunk(9, 500));
  assert.ok(ring.oldestWindow() > 0);
});

test('evictBefore and deleteSeries drop what they name', () => {
  const ring = new HotRing(1 << 30);
  ring.put(1, 0, chunk(1));
  ring.put(1, 1200, chunk(2));
  ring.put(2, 1200, chunk(3));
  ring.evictBefore(1200);
  assert.equal(ring.get(1, 0), undefined);
  assert.equal(ring.oldestWindow(), 1200);
  ring.deleteSeries(1);
  assert.equal(ring.get(1, 1200), undefined);
  assert.deepEqual(ring.get(2, 1200), chunk(3));
});

test('trim gives back reserved room and keeps every chunk readable; later puts still land', () => {
  const ring = new HotRing(1 << 30);
  for (let id = 0; id < 3000; id++) ring.put(id, 1200, chunk(id % 251, 200));
  const before = ring.bytes;
  ring.trim(3000);
  assert.ok(ring.bytes < before, `${ring.bytes} < ${before}`);
  // Payload and locations, and less than a chunk at the end of each full slab.
  assert.ok(ring.bytes <= 3000 * 200 + 3000 * 10 + 10 * 200, `trimmed to payload and locations: ${ring.bytes}`);
  for (let id = 0; id < 3000; id++) assert.deepEqual(ring.get(id, 1200), chunk(id % 251, 200));
  ring.put(5, 1200, chunk(7, 30));
  ring.put(5000, 1200, chunk(8, 40));
  assert.deepEqual(ring.get(5, 1200), chunk(7, 30));
  assert.deepEqual(ring.get(5000, 1200), chunk(8, 40));
  assert.deepEqual(ring.get(2999, 1200), chunk(2999 % 251, 200));
  assert.ok(ring.bytes - 3000 * 200 < 200_000, 'a late chunk in a trimmed window takes a small slab');
});

test('a trimmed window that then takes a whole sealing pass keeps every chunk readable, with slab waste bounded', () => {
  const ring = new HotRing(1 << 30);
  ring.put(0, 1200, chunk(1));
  ring.trim(1);
  const count = 20_000;
  for (let id = 1; id <= count; id++) ring.put(id, 1200, chunk(id & 0xff, 500));
  for (let id = 1; id <= count; id += 997) assert.deepEqual(ring.get(id, 1200), chunk(id & 0xff, 500));
  assert.deepEqual(ring.get(0, 1200), chunk(1));
  const chunkBytes = count * 500;
  assert.ok(ring.bytes < 2 * chunkBytes + 64 * 1024 + 10 * 32_768, `held ${ring.bytes} for ${chunkBytes} chunk bytes`);
});

test('put returns the ring\'s copy, whose bytes stay as they were when the ring replaces, trims or drops the chunk', () => {
  const ring = new HotRing(1 << 30);
  const first = ring.put(1, 1200, chunk(1, 40));
  const other = ring.put(2, 1200, chunk(2, 40));
  assert.deepEqual(first, chunk(1, 40));
  assert.deepEqual(ring.get(1, 1200), first);
  ring.put(1, 1200, chunk(3, 40)); // replaced
  ring.trim(10); // the window's last slab is copied to its used length
  ring.deleteSeries(2);
  ring.evictBefore(2400);
  assert.deepEqual(first, chunk(1, 40));
  assert.deepEqual(other, chunk(2, 40));
});
