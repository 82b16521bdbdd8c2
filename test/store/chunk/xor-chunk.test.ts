import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BitStreamEndError } from '../../../src/store/chunk/bit-stream.js';
import {
  CorruptChunkError,
  decodeXorChunkInto,
  XOR_CHUNK_ENCODING,
  XOR_CHUNK_HEADER_BYTES,
  XOR_CHUNK_MAX_POINTS,
  XorChunkEncoder,
  XorChunkIterator,
  xorChunkCount,
  xorChunkFirstTimestamp,
  xorChunkLastTimestamp,
} from '../../../src/store/chunk/index.js';
import { seededUint32 } from '../../support/seeded-random.js';

function encode(timestamps: readonly number[], values: readonly number[]): Uint8Array {
  const encoder = new XorChunkEncoder(1);
  for (let i = 0; i < timestamps.length; i++) encoder.append(timestamps[i], values[i]);
  const bytes = encoder.bytes();
  assert.equal(bytes.length, encoder.sizeBytes);
  assert.equal(encoder.count, timestamps.length);
  return bytes;
}

/** Encodes, decodes both ways, and checks every point bit for bit (Object.is tells -0 and NaN apart). */
function assertRoundTrip(timestamps: readonly number[], values: readonly number[]): Uint8Array {
  const bytes = encode(timestamps, values);
  const n = timestamps.length;
  assert.equal(xorChunkCount(bytes), n);
  if (n > 0) {
    assert.equal(xorChunkFirstTimestamp(bytes), timestamps[0]);
    assert.equal(xorChunkLastTimestamp(bytes), timestamps[n - 1]);
  }
  const outTimestamps = new Uint32Array(n);
  const outValues = new Float64Array(n);
  assert.equal(decodeXorChunkInto(bytes, outTimestamps, outValues), n);
  const it = new XorChunkIterator(bytes);
  for (let i = 0; i < n; i++) {
    assert.equal(outTimestamps[i], timestamps[i], `timestamp ${i}`);
    assert.ok(Object.is(outValues[i], values[i]), `value ${i}: ${outValues[i]} != ${values[i]}`);
    assert.ok(it.next());
    assert.equal(it.timestamp, timestamps[i]);
    assert.ok(Object.is(it.value, values[i]));
  }
  assert.equal(it.next(), false);
  return bytes;
}

const regular = (n: number, start = 1_700_000_000, step = 10): number[] => Array.from({ length: n }, (_, i) => start + i * step);

test('hand-worked example encodes to the exact bytes in docs/format/chunk.md', () => {
  const bytes = assertRoundTrip([1000, 1010, 1020], [1.0, 1.0, 2.0]);
  assert.deepEqual(
    [...bytes],
    [
      0x01, // encoding: XOR
      ...[0x00, 0x03], // count 3
      ...[0x00, 0x00, 0x03, 0xe8], // first timestamp 1000
      ...[0x00, 0x00, 0x03, 0xfc], // last timestamp 1020
      ...[0x3f, 0xf0, 0, 0, 0, 0, 0, 0], // 1.0 raw
      // 10 0001010 | 0 | 0 | 1 1 00001 001011 11111111111 | 00000 padding
      ...[0x85, 0x18, 0x4b, 0xff, 0xe0],
    ],
  );
});

test('empty chunk is a bare header and decodes to nothing', () => {
  const encoder = new XorChunkEncoder();
  const bytes = encoder.bytes();
  assert.deepEqual([...bytes], [XOR_CHUNK_ENCODING, ...new Array(XOR_CHUNK_HEADER_BYTES - 1).fill(0)]);
  assert.equal(encoder.sizeBytes, XOR_CHUNK_HEADER_BYTES);
  assert.equal(xorChunkCount(bytes), 0);
  assert.equal(decodeXorChunkInto(bytes, new Uint32Array(0), new Float64Array(0)), 0);
  assert.equal(new XorChunkIterator(bytes).next(), false);
});

test('single point', () => {
  const bytes = assertRoundTrip([4_294_967_295], [-12.5]);
  assert.equal(bytes.length, XOR_CHUNK_HEADER_BYTES + 8);
});

test('header-only reads need no decoding', () => {
  const encoder = new XorChunkEncoder();
  for (const t of regular(50, 5000, 7)) encoder.append(t, t / 3);
  const bytes = encoder.bytes();
  const headerOnly = bytes.subarray(0, XOR_CHUNK_HEADER_BYTES);
  assert.equal(xorChunkCount(headerOnly), 50);
  assert.equal(xorChunkFirstTimestamp(headerOnly), 5000);
  assert.equal(xorChunkLastTimestamp(headerOnly), 5000 + 49 * 7);
  assert.equal(encoder.firstTimestamp, 5000);
  assert.equal(encoder.lastTimestamp, 5000 + 49 * 7);
});

test('random values of every magnitude round-trip', () => {
  const next = seededUint32(1);
  const values = Array.from({ length: 1000 }, () => (next() / 2 ** 32 - 0.5) * 10 ** ((next() % 600) - 300));
  assertRoundTrip(regular(1000), values);
});

test('random bit patterns round-trip', () => {
  const next = seededUint32(2);
  const words = new Uint32Array(2);
  const asFloat = new Float64Array(words.buffer);
  const values: number[] = [];
  while (values.length < 1000) {
    words[0] = next();
    words[1] = next();
    if (!Number.isNaN(asFloat[0])) values.push(asFloat[0]);
  }
  assertRoundTrip(regular(1000), values);
});

test('integers, negatives and noisy 2-decimal rates round-trip', () => {
  const next = seededUint32(3);
  let counter = 0;
  const integers = regular(500).map(() => (counter += next() % 50));
  assertRoundTrip(regular(500), integers);
  assertRoundTrip(regular(500), integers.map((v) => -v));
  assertRoundTrip(regular(500), regular(500).map(() => Math.round((1000 + (next() % 20000) / 100) * 100) / 100));
});

test('special values round-trip: NaN, infinities, -0, extremes, subnormals', () => {
  const special = [0, -0, NaN, Infinity, -Infinity, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2.2250738585072014e-308, 1e-320, 1, NaN, NaN, 0];
  assertRoundTrip(regular(special.length), special);
});

test('values differing only in their lowest mantissa bits round-trip (32+ leading zeros)', () => {
  const values = [1, 1 + 2 ** -40, 1 + 2 ** -52, 1 + 2 ** -45, 1 + 2 ** -52, 1 + 2 ** -21, 1 + 2 ** -21 + 2 ** -52, 1];
  assertRoundTrip(regular(values.length), values);
});

test('regular series of repeated values cost about 2 bits a point', () => {
  const bytes = assertRoundTrip(regular(120), new Array(120).fill(0));
  // header; 64-bit first value; first delta as a 9-bit dod plus a 1-bit value; then 2 bits a point.
  assert.equal(bytes.length, XOR_CHUNK_HEADER_BYTES + Math.ceil((64 + 9 + 1 + 118 * 2) / 8));
  const counts = regular(1024).map((_, i) => (i % 7 === 0 ? 3 : 4));
  const countBytes = assertRoundTrip(regular(1024), counts);
  assert.ok(countBytes.length / 1024 < 2, `${countBytes.length / 1024} bytes/point`);
});

test('irregular and huge timestamp gaps round-trip, including every bucket edge', () => {
  const next = seededUint32(4);
  let t = 1000;
  const irregular = Array.from({ length: 1000 }, () => (t += 1 + (next() % 5000)));
  assertRoundTrip(irregular, irregular.map((x) => x * 0.5));

  // Deltas chosen so the dods hit both ends of each bucket and the 33-bit escape.
  const dods = [0, 63, -64, 64, -65, 255, -256, 256, -257, 2047, -2048, 2048, -2049, 1 << 20, -(1 << 20), 2 ** 31];
  const edges = [0, 5000];
  let delta = 5000;
  for (const dod of dods) {
    delta += dod;
    edges.push(edges[edges.length - 1] + delta);
  }
  assertRoundTrip(edges, edges.map((_, i) => i));

  // Largest possible gaps: the whole u32 range, then a 1-second step (dod of about -2^32).
  assertRoundTrip([0, 4_294_967_294, 4_294_967_295], [1, 2, 3]);
  assertRoundTrip([0, 1, 4_294_967_295], [1, 2, 3]);
  assertRoundTrip([10, 10 + 2 ** 20 + 1, 10 + 2 * (2 ** 20 + 1) + 3_000_000], [5, 5, 5]);
});

test('timestamps must be increasing whole u32 seconds', () => {
  const encoder = new XorChunkEncoder();
  encoder.append(100, 1);
  assert.throws(() => encoder.append(100, 2), { name: 'RangeError', message: /must increase: 100 is not after 100/ });
  assert.throws(() => encoder.append(99, 2), /must increase/);
  assert.throws(() => encoder.append(100.5, 2), /whole seconds/);
  assert.throws(() => encoder.append(2 ** 32, 2), /whole seconds/);
  assert.throws(() => new XorChunkEncoder().append(-1, 2), /whole seconds/);
  encoder.append(101, 2);
  assertRoundTrip([100, 101], [1, 2]);
  assert.deepEqual([...encoder.bytes()], [...encode([100, 101], [1, 2])]);
});

test('a chunk holds at most 65535 points', () => {
  const encoder = new XorChunkEncoder();
  for (let i = 0; i < XOR_CHUNK_MAX_POINTS; i++) encoder.append(i * 10, 0);
  assert.throws(() => encoder.append(XOR_CHUNK_MAX_POINTS * 10, 0), /chunk is full/);
  assert.equal(xorChunkCount(encoder.bytes()), XOR_CHUNK_MAX_POINTS);
});

test('reset makes the encoder reusable with identical output', () => {
  const encoder = new XorChunkEncoder(4);
  for (const t of regular(200)) encoder.append(t, Math.sqrt(t));
  encoder.reset();
  assert.equal(encoder.count, 0);
  assert.equal(encoder.sizeBytes, XOR_CHUNK_HEADER_BYTES);
  encoder.append(1, 1.5);
  encoder.append(2, 2.5);
  assert.deepEqual([...encoder.bytes()], [...encode([1, 2], [1.5, 2.5])]);
});

test('several chunks decode back to back into one pair of arrays', () => {
  const a = encode([10, 20, 30], [1, 2, 3]);
  const b = encode([40, 50], [4, 5]);
  const timestamps = new Uint32Array(5);
  const values = new Float64Array(5);
  let at = decodeXorChunkInto(a, timestamps, values);
  at += decodeXorChunkInto(b, timestamps, values, at);
  assert.equal(at, 5);
  assert.deepEqual([...timestamps], [10, 20, 30, 40, 50]);
  assert.deepEqual([...values], [1, 2, 3, 4, 5]);
  assert.throws(() => decodeXorChunkInto(a, timestamps, values, 3), RangeError);
});

test('damaged chunks are refused, not silently misread', () => {
  const bytes = encode(regular(100), regular(100).map((t) => t / 7));
  assert.throws(() => xorChunkCount(bytes.subarray(0, XOR_CHUNK_HEADER_BYTES - 1)), CorruptChunkError);
  const otherEncoding = bytes.slice();
  otherEncoding[0] = 2;
  assert.throws(() => new XorChunkIterator(otherEncoding), /encoding 2 is not XOR/);
  const truncated = bytes.subarray(0, bytes.length - 20);
  assert.throws(() => decodeXorChunkInto(truncated, new Uint32Array(100), new Float64Array(100)), BitStreamEndError);
  const wrongLast = bytes.slice();
  wrongLast[XOR_CHUNK_HEADER_BYTES - 1] ^= 1;
  assert.throws(() => decodeXorChunkInto(wrongLast, new Uint32Array(100), new Float64Array(100)), /header says/);
});
