import { test } from 'node:test';
import assert from 'node:assert/strict';
import { doubledToHold, grown } from '../src/grown-array.js';

test('grown keeps the elements, sets the new ones to the fill, and keeps the array type', () => {
  const bigger = grown(Int32Array.of(5, 6), 5, -1);
  assert.ok(bigger instanceof Int32Array);
  assert.deepEqual(Array.from(bigger), [5, 6, -1, -1, -1]);
  assert.deepEqual(Array.from(grown(Uint16Array.of(7), 3)), [7, 0, 0]);
});

test('doubledToHold doubles the length until the index fits, from 1 for an empty array', () => {
  assert.equal(doubledToHold(1024, 1023), 1024);
  assert.equal(doubledToHold(1024, 1024), 2048);
  assert.equal(doubledToHold(1024, 5000), 8192);
  assert.equal(doubledToHold(0, 2), 4);
});
