import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BitReader, BitStreamEndError, BitWriter } from '../../../src/store/chunk/bit-stream.js';
import { seededUint32 } from '../../support/seeded-random.js';

/** The low `n` bits (0..32) of `x`, unsigned. */
const lowBits = (x: number, n: number): number => (n === 32 ? x >>> 0 : (x & ((1 << n) - 1)) >>> 0);

test('bits are packed most significant first, last byte zero-padded', () => {
  const writer = new BitWriter(1);
  writer.writeBit(1);
  writer.writeBits(0b01, 2);
  writer.writeBits(0xabc, 12);
  writer.writeBit(0);
  writer.writeBits(0b111, 3);
  // 1 01 101010111100 0 111 -> 10110101 01111000 11100000
  assert.equal(writer.bitLength, 19);
  assert.deepEqual([...writer.view()], [0b10110101, 0b01111000, 0b11100000]);
});

test('only the low n bits of a value are written', () => {
  const writer = new BitWriter();
  writer.writeBits(0xffffffff, 4);
  writer.writeBits(0x1234_5678, 8);
  assert.deepEqual([...writer.view()], [0xf7, 0x80]);
});

test('random widths round-trip and the buffer grows from one byte', () => {
  const next = seededUint32(42);
  const widths: number[] = [];
  const values: number[] = [];
  const writer = new BitWriter(1);
  for (let i = 0; i < 20_000; i++) {
    const n = next() % 33;
    const value = next();
    widths.push(n);
    values.push(lowBits(value, n));
    writer.writeBits(value, n);
  }
  const reader = new BitReader(writer.view());
  for (let i = 0; i < widths.length; i++) assert.equal(reader.readBits(widths[i]), values[i], `item ${i}`);
  assert.ok(reader.bitsLeft < 8);
});

test('32-bit values with the top bit set come back unsigned', () => {
  const writer = new BitWriter();
  writer.writeBit(1); // misalign on purpose
  writer.writeBits(0xdeadbeef, 32);
  writer.writeBits(-1, 32);
  const reader = new BitReader(writer.view());
  assert.equal(reader.readBit(), 1);
  assert.equal(reader.readBits(32), 0xdeadbeef);
  assert.equal(reader.readBits(32), 0xffffffff);
});

test('64-bit patterns round-trip as two halves at any width', () => {
  const next = seededUint32(7);
  const writer = new BitWriter(2);
  const cases: [number, number, number][] = [];
  for (let i = 0; i < 2000; i++) {
    const n = next() % 65;
    const hi = next();
    const lo = next();
    writer.writeBits64(hi, lo, n);
    // What comes back is the low n bits of hi:lo.
    cases.push(n > 32 ? [lowBits(hi, n - 32), lo, n] : [0, lowBits(lo, n), n]);
  }
  const reader = new BitReader(writer.view());
  for (const [hi, lo, n] of cases) {
    reader.readBits64(n);
    assert.deepEqual([reader.hi, reader.lo], [hi, lo], `width ${n}`);
  }
});

test('reset keeps no stale bits', () => {
  const writer = new BitWriter(4);
  writer.writeBits(0xffffffff, 32);
  writer.reset();
  assert.equal(writer.bitLength, 0);
  writer.writeBits(0, 12);
  writer.writeBit(1);
  assert.deepEqual([...writer.view()], [0x00, 0x08]);
});

test('reader honours a byte window and refuses to read past its end', () => {
  const bytes = Uint8Array.from([0xff, 0b1010_0000, 0xff]);
  const reader = new BitReader(bytes, 1, 2);
  assert.equal(reader.readBits(3), 0b101);
  assert.equal(reader.bitsLeft, 5);
  assert.throws(() => reader.readBits(6), BitStreamEndError);
  assert.equal(reader.readBits(5), 0);
  assert.throws(() => reader.readBit(), /truncated or corrupt/);
});
