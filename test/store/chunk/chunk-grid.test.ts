import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeChunkInto, decodeChunkIntoGrid, encodeChunk, XorChunkIterator, XorChunkEncoder, DECIMAL_CHUNK_ENCODING } from '../../../src/store/chunk/index.js';

/** A small deterministic generator, so failures reproduce. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

test('the word-at-a-time XOR decoder agrees with the field-at-a-time iterator', () => {
  const next = random(7);
  const specials = [NaN, -0, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, 0.1, 1e-300];
  for (let round = 0; round < 200; round++) {
    const count = 1 + Math.floor(next() * 300);
    const encoder = new XorChunkEncoder();
    let t = Math.floor(next() * 2 ** 31);
    for (let i = 0; i < count; i++) {
      // Steps from regular to huge, to reach every delta-of-delta bucket including the 33-bit escape.
      const r = next();
      t += r < 0.6 ? 10 : r < 0.8 ? 1 + Math.floor(next() * 100) : r < 0.95 ? Math.floor(next() * 5000) + 1 : Math.floor(next() * 2 ** 24) + 1;
      const kind = next();
      const value = kind < 0.3 ? 42 : kind < 0.5 ? Math.floor(next() * 1000) : kind < 0.9 ? (next() - 0.5) * 1e6 : specials[Math.floor(next() * specials.length)];
      encoder.append(t, value);
    }
    const chunk = encoder.bytes();
    const timestamps = new Uint32Array(count);
    const values = new Float64Array(count);
    assert.equal(decodeChunkInto(chunk, timestamps, values), count);
    const it = new XorChunkIterator(chunk);
    for (let i = 0; it.next(); i++) {
      assert.equal(timestamps[i], it.timestamp, `round ${round} point ${i}`);
      assert.ok(Object.is(values[i], it.value), `round ${round} point ${i}: ${values[i]} vs ${it.value}`);
    }
  }
});

test('decimal chunks of every value shape decode to the values encoded', () => {
  const next = random(11);
  const shapes = [
    (i: number) => Math.round(next() * 10000) / 100, // noise: offsets
    (i: number) => (i % 7 === 0 ? Math.round(next() * 50) / 10 : 3.5), // mostly unchanged: deltas
    (i: number) => i * 1234 + Math.floor(next() * 3), // counter: deltas of deltas
    (i: number) => (i < 60 ? 2 ** 52 - i : -(2 ** 52) + i), // huge mantissas, wide codes
  ];
  for (const shape of shapes) {
    const timestamps = new Uint32Array(120);
    const values = new Float64Array(120);
    let t = 1_700_000_000;
    for (let i = 0; i < 120; i++) {
      t += next() < 0.9 ? 10 : 1 + Math.floor(next() * 3000);
      timestamps[i] = t;
      values[i] = shape(i);
    }
    const chunk = encodeChunk(timestamps, values, 0, 120);
    assert.equal(chunk[0], DECIMAL_CHUNK_ENCODING);
    const outTs = new Uint32Array(120);
    const outValues = new Float64Array(120);
    decodeChunkInto(chunk, outTs, outValues);
    assert.deepEqual(outTs, timestamps);
    assert.deepEqual(outValues, values);
  }
});

test('decodeChunkIntoGrid puts each point in its slot and skips points off the grid or outside it', () => {
  const timestamps = Uint32Array.from([1000, 1010, 1020, 1035, 1040, 1100]);
  const values = Float64Array.from([1, 2, 3, 4, 5, 6]);
  const chunk = encodeChunk(timestamps, values, 0, timestamps.length);
  const grid = new Float64Array(8).fill(NaN);
  // The grid covers [1010, 1090) at 10 s: 1000 is before it, 1035 between slots, 1100 after it.
  assert.equal(decodeChunkIntoGrid(chunk, grid, 1010, 10), 6);
  assert.deepEqual([...grid], [2, 3, NaN, 5, NaN, NaN, NaN, NaN]);

  // A grid that is not aligned with the chunk's first point takes only the points on its slots.
  const offset = new Float64Array(4).fill(NaN);
  decodeChunkIntoGrid(chunk, offset, 1005, 10);
  assert.deepEqual([...offset], [NaN, NaN, NaN, 4]);
});

test('decodeChunkIntoGrid places a regular chunk whole', () => {
  const timestamps = Uint32Array.from({ length: 120 }, (_, i) => 12_000 + i * 10);
  const values = Float64Array.from({ length: 120 }, (_, i) => Math.sin(i));
  const chunk = encodeChunk(timestamps, values, 0, 120);
  const grid = new Float64Array(240).fill(NaN);
  decodeChunkIntoGrid(chunk, grid, 11_000 + 200, 10);
  const at = (12_000 - 11_200) / 10;
  for (let i = 0; i < 240; i++) assert.ok(Object.is(grid[i], i >= at && i < at + 120 ? values[i - at] : NaN), `slot ${i}`);
});
