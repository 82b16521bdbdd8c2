import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodedWindowCache } from '../../src/store/decoded-cache.js';
import { POINTS_PER_CHUNK } from '../../src/store/head.js';

const SPAN = 10 * POINTS_PER_CHUNK;
/** Bytes for about `n` windows (the cache counts each with some overhead on top of its slots). */
const budgetFor = (n: number): number => n * (POINTS_PER_CHUNK * 8 + 160);

test('an inserted window is found by series, step and start, NaN-filled until written', () => {
  const cache = new DecodedWindowCache(budgetFor(10));
  assert.equal(cache.get(1, 10, SPAN), undefined);
  const window = cache.insert(1, 10, SPAN, cache.generation)!;
  assert.equal(window.length, POINTS_PER_CHUNK);
  assert.ok(window.every((v) => Number.isNaN(v)));
  window[3] = 42;
  assert.equal(cache.get(1, 10, SPAN)?.[3], 42);
  assert.equal(cache.get(2, 10, SPAN), undefined);
  assert.equal(cache.get(1, 60, SPAN), undefined);
  assert.equal(cache.get(1, 10, 2 * SPAN), undefined);
  assert.equal(cache.size, 1);
});

test('invalidate forgets a window and makes inserts from older reads refuse', () => {
  const cache = new DecodedWindowCache(budgetFor(10));
  const before = cache.generation;
  cache.insert(1, 10, SPAN, before)![0] = 1;
  cache.invalidate(1, 10, SPAN);
  assert.equal(cache.get(1, 10, SPAN), undefined);
  assert.equal(cache.size, 0);
  // A read that loaded its chunk before the rewrite must not cache it.
  assert.equal(cache.insert(1, 10, SPAN, before), undefined);
  assert.ok(cache.insert(1, 10, SPAN, cache.generation));
});

test('the cache never holds more windows than its budget', () => {
  const cache = new DecodedWindowCache(budgetFor(4));
  assert.equal(cache.capacity, 4);
  for (let id = 0; id < 10; id++) cache.insert(id, 10, SPAN, cache.generation)![0] = id;
  assert.equal(cache.size, 4);
  assert.ok(cache.bytes <= budgetFor(4));
  assert.equal(cache.get(9, 10, SPAN)?.[0], 9);
});

test('past the budget the least recently used window goes first', () => {
  const cache = new DecodedWindowCache(budgetFor(3));
  cache.insert(100, 10, SPAN, cache.generation)![0] = 7;
  cache.insert(101, 10, SPAN, cache.generation);
  cache.insert(102, 10, SPAN, cache.generation);
  cache.insert(0, 10, SPAN, cache.generation); // the sweep clears all marks, evicts 100
  assert.equal(cache.get(100, 10, SPAN), undefined);
  assert.ok(cache.get(101, 10, SPAN)); // marks 101
  cache.insert(1, 10, SPAN, cache.generation); // evicts 102, the unmarked one
  assert.ok(cache.get(101, 10, SPAN));
  assert.equal(cache.get(102, 10, SPAN), undefined);
});

test('a zero budget caches nothing', () => {
  const cache = new DecodedWindowCache(0);
  assert.equal(cache.insert(1, 10, SPAN, cache.generation), undefined);
  assert.equal(cache.size, 0);
});

test('many inserts, invalidations and evictions find exactly the windows a plain map says are held', () => {
  // Enough windows that the hash table grows and probe runs are shifted back after removals.
  const cache = new DecodedWindowCache(budgetFor(3000));
  const model = new Map<string, number>();
  const key = (id: number, step: number, start: number): string => `${id}:${step}:${start}`;
  let seed = 12345;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let i = 0; i < 40_000; i++) {
    const id = random(500);
    const step = random(3) === 0 ? 60 : 10;
    const start = random(20) * step * POINTS_PER_CHUNK;
    if (random(5) === 0) {
      cache.invalidate(id, step, start);
      model.delete(key(id, step, start));
      continue;
    }
    const found = cache.get(id, step, start);
    const expected = model.get(key(id, step, start));
    if (found) assert.equal(found[0], expected, `window ${key(id, step, start)}`);
    else cache.insert(id, step, start, cache.generation)![0] = i;
    if (!found) model.set(key(id, step, start), i);
  }
  // Evicted windows are gone from the cache but not the model: every held one must match it.
  let held = 0;
  for (const [k, value] of model) {
    const [id, step, start] = k.split(':').map(Number);
    const window = cache.get(id, step, start);
    if (!window) continue;
    held++;
    assert.equal(window[0], value, `window ${k}`);
  }
  assert.equal(held, cache.size);
});

test('invalidateSeries forgets every window of one series, in every step, and nothing else', () => {
  const cache = new DecodedWindowCache(budgetFor(10));
  for (const id of [1, 2]) {
    cache.insert(id, 10, SPAN, cache.generation);
    cache.insert(id, 10, 2 * SPAN, cache.generation);
    cache.insert(id, 60, 6 * SPAN, cache.generation);
  }
  const before = cache.generation;
  cache.invalidateSeries(new Set([1]));
  assert.notEqual(cache.generation, before);
  assert.equal(cache.get(1, 10, SPAN), undefined);
  assert.equal(cache.get(1, 10, 2 * SPAN), undefined);
  assert.equal(cache.get(1, 60, 6 * SPAN), undefined);
  assert.ok(cache.get(2, 10, SPAN) && cache.get(2, 10, 2 * SPAN) && cache.get(2, 60, 6 * SPAN));
  assert.equal(cache.size, 3);
});
