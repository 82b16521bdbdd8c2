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

test('invalidateSeries forgets every window of one series, in every step, and nothing else', () => {
  const cache = new DecodedWindowCache(budgetFor(10));
  for (const id of [1, 2]) {
    cache.insert(id, 10, SPAN, cache.generation);
    cache.insert(id, 10, 2 * SPAN, cache.generation);
    cache.insert(id, 60, 6 * SPAN, cache.generation);
  }
  const before = cache.generation;
  cache.invalidateSeries(1);
  assert.notEqual(cache.generation, before);
  assert.equal(cache.get(1, 10, SPAN), undefined);
  assert.equal(cache.get(1, 10, 2 * SPAN), undefined);
  assert.equal(cache.get(1, 60, 6 * SPAN), undefined);
  assert.ok(cache.get(2, 10, SPAN) && cache.get(2, 10, 2 * SPAN) && cache.get(2, 60, 6 * SPAN));
  assert.equal(cache.size, 3);
});
