/**
 * XOR chunk encode/decode speed and size for the series shapes the ring holds: noisy rates,
 * integer counts, idle zeros and (worst case) random doubles, in 120- and 1024-point chunks.
 */
import { decodeXorChunkInto, XorChunkEncoder } from '../src/store/chunk/index.js';
import { fmt, table } from './bench-lib.js';

const STEP = 10;
const START = 1_700_000_000;
const ROUNDS = 7;
const ROUND_MS = 60;

/** Deterministic uniform [0, 1) (mulberry32), so runs are comparable. */
function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const shapes: { name: string; value: (random: () => number, i: number) => number }[] = [
  // requests/s around a slowly moving level, 2 decimals, as stats.counters.x.rate looks.
  { name: 'rate, 2 decimals', value: (random, i) => Math.round((800 + 200 * Math.sin(i / 500) + random() * 50) * 100) / 100 },
  // What our own StatsD flush writes for stats.counters.x.rate: a whole count over a 10 s interval.
  { name: 'rate, count / 10', value: (random, i) => Math.round(8000 + 2000 * Math.sin(i / 500) + random() * 500) / 10 },
  { name: 'integer counts', value: (random) => Math.floor(random() * 200) },
  { name: 'constant zeros', value: () => 0 },
  { name: 'random doubles', value: (random) => (random() - 0.5) * 1e6 },
];

/**
 * Points/s of `body` (which handles `pointsPerCall` points): the best of ROUNDS timed rounds, since
 * the machine is shared and a slow round says more about the neighbours than about the code.
 */
function pointsPerSecond(pointsPerCall: number, body: () => void): number {
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

const rows: string[][] = [];
for (const chunkPoints of [120, 1024]) {
  for (const shape of shapes) {
    const random = seededUniform(12345);
    const timestamps = new Uint32Array(chunkPoints);
    const values = new Float64Array(chunkPoints);
    for (let i = 0; i < chunkPoints; i++) {
      timestamps[i] = START + i * STEP;
      values[i] = shape.value(random, i);
    }

    const encoder = new XorChunkEncoder(2048);
    let chunk: Uint8Array = new Uint8Array(0);
    const encodeRate = pointsPerSecond(chunkPoints, () => {
      encoder.reset();
      for (let i = 0; i < chunkPoints; i++) encoder.append(timestamps[i], values[i]);
      chunk = encoder.bytes();
    });

    const outTimestamps = new Uint32Array(chunkPoints);
    const outValues = new Float64Array(chunkPoints);
    const decodeRate = pointsPerSecond(chunkPoints, () => {
      decodeXorChunkInto(chunk, outTimestamps, outValues);
    });
    for (let i = 0; i < chunkPoints; i++) {
      if (outTimestamps[i] !== timestamps[i] || !Object.is(outValues[i], values[i])) throw new Error(`${shape.name}: point ${i} did not round-trip`);
    }

    rows.push([
      String(chunkPoints),
      shape.name,
      fmt(encodeRate / 1e6, 1),
      fmt(decodeRate / 1e6, 1),
      fmt(chunk.length),
      fmt(chunk.length / chunkPoints, 3),
    ]);
  }
}

console.log(table(['points/chunk', 'series', 'encode Mpt/s', 'decode Mpt/s', 'chunk bytes', 'bytes/point'], rows));
