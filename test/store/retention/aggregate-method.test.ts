import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AGGREGATION_METHODS,
  AGGREGATION_METHOD_CODES,
  aggregateRuns,
  aggregateValues,
  isAggregationMethod,
  type AggregationMethod,
} from '../../../src/store/retention/aggregate-method.js';

const N = NaN;

function values(...items: number[]): Float64Array {
  return Float64Array.from(items);
}

test('each method over values with gaps, as whisper aggregates them', () => {
  const input = values(3, N, -7, 2, N, 5);
  const expected: Record<AggregationMethod, number> = {
    average: (3 - 7 + 2 + 5) / 4,
    sum: 3,
    last: 5,
    max: 5,
    min: -7,
    avg_zero: (3 - 7 + 2 + 5) / 6,
    absmax: -7,
    absmin: 2,
  };
  for (const method of AGGREGATION_METHODS) {
    assert.equal(aggregateValues(method, input, 0, input.length), expected[method], method);
  }
});

test('last is the last known value, not the last slot', () => {
  assert.equal(aggregateValues('last', values(1, 2, N, N), 0, 4), 2);
});

test('absmax and absmin keep the sign and take the first on equal magnitude', () => {
  assert.equal(aggregateValues('absmax', values(-3, 3, 1), 0, 3), -3);
  assert.equal(aggregateValues('absmax', values(3, -3, 1), 0, 3), 3);
  assert.equal(aggregateValues('absmin', values(5, -1, 1), 0, 3), -1);
  assert.equal(aggregateValues('absmin', values(N, 4, -9), 0, 3), 4);
});

test('max and min handle infinities and all-negative values', () => {
  assert.equal(aggregateValues('max', values(-5, -2, -9), 0, 3), -2);
  assert.equal(aggregateValues('min', values(5, 2, 9), 0, 3), 2);
  assert.equal(aggregateValues('max', values(-Infinity, N), 0, 2), -Infinity);
  assert.equal(aggregateValues('min', values(Infinity), 0, 1), Infinity);
});

test('only values[start, end) are read', () => {
  const input = values(100, 1, 2, 3, 100);
  assert.equal(aggregateValues('sum', input, 1, 4), 6);
  assert.equal(aggregateValues('max', input, 1, 4), 3);
  assert.equal(aggregateValues('last', input, 1, 4), 3);
});

test('no known values, or an empty range, give NaN for every method, even with xFilesFactor 0', () => {
  for (const method of AGGREGATION_METHODS) {
    assert.ok(Number.isNaN(aggregateValues(method, values(N, N, N), 0, 3, 0)), method);
    assert.ok(Number.isNaN(aggregateValues(method, values(1, 2), 1, 1, 0)), method);
  }
});

test('xFilesFactor: a value only when known/total reaches it', () => {
  const oneOfTen = values(4, N, N, N, N, N, N, N, N, N);
  // Exactly at the threshold passes (whisper: knownPercent >= xff).
  assert.equal(aggregateValues('average', oneOfTen, 0, 10, 0.1), 4);
  assert.ok(Number.isNaN(aggregateValues('average', oneOfTen, 0, 10, 0.11)));
  const threeOfTen = values(1, 1, 1, N, N, N, N, N, N, N);
  assert.equal(aggregateValues('sum', threeOfTen, 0, 10, 0.3), 3);
  const halfKnown = values(2, N, 4, N);
  assert.equal(aggregateValues('average', halfKnown, 0, 4, 0.5), 3);
  assert.ok(Number.isNaN(aggregateValues('average', halfKnown, 0, 4, 0.51)));
  assert.equal(aggregateValues('avg_zero', halfKnown, 0, 4, 0.5), 1.5);
  assert.ok(Number.isNaN(aggregateValues('avg_zero', halfKnown, 0, 4, 0.75)));
  // xFilesFactor 1 needs every value.
  assert.ok(Number.isNaN(aggregateValues('max', values(1, 2, N), 0, 3, 1)));
  assert.equal(aggregateValues('max', values(1, 2, 3), 0, 3, 1), 3);
  // The default xFilesFactor is 0: one known value is enough.
  assert.equal(aggregateValues('min', values(N, N, 8), 0, 3), 8);
});

test('method names and whisper type codes', () => {
  assert.deepEqual([...AGGREGATION_METHODS], ['average', 'sum', 'last', 'max', 'min', 'avg_zero', 'absmax', 'absmin']);
  assert.equal(AGGREGATION_METHOD_CODES.absmin, 8);
  assert.ok(isAggregationMethod('avg_zero'));
  assert.ok(!isAggregationMethod('Average'));
  assert.ok(!isAggregationMethod('toString'));
});

test('aggregateRuns gives every run of a window what aggregateValues gives it, for every method', () => {
  const values = new Float64Array(120 * 6);
  for (let i = 0; i < values.length; i++) values[i] = i % 7 === 3 || (i >= 60 && i < 66) ? NaN : ((i * 37) % 23) / 4 - 2;
  for (const method of AGGREGATION_METHODS) {
    for (const xFilesFactor of [0, 0.5, 1]) {
      const out = new Float64Array(120);
      aggregateRuns(method, values, 6, out, xFilesFactor);
      for (let slot = 0; slot < 120; slot++) {
        assert.deepEqual(out[slot], aggregateValues(method, values, slot * 6, slot * 6 + 6, xFilesFactor), `${method} ${xFilesFactor} slot ${slot}`);
      }
    }
  }
});

/** Whisper's rules written out plainly, as the reference the one-pass versions are checked against. */
function naive(method: AggregationMethod, run: number[], xFilesFactor: number): number {
  const known = run.filter((v) => !Number.isNaN(v));
  if (known.length === 0 || known.length / run.length < xFilesFactor) return NaN;
  let sum = 0;
  for (const v of known) sum += v;
  switch (method) {
    case 'average':
      return sum / known.length;
    case 'sum':
      return sum;
    case 'avg_zero':
      return sum / run.length;
    case 'last':
      return known[known.length - 1];
    case 'max':
      return known.reduce((a, b) => (b > a ? b : a));
    case 'min':
      return known.reduce((a, b) => (b < a ? b : a));
    case 'absmax':
      return known.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a));
    case 'absmin':
      return known.reduce((a, b) => (Math.abs(b) < Math.abs(a) ? b : a));
  }
}

test('aggregateRuns and aggregateValues agree with whisper\'s rules written out, over random runs with gaps', () => {
  let seed = 7;
  const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let round = 0; round < 400; round++) {
    const ratio = 1 + Math.floor(random() * 12);
    const slots = 1 + Math.floor(random() * 130);
    // From no gaps to nearly all gaps; values with ties in magnitude (absmax/absmin keep the first).
    const gaps = [0, 0.2, 0.6, 0.95, 1][round % 5];
    const values = new Float64Array(slots * ratio);
    for (let i = 0; i < values.length; i++) values[i] = random() < gaps ? NaN : (Math.floor(random() * 17) - 8) * (random() < 0.2 ? 1e6 : 0.25);
    const xFilesFactor = [0, 0.5, 1, random()][round % 4];
    for (const method of AGGREGATION_METHODS) {
      const out = new Float64Array(slots);
      aggregateRuns(method, values, ratio, out, xFilesFactor);
      for (let slot = 0; slot < slots; slot++) {
        const expected = naive(method, Array.from(values.subarray(slot * ratio, (slot + 1) * ratio)), xFilesFactor);
        const where = `${method} ratio ${ratio} xff ${xFilesFactor} slot ${slot}`;
        assert.deepEqual(out[slot], expected, where);
        assert.deepEqual(aggregateValues(method, values, slot * ratio, (slot + 1) * ratio, xFilesFactor), expected, where);
      }
    }
  }
});
