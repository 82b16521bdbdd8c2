/** The series shapes and timing loop the chunk benchmarks share. */
import { seededUniform } from '../test/support/seeded-random.js';

export const STEP = 10;
export const START = 1_700_000_000;
const ROUNDS = 7;
const ROUND_MS = 60;

export interface SeriesShape {
  name: string;
  value: (random: () => number, i: number) => number;
}

/** Value shapes the store holds, plus random doubles as the worst case for XOR. */
export const SERIES_SHAPES: readonly SeriesShape[] = [
  // requests/s around a slowly moving level, 2 decimals, as stats.counters.x.rate looks.
  { name: 'rate, 2 decimals', value: (random, i) => Math.round((800 + 200 * Math.sin(i / 500) + random() * 50) * 100) / 100 },
  // What our own StatsD flush writes for stats.counters.x.rate: a whole count over a 10 s interval.
  { name: 'rate, count / 10', value: (random, i) => Math.round(8000 + 2000 * Math.sin(i / 500) + random() * 500) / 10 },
  { name: 'integer counts 0-200', value: (random) => Math.floor(random() * 200) },
  { name: 'constant zeros', value: () => 0 },
  // stats.timers.x.mean: a sum of milliseconds over a count, an arbitrary double.
  { name: 'timer means', value: (random) => (40 + random() * 20) * Math.floor(1 + random() * 99) / Math.floor(1 + random() * 99) },
  // What our own StatsD flush writes for integer-millisecond timers: a whole sum over a count of 1-99.
  {
    name: 'timer means, whole ms',
    value: (random) => {
      const samples = 1 + Math.floor(random() * 99);
      return Math.round(samples * 120 * (0.8 + 0.4 * random())) / samples;
    },
  },
  // A cumulative counter as Carbon clients send it: where deltas of deltas pay.
  { name: 'cumulative counter', value: (random, i) => 1_000_000 + i * 1000 + Math.floor(random() * 10) },
  { name: 'random doubles', value: (random) => (random() - 0.5) * 1e6 },
];

/** `count` points of a shape, STEP seconds apart from START, from the same seed every run. */
export function shapePoints(shape: SeriesShape, count: number): { timestamps: Uint32Array; values: Float64Array } {
  const random = seededUniform(12345);
  const timestamps = new Uint32Array(count);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    timestamps[i] = START + i * STEP;
    values[i] = shape.value(random, i);
  }
  return { timestamps, values };
}

/**
 * Points/s of `body` (which handles `pointsPerCall` points): the best of ROUNDS timed rounds, since
 * the machine is shared and a slow round says more about the neighbours than about the code.
 */
export function pointsPerSecond(pointsPerCall: number, body: () => void): number {
  const warmUntil = performance.now() + 100;
  while (performance.now() < warmUntil) body();
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let calls = 0;
    const started = performance.now();
    let elapsed = 0;
    while (elapsed < ROUND_MS) {
      for (let i = 0; i < 20; i++) body();
      calls += 20;
      elapsed = performance.now() - started;
    }
    best = Math.max(best, (calls * pointsPerCall) / (elapsed / 1000));
  }
  return best;
}
