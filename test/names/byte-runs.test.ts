import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteRuns } from '../../src/names/byte-runs.js';
import { seededUint32 } from '../support/seeded-random.js';

test('copies runs of every length, at any offsets, from and into arrays that are views into larger buffers', () => {
  const next = seededUint32(5);
  const runs = new ByteRuns();
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
    runs.copy(source, start, start + length, target, expected.length);
    expected.push(...source.subarray(start, start + length));
  }
  assert.deepEqual([...target.subarray(0, expected.length)], expected);
  assert.ok(target.subarray(expected.length).every((b) => b === 0), 'nothing past the copies is written');
});

test('compares runs of every length, at any offsets, as equal exactly when every byte is', () => {
  const next = seededUint32(6);
  const runs = new ByteRuns();
  const target = Buffer.allocUnsafe(200);
  for (let i = 0; i < target.length; i++) target[i] = next() & 3;
  const source = new Uint8Array(new ArrayBuffer(301), 1, 300);
  let equal = 0;
  for (let round = 0; round < 5000; round++) {
    for (let i = 0; i < source.length; i++) source[i] = next() & 3;
    const length = next() % 12;
    const start = next() % (source.length - length + 1);
    const at = next() % (target.length - length + 1);
    // Half the time a copy, with maybe one byte changed.
    if (next() % 2 === 0) {
      target.copy(source, start, at, at + length);
      if (length > 0 && next() % 2 === 0) source[start + (next() % length)] ^= 1;
    }
    const expected = Buffer.compare(Buffer.from(source.subarray(start, start + length)), target.subarray(at, at + length)) === 0;
    assert.equal(runs.equals(source, start, start + length, target, at), expected);
    if (expected) equal++;
  }
  assert.ok(equal > 1000 && equal < 4000);
});

test('alternating between targets (and sources) of one length, pooled Buffers with offsets, runs ending at the last byte: each goes to and is compared with its own array', () => {
  const next = seededUint32(8);
  const runs = new ByteRuns();
  // Small Buffers come from Node's shared pool: views at an offset into one ArrayBuffer.
  const targets = [Buffer.alloc(37), Buffer.alloc(37), new Uint8Array(37)];
  const sources = [Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789!'), Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789?')];
  const expected = targets.map((t) => [...t]);
  for (let round = 0; round < 3000; round++) {
    const which = next() % targets.length;
    const source = sources[next() % sources.length];
    const length = next() % 10;
    // Often a run that ends at the arrays' last byte.
    const start = next() % 2 === 0 ? source.length - length : next() % (source.length - length + 1);
    const at = next() % 2 === 0 ? targets[which].length - length : next() % (targets[which].length - length + 1);
    runs.copy(source, start, start + length, targets[which], at);
    for (let i = 0; i < length; i++) expected[which][at + i] = source[start + i];
    assert.deepEqual([...targets[which]], expected[which]);
    assert.equal(runs.equals(source, start, start + length, targets[which], at), true);
    const other = targets[(which + 1) % targets.length];
    const same = length === 0 || Buffer.compare(Buffer.from(other.subarray(at, at + length)), source.subarray(start, start + length)) === 0;
    assert.equal(runs.equals(source, start, start + length, other, at), same);
  }
});
