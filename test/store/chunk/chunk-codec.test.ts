import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chunkCount,
  chunkEncoding,
  chunkFirstTimestamp,
  chunkLastTimestamp,
  CorruptChunkError,
  DECIMAL_CHUNK_ENCODING,
  decodeChunkInto,
  encodeChunk,
  RATIONAL_CHUNK_ENCODING,
  XOR_CHUNK_ENCODING,
  XorChunkEncoder,
} from '../../../src/store/chunk/index.js';
import { seededUniform } from '../../support/seeded-random.js';

function xorBytes(timestamps: Uint32Array, values: Float64Array): Uint8Array {
  const encoder = new XorChunkEncoder();
  for (let i = 0; i < timestamps.length; i++) encoder.append(timestamps[i], values[i]);
  return encoder.bytes();
}

/**
 * encodeChunk round trip, bit for bit, with the header readers; asserts the chunk is never bigger
 * than the XOR one and returns it.
 */
function assertRoundTrip(values: readonly number[], timestamps?: readonly number[]): Uint8Array {
  const n = values.length;
  const ts = Uint32Array.from(timestamps ?? values.map((_, i) => 1_700_000_000 + 10 * i));
  const vs = Float64Array.from(values);
  const chunk = encodeChunk(ts, vs, 0, n);
  assert.ok(chunk.length <= xorBytes(ts, vs).length, `${chunk.length} bytes is more than XOR's ${xorBytes(ts, vs).length}`);
  assert.equal(chunkCount(chunk), n);
  if (n > 0) {
    assert.equal(chunkFirstTimestamp(chunk), ts[0]);
    assert.equal(chunkLastTimestamp(chunk), ts[n - 1]);
  }
  const outTimestamps = new Uint32Array(n);
  const outValues = new Float64Array(n);
  assert.equal(decodeChunkInto(chunk, outTimestamps, outValues), n);
  for (let i = 0; i < n; i++) {
    assert.equal(outTimestamps[i], ts[i], `timestamp ${i}`);
    assert.ok(Object.is(outValues[i], values[i]), `value ${i}: ${outValues[i]} != ${values[i]}`);
  }
  return chunk;
}

test('decimal rates, counts and integers near 2^53 get the decimal encoding, well under 2 bytes/point', () => {
  const random = seededUniform(1);
  const shapes: [string, () => number][] = [
    ['rate, 1 decimal', () => Math.round(8000 + random() * 500) / 10],
    ['rate, 2 decimals', () => Math.round((800 + random() * 20) * 100) / 100],
    ['rate, 3 decimals', () => Math.round((8 + random() * 2) * 1000) / 1000],
    ['integer counts', () => Math.floor(random() * 200)],
    ['negative rates', () => Math.round((random() - 0.5) * 2000) / 100],
    ['large integers', () => Number.MAX_SAFE_INTEGER - Math.floor(random() * 1000)],
  ];
  for (const [name, value] of shapes) {
    const chunk = assertRoundTrip(Array.from({ length: 120 }, value));
    assert.equal(chunkEncoding(chunk), DECIMAL_CHUNK_ENCODING, name);
    assert.ok(chunk.length / 120 < 2, `${name}: ${chunk.length / 120} bytes/point`);
  }
});

test('values that are not short decimals fall back to XOR, bit for bit', () => {
  const random = seededUniform(2);
  const doubles = Array.from({ length: 120 }, () => (random() - 0.5) * 1e6);
  assert.equal(chunkEncoding(assertRoundTrip(doubles)), XOR_CHUNK_ENCODING);
  // Integers but one value that is no fraction: rational, that one escaped.
  assert.equal(chunkEncoding(assertRoundTrip([1, 2, 0.1 + 0.2, 4])), RATIONAL_CHUNK_ENCODING);
  assert.equal(chunkEncoding(assertRoundTrip([2 ** 53, 1])), XOR_CHUNK_ENCODING);
  assert.equal(chunkEncoding(assertRoundTrip([1e-300, 1e300])), XOR_CHUNK_ENCODING);
});

test('-0, NaN and infinities fall back to XOR and keep their bits', () => {
  for (const special of [-0, NaN, Infinity, -Infinity]) {
    const chunk = assertRoundTrip([1.5, special, 2.5]);
    assert.equal(chunkEncoding(chunk), XOR_CHUNK_ENCODING, String(special));
    assert.equal(chunkEncoding(assertRoundTrip([special])), XOR_CHUNK_ENCODING);
  }
});

test('qualifying values still get XOR when it is smaller', () => {
  // Multiples of 1/1024 are short in binary but need 10 decimals: 34-bit decimal mantissas
  // against about 12 bits of XOR.
  const random = seededUniform(4);
  const values = Array.from({ length: 120 }, () => 100 + Math.floor(random() * 1024) / 1024);
  const chunk = assertRoundTrip(values);
  assert.equal(chunkEncoding(chunk), XOR_CHUNK_ENCODING);
});

test('single points and the empty chunk', () => {
  for (const v of [0, 12.34, -7, Number.MAX_SAFE_INTEGER, 1 / 3]) assertRoundTrip([v], [123]);
  const empty = assertRoundTrip([]);
  assert.equal(empty.length, 11);
  assert.equal(chunkFirstTimestamp(empty), 0);
});

test('encodeChunk is never bigger than XOR on random mixes of shapes, lengths and gaps', () => {
  const random = seededUniform(3);
  const shapes: ((i: number) => number)[] = [
    () => Math.round(random() * 1e4) / 100,
    () => Math.floor(random() * 5),
    () => (random() < 0.9 ? 0 : Math.floor(random() * 100)),
    (i) => i * 17 + Math.floor(random() * 3),
    (i) => Math.floor(i / 20) * 0.5,
    () => random(),
    () => Math.round(random() * 1e6) / 1e6,
    () => (random() < 0.5 ? 1.25 : 0.1 + 0.2),
    () => Math.floor((random() - 0.5) * 2 * Number.MAX_SAFE_INTEGER),
  ];
  for (let round = 0; round < 300; round++) {
    const shape = shapes[round % shapes.length];
    const n = 1 + Math.floor(random() * 200);
    const timestamps: number[] = [];
    let t = Math.floor(random() * 1e9);
    for (let i = 0; i < n; i++) {
      t += random() < 0.9 ? 10 : 1 + Math.floor(random() * 5000);
      timestamps.push(t);
    }
    assertRoundTrip(Array.from({ length: n }, (_, i) => shape(i)), timestamps);
  }
});

test('encodes a range of larger arrays and decodes chunks back to back', () => {
  const timestamps = Uint32Array.from({ length: 10 }, (_, i) => 100 + i * 10);
  const values = Float64Array.from([0.5, 1.5, 2.5, 3.5, 0.1 + 0.2, 5, 6, 7, 8, 9]);
  const a = encodeChunk(timestamps, values, 0, 4);
  const b = encodeChunk(timestamps, values, 4, 10);
  assert.equal(chunkEncoding(a), DECIMAL_CHUNK_ENCODING);
  assert.equal(chunkEncoding(b), RATIONAL_CHUNK_ENCODING);
  assert.equal(chunkFirstTimestamp(b), 140);
  const outTimestamps = new Uint32Array(10);
  const outValues = new Float64Array(10);
  const n = decodeChunkInto(a, outTimestamps, outValues);
  assert.equal(decodeChunkInto(b, outTimestamps, outValues, n), 6);
  assert.deepEqual([...outTimestamps], [...timestamps]);
  assert.deepEqual([...outValues], [...values]);
});

test('bad input is refused with a message that names the problem', () => {
  const timestamps = Uint32Array.from([10, 20, 20]);
  assert.throws(() => encodeChunk(timestamps, Float64Array.from([1, 2, 3]), 0, 3), /must increase/);
  assert.throws(() => encodeChunk(timestamps, Float64Array.from([0.1 + 0.2, 2, 3]), 0, 3), /must increase/);
  assert.throws(() => encodeChunk(timestamps, Float64Array.from([1, 2, 3]), 2, 4), /outside arrays/);
  const big = 70_000;
  assert.throws(
    () => encodeChunk(Uint32Array.from({ length: big }, (_, i) => i), new Float64Array(big), 0, big),
    /at most 65535 points/,
  );
  const chunk = encodeChunk(Uint32Array.from([1, 2]), Float64Array.from([1, 2]), 0, 2);
  const unknown = chunk.slice();
  unknown[0] = 9;
  assert.throws(() => chunkCount(unknown), /unknown encoding 9/);
  assert.throws(() => decodeChunkInto(unknown, new Uint32Array(2), new Float64Array(2)), CorruptChunkError);
  assert.throws(() => chunkLastTimestamp(chunk.subarray(0, 5)), CorruptChunkError);
});
