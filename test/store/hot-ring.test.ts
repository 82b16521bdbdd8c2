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
