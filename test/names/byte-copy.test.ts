import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteCopier } from '../../src/names/byte-copy.js';
import { seededUint32 } from '../support/seeded-random.js';

test('copies runs of every length, at any offsets, from and into arrays that are views into larger buffers', () => {
  const next = seededUint32(5);
  const copier = new ByteCopier();
  const sources = [0, 1, 3].map((offset) => {
    const bytes = new Uint8Array(new ArrayBuffer(offset + 300), offset, 300);
    for (let i = 0; i < bytes.length; i++) bytes[i] = next() & 0xff;
    return bytes;
  });
  let target = Buffer.allocUnsafe(64).fill(0);
  const expected: number[] = [];
  for (let round = 0; round < 2000; round++) {
    const source = sources[next() % sources.length];
    const length = next() % 24;
    const start = next() % (source.length - length + 1);
    if (expected.length + length > target.length) {
      const bigger = Buffer.allocUnsafe(2 * target.length).fill(0);
      target.copy(bigger);
      target = bigger;
    }
    copier.copy(source, start, start + length, target, expected.length);
    expected.push(...source.subarray(start, start + length));
  }
  assert.deepEqual([...target.subarray(0, expected.length)], expected);
  assert.ok(target.subarray(expected.length).every((b) => b === 0), 'nothing past the copies is written');
});
