import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chunkEncoding,
  CorruptChunkError,
  decodeChunkInto,
  decodeRationalChunkInto,
  denominatorOf,
  encodeChunk,
  RATIONAL_CHUNK_ENCODING,
  RationalChunkEncoder,
  XorChunkEncoder,
} from '../../../src/store/chunk/index.js';
import { seededUniform } from '../../support/seeded-random.js';

const timestampsFor = (n: number): Uint32Array => Uint32Array.from({ length: n }, (_, i) => 1_700_000_000 + 10 * i);

function xorLength(timestamps: Uint32Array, values: Float64Array): number {
  const encoder = new XorChunkEncoder();
  for (let i = 0; i < timestamps.length; i++) encoder.append(timestamps[i], values[i]);
  return encoder.bytes().length;
}

/** encodeChunk, decoded back bit for bit, never bigger than XOR. */
function roundTrip(values: readonly number[], timestamps = timestampsFor(values.length)): Uint8Array {
  const vs = Float64Array.from(values);
  const chunk = encodeChunk(timestamps, vs, 0, vs.length);
  assert.ok(chunk.length <= xorLength(timestamps, vs), `${chunk.length} bytes is more than XOR's`);
  const outTimestamps = new Uint32Array(vs.length);
  const outValues = new Float64Array(vs.length);
  assert.equal(decodeChunkInto(chunk, outTimestamps, outValues), vs.length);
  for (let i = 0; i < vs.length; i++) {
    assert.equal(outTimestamps[i], timestamps[i], `timestamp ${i}`);
    assert.ok(Object.is(outValues[i], vs[i]), `value ${i}: ${outValues[i]} != ${vs[i]}`);
  }
  return chunk;
}

test('hand-worked example encodes to the exact bytes in docs/format/chunk.md', () => {
  const chunk = encodeChunk(Uint32Array.of(1000, 1010, 1020), Float64Array.of(1 / 3, 0.5, 2 / 3), 0, 3);
  assert.equal(Buffer.from(chunk).toString('hex'), '03' + '0003' + '000003e8' + '000003fc' + '0c000000100000000e1420');
});

test('timer means (whole milliseconds over a count) get the rational encoding at well under half their XOR size', () => {
  const random = seededUniform(5);
  const typical = 20 + Math.floor(random() * 200);
  const values = Array.from({ length: 120 }, () => {
    const samples = 1 + Math.floor(random() * 99);
    return Math.round(samples * typical * (0.8 + 0.4 * random())) / samples;
  });
  const chunk = roundTrip(values);
  assert.equal(chunkEncoding(chunk), RATIONAL_CHUNK_ENCODING);
  assert.ok(chunk.length < 0.5 * xorLength(timestampsFor(120), Float64Array.from(values)), `${chunk.length} bytes`);
});

test('denominatorOf finds every s / n with n < 2^16 and |s / n| < 2^20, and refuses what is no such fraction', () => {
  const random = seededUniform(6);
  for (let i = 0; i < 20_000; i++) {
    const n = 1 + Math.floor(random() * 65_535);
    const s = Math.floor((random() - 0.5) * 2 * Math.min(2 ** 31 - 1, n * 2 ** 20));
    const v = s / n;
    const found = denominatorOf(v);
    assert.ok(found > 0 && found <= n, `${s}/${n}: ${found}`);
    assert.ok(Object.is(Math.round(v * found) / found, v));
  }
  for (const v of [NaN, Infinity, -Infinity, 2 ** 31, Math.PI, Math.SQRT2, 0.1 + 0.2]) assert.equal(denominatorOf(v), 0, String(v));
});

test('random fractions, both modes, both signs and the widest fields round-trip; -0, NaN and infinities are escaped', () => {
  const random = seededUniform(7);
  // Denominators up to the format's 2^24 - 1, past the default search.
  const encoder = new RationalChunkEncoder(2 ** 24 - 1);
  const shapes: (() => number)[] = [
    () => Math.floor(random() * 1e6) / (1 + Math.floor(random() * 1000)),
    () => -Math.floor(random() * 2 ** 31) / (1 + Math.floor(random() * 2 ** 24)),
    () => (2 ** 31 - 1 - Math.floor(random() * 3)) / 3,
    () => 1 / 3,
    () => (random() < 0.5 ? 1 / 7 : -2 / 9),
  ];
  for (let round = 0; round < 200; round++) {
    const shape = shapes[round % shapes.length];
    const n = 1 + Math.floor(random() * 150);
    const values = Array.from({ length: n }, shape);
    roundTrip(values);
    assert.ok(encoder.analyse(Float64Array.from(values), 0, n) || round % shapes.length !== 3, `round ${round}`);
    if (encoder.analyse(Float64Array.from(values), 0, n)) {
      const chunk = encoder.encode(timestampsFor(n), 0, n);
      const out = new Float64Array(n);
      decodeRationalChunkInto(chunk, new Uint32Array(n), out);
      values.forEach((v, i) => assert.ok(Object.is(out[i], v), `round ${round} value ${i}`));
    }
  }
  for (const special of [-0, NaN, Infinity, -Infinity, 2 ** 31, Math.PI]) {
    assert.equal(encoder.analyse(Float64Array.of(special), 0, 1), false, String(special));
    for (const values of [[1 / 3, special, 2 / 3], [special, 1 / 3]]) {
      assert.ok(encoder.analyse(Float64Array.from(values), 0, values.length), String(special));
      const out = new Float64Array(values.length);
      decodeRationalChunkInto(encoder.encode(timestampsFor(values.length), 0, values.length), new Uint32Array(values.length), out);
      values.forEach((v, i) => assert.ok(Object.is(out[i], v), `${special}: value ${i} is ${out[i]}`));
    }
  }

});

test('averages of decimal rates, some rounded off a fraction by their float sum, escape those and beat XOR', () => {
  const random = seededUniform(8);
  const values = Array.from({ length: 120 }, () => {
    let sum = 0;
    for (let k = 0; k < 6; k++) sum += Math.round(random() * 5000) / 10;
    return sum / 6;
  });
  assert.ok(values.some((v) => denominatorOf(v) === 0) && values.some((v) => denominatorOf(v) > 0));
  const chunk = roundTrip(values);
  assert.equal(chunkEncoding(chunk), RATIONAL_CHUNK_ENCODING);
  assert.ok(chunk.length < 0.8 * xorLength(timestampsFor(120), Float64Array.from(values)), `${chunk.length} bytes`);
});

test('random doubles give up early and stay XOR; below 2^16 they are no fractions by accident', () => {
  const random = seededUniform(9);
  const encoder = new RationalChunkEncoder();
  for (const scale of [1, 50, 1e6]) assert.equal(encoder.analyse(Float64Array.from({ length: 120 }, () => random() * scale), 0, 120), false, String(scale));
  assert.equal(chunkEncoding(roundTrip(Array.from({ length: 120 }, () => 40 + random() * 20))), 1);
});

test('damaged rational chunks are refused, not silently misread', () => {
  const chunk = encodeChunk(timestampsFor(50), Float64Array.from({ length: 50 }, (_, i) => (i * 37) / 11), 0, 50);
  assert.equal(chunkEncoding(chunk), RATIONAL_CHUNK_ENCODING);
  const out = [new Uint32Array(50), new Float64Array(50)] as const;
  assert.throws(() => decodeChunkInto(chunk.subarray(0, chunk.length - 4), ...out));
  const wrongLast = chunk.slice();
  wrongLast[10] ^= 1;
  assert.throws(() => decodeChunkInto(wrongLast, ...out), CorruptChunkError);
});
