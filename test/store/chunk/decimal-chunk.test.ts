import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BitStreamEndError } from '../../../src/store/chunk/bit-stream.js';
import {
  CorruptChunkError,
  DECIMAL_CHUNK_ENCODING,
  DecimalChunkEncoder,
  decodeDecimalChunkInto,
  XorChunkEncoder,
} from '../../../src/store/chunk/index.js';
import { seededUniform } from '../../support/seeded-random.js';

const Mode = { delta: 0, deltaOfDelta: 1, offset: 2 } as const;

/** Exponent and mantissa mode from the stream's first 12 bits (docs/format/chunk.md). */
function streamParams(chunk: Uint8Array): { exponent: number; mode: number; width: number } {
  const params = (chunk[11] << 4) | (chunk[12] >>> 4);
  return { exponent: params >>> 8, mode: (params >>> 6) & 3, width: params & 63 };
}

function regularTimestamps(n: number, start = 1_700_000_000, step = 10): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => start + i * step);
}

const encoder = new DecimalChunkEncoder();

/** Timestamp stream bits of a regular series: 9 for the first delta, then 1 per point. */
function regularTimestampBits(n: number): number {
  return n < 2 ? 0 : 9 + (n - 2);
}

/**
 * Encodes as decimal (the values must qualify), checks the planned size against the bytes, decodes
 * and checks every point bit for bit.
 */
function assertDecimalRoundTrip(values: readonly number[], timestamps = regularTimestamps(values.length)): Uint8Array {
  const input = Float64Array.from(values);
  assert.ok(encoder.analyse(input, 0, input.length), `values should qualify: ${values.slice(0, 5).join(', ')}`);
  const chunk = encoder.encode(timestamps, 0, timestamps.length);
  assert.equal(chunk[0], DECIMAL_CHUNK_ENCODING);
  if (timestamps[1] - timestamps[0] === 10 && timestamps.every((t, i) => i === 0 || t - timestamps[i - 1] === 10)) {
    assert.equal(chunk.length, 11 + Math.ceil((regularTimestampBits(values.length) + encoder.valueBits) / 8), 'planned size');
  }
  const n = values.length;
  const outTimestamps = new Uint32Array(n);
  const outValues = new Float64Array(n);
  assert.equal(decodeDecimalChunkInto(chunk, outTimestamps, outValues), n);
  for (let i = 0; i < n; i++) {
    assert.equal(outTimestamps[i], timestamps[i], `timestamp ${i}`);
    assert.ok(Object.is(outValues[i], values[i]), `value ${i}: ${outValues[i]} != ${values[i]}`);
  }
  return chunk;
}

test('hand-worked example encodes to the exact bytes in docs/format/chunk.md', () => {
  const chunk = assertDecimalRoundTrip([0.5, 0.75, 1], Uint32Array.from([1000, 1010, 1020]));
  assert.equal(Buffer.from(chunk).toString('hex'), '020003000003e8000003fc' + '2461f242ac80');
  assert.deepEqual(streamParams(chunk), { exponent: 2, mode: Mode.deltaOfDelta, width: 6 });
});

test('rates with 1, 2 and 3 decimals round-trip with the smallest exponent', () => {
  for (const decimals of [1, 2, 3]) {
    const random = seededUniform(decimals);
    const scale = 10 ** decimals;
    const values = Array.from({ length: 120 }, () => Math.round((500 + random() * 5) * scale) / scale);
    values[0] = (500 * scale + 1) / scale; // needs every decimal
    const chunk = assertDecimalRoundTrip(values);
    assert.equal(streamParams(chunk).exponent, decimals);
    assert.equal(streamParams(chunk).mode, Mode.offset, 'noise around a level is cheapest as offsets');
    assert.ok(chunk.length / 120 < 2, `${chunk.length / 120} bytes/point`);
  }
});

test('integers need exponent 0; a mix of decimals shares the largest exponent', () => {
  assert.equal(streamParams(assertDecimalRoundTrip([0, 1, 2, 200, 7, 0, 0, 13])).exponent, 0);
  assert.equal(streamParams(assertDecimalRoundTrip([1, 2.5, 3.25, 0.125, 10])).exponent, 3);
  assert.equal(streamParams(assertDecimalRoundTrip([1e-15, 2e-15, 0])).exponent, 15);
  // Doubles whose shortest form has up to 16 digits can qualify too; encodeChunk then compares sizes.
  assert.equal(streamParams(assertDecimalRoundTrip([Math.PI])).exponent, 15);
});

test('each mantissa mode is chosen where it is smallest', () => {
  // A cumulative counter at a steady rate: deltas of deltas are mostly zero.
  const counter = Array.from({ length: 120 }, (_, i) => 1_000_000 + i * 1000 + (i % 7 === 0 ? 3 : 0));
  assert.equal(streamParams(assertDecimalRoundTrip(counter)).mode, Mode.deltaOfDelta);
  // A gauge that rarely changes but wanders far: deltas are mostly zero.
  const gauge = Array.from({ length: 120 }, (_, i) => Math.floor(i / 30) * 12345.6);
  assert.equal(streamParams(assertDecimalRoundTrip(gauge)).mode, Mode.delta);
  // Noise around a level.
  const random = seededUniform(7);
  const noise = Array.from({ length: 120 }, () => Math.floor(random() * 200));
  assert.equal(streamParams(assertDecimalRoundTrip(noise)).mode, Mode.offset);
});

test('mantissas near 2^53 of both signs round-trip, whatever the mode', () => {
  const max = Number.MAX_SAFE_INTEGER;
  assertDecimalRoundTrip([max, -max, max, -max, 0, max - 1, -max + 1]);
  assertDecimalRoundTrip([max, max - 1, max - 2, max - 3]);
  assertDecimalRoundTrip([-max, -max, -max]);
  assertDecimalRoundTrip([0.1, -max / 10, max / 10, 0]);
  const random = seededUniform(53);
  for (let round = 0; round < 50; round++) {
    const values = Array.from({ length: 1 + Math.floor(random() * 40) }, () => {
      const r = random();
      if (r < 0.3) return Math.floor((random() - 0.5) * 2 * max);
      if (r < 0.6) return max - Math.floor(random() * 1000);
      return Math.floor(random() * 2 ** 40) * (random() < 0.5 ? -1 : 1);
    });
    assertDecimalRoundTrip(values);
  }
});

test('negative values round-trip', () => {
  assertDecimalRoundTrip([-1.5, -2.25, 3, -0.01, -1000.5, 0, -7]);
  const random = seededUniform(3);
  assertDecimalRoundTrip(Array.from({ length: 120 }, () => Math.round((random() - 0.5) * 10000) / 100));
});

test('single point, in every magnitude', () => {
  for (const v of [0, 1, -1, 0.5, 12.34, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e-15]) {
    assertDecimalRoundTrip([v], Uint32Array.from([4_000_000_000]));
  }
});

test('values that are not m / 10^e with e <= 15 and |m| < 2^53 do not qualify', () => {
  const refuse = (values: number[]): void => {
    assert.equal(encoder.analyse(Float64Array.from(values), 0, values.length), false, values.join(', '));
  };
  refuse([1, 0.1 + 0.2]);
  refuse([1 / 3]);
  refuse([1e-16]);
  refuse([2 ** 53]);
  refuse([1e300]);
  refuse([123456789.123456789]); // needs more than 2^53 at the exponent it needs
  refuse([1, -0]);
  refuse([NaN]);
  refuse([1, Infinity]);
  refuse([-Infinity]);
  refuse([]);
});

test('analyse looks only at its range', () => {
  const values = Float64Array.from([NaN, 1.5, 2.5, Math.PI]);
  assert.equal(encoder.analyse(values, 1, 3), true);
  const chunk = encoder.encode(regularTimestamps(4), 1, 3);
  const outTimestamps = new Uint32Array(2);
  const outValues = new Float64Array(2);
  assert.equal(decodeDecimalChunkInto(chunk, outTimestamps, outValues), 2);
  assert.deepEqual([...outValues], [1.5, 2.5]);
  assert.deepEqual([...outTimestamps], [1_700_000_010, 1_700_000_020]);
  assert.throws(() => encoder.encode(regularTimestamps(4), 0, 3), RangeError);
  assert.equal(encoder.analyse(values, 0, 2), false);
  assert.throws(() => encoder.encode(regularTimestamps(4), 1, 3), /analyse\(\) must succeed first/);
});

test('irregular timestamps and every timestamp bucket round-trip', () => {
  const timestamps = [0, 1, 65, 66, 322, 323, 2371, 2372, 4_000_000_000, 4_000_000_001, 0xffffffff];
  const values = timestamps.map((_, i) => i * 1.5);
  assertDecimalRoundTrip(values, Uint32Array.from(timestamps));
});

test('timestamps must strictly increase', () => {
  assert.ok(encoder.analyse(Float64Array.from([1, 2, 3]), 0, 3));
  assert.throws(() => encoder.encode(Uint32Array.from([10, 20, 20]), 0, 3), /must increase/);
});

test('several chunks decode back to back into one pair of arrays', () => {
  const first = assertDecimalRoundTrip([1.1, 2.2], Uint32Array.from([100, 110]));
  const second = assertDecimalRoundTrip([3, 4, 5], Uint32Array.from([120, 130, 140]));
  const timestamps = new Uint32Array(5);
  const values = new Float64Array(5);
  const n = decodeDecimalChunkInto(first, timestamps, values, 0);
  decodeDecimalChunkInto(second, timestamps, values, n);
  assert.deepEqual([...values], [1.1, 2.2, 3, 4, 5]);
  assert.deepEqual([...timestamps], [100, 110, 120, 130, 140]);
  assert.throws(() => decodeDecimalChunkInto(second, timestamps, values, 3), RangeError);
});

test('damaged chunks are refused, not silently misread', () => {
  const chunk = assertDecimalRoundTrip(Array.from({ length: 50 }, (_, i) => i * 0.25 + (i % 3)));
  const out = [new Uint32Array(100), new Float64Array(100)] as const;
  assert.throws(() => decodeDecimalChunkInto(chunk.subarray(0, 10), ...out), CorruptChunkError);
  assert.throws(() => decodeDecimalChunkInto(chunk.subarray(0, chunk.length - 3), ...out), (e) => e instanceof BitStreamEndError || e instanceof CorruptChunkError);
  const wrongLast = chunk.slice();
  wrongLast[10] ^= 1;
  assert.throws(() => decodeDecimalChunkInto(wrongLast, ...out), /header says/);
  const badMode = chunk.slice();
  badMode[11] |= 0x0c; // the mode is bits 4-5 of the stream
  assert.throws(() => decodeDecimalChunkInto(badMode, ...out), /mantissa mode 3/);
  const xor = new XorChunkEncoder();
  xor.append(1, 1);
  assert.throws(() => decodeDecimalChunkInto(xor.bytes(), ...out), /not decimal/);
});
