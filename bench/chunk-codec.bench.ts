/**
 * XOR-only chunks against encodeChunk (the smaller of decimal and XOR) on 120-point chunks of the
 * series shapes the store holds: size per point and encode/decode speed.
 */
import { decodeChunkInto, decodeXorChunkInto, encodeChunk, XorChunkEncoder } from '../src/store/chunk/index.js';
import { fmt, table } from './bench-lib.js';

const POINTS = 120;
const STEP = 10;
const START = 1_700_000_000;
/** Distinct chunks per shape, so the figures do not hang on one lucky chunk. */
const CHUNKS = 64;
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
  { name: 'rate, 2 decimals', value: (random, i) => Math.round((800 + 200 * Math.sin(i / 500) + random() * 50) * 100) / 100 },
  // What the StatsD flush writes for stats.counters.x.rate: a whole count over a 10 s interval.
  { name: 'rate, count / 10', value: (random, i) => Math.round(8000 + 2000 * Math.sin(i / 500) + random() * 500) / 10 },
  { name: 'integer counts 0-200', value: (random) => Math.floor(random() * 200) },
  { name: 'constant zeros', value: () => 0 },
  // stats.timers.x.mean: a sum of milliseconds over a count, an arbitrary double.
  { name: 'timer means', value: (random) => (40 + random() * 20) * Math.floor(1 + random() * 99) / Math.floor(1 + random() * 99) },
  // A cumulative counter as Carbon clients send it: where deltas of deltas pay.
  { name: 'cumulative counter', value: (random, i) => 1_000_000 + i * 1000 + Math.floor(random() * 10) },
];

/** Points/s of `body` (which handles `pointsPerCall` points): the best of ROUNDS timed rounds. */
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

const xorEncoder = new XorChunkEncoder(2048);
function encodeXor(timestamps: Uint32Array, values: Float64Array, start: number, end: number): Uint8Array {
  xorEncoder.reset();
  for (let i = start; i < end; i++) xorEncoder.append(timestamps[i], values[i]);
  return xorEncoder.bytes();
}

const rows: string[][] = [];
for (const shape of shapes) {
  const random = seededUniform(12345);
  const total = POINTS * CHUNKS;
  const timestamps = new Uint32Array(total);
  const values = new Float64Array(total);
  for (let i = 0; i < total; i++) {
    timestamps[i] = START + i * STEP;
    values[i] = shape.value(random, i);
  }
  const xorChunks: Uint8Array[] = [];
  const codecChunks: Uint8Array[] = [];
  for (let c = 0; c < CHUNKS; c++) {
    xorChunks.push(encodeXor(timestamps, values, c * POINTS, (c + 1) * POINTS));
    codecChunks.push(encodeChunk(timestamps, values, c * POINTS, (c + 1) * POINTS));
  }

  let next = 0;
  const xorEncodeRate = pointsPerSecond(POINTS, () => {
    const c = next++ % CHUNKS;
    encodeXor(timestamps, values, c * POINTS, (c + 1) * POINTS);
  });
  const codecEncodeRate = pointsPerSecond(POINTS, () => {
    const c = next++ % CHUNKS;
    encodeChunk(timestamps, values, c * POINTS, (c + 1) * POINTS);
  });
  const outTimestamps = new Uint32Array(POINTS);
  const outValues = new Float64Array(POINTS);
  const xorDecodeRate = pointsPerSecond(POINTS, () => {
    decodeXorChunkInto(xorChunks[next++ % CHUNKS], outTimestamps, outValues);
  });
  const codecDecodeRate = pointsPerSecond(POINTS, () => {
    decodeChunkInto(codecChunks[next++ % CHUNKS], outTimestamps, outValues);
  });

  const decodedTimestamps = new Uint32Array(total);
  const decodedValues = new Float64Array(total);
  let decimalChunks = 0;
  for (let c = 0; c < CHUNKS; c++) {
    decodeChunkInto(codecChunks[c], decodedTimestamps, decodedValues, c * POINTS);
    if (codecChunks[c][0] === 2) decimalChunks++;
    if (codecChunks[c].length > xorChunks[c].length) throw new Error(`${shape.name}: encodeChunk is bigger than XOR`);
  }
  for (let i = 0; i < total; i++) {
    if (decodedTimestamps[i] !== timestamps[i] || !Object.is(decodedValues[i], values[i])) throw new Error(`${shape.name}: point ${i} did not round-trip`);
  }

  const bytes = (chunks: Uint8Array[]): number => chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  rows.push([
    shape.name,
    fmt(bytes(xorChunks) / total, 3),
    fmt(bytes(codecChunks) / total, 3),
    `${decimalChunks}/${CHUNKS}`,
    fmt(xorEncodeRate / 1e6, 1),
    fmt(codecEncodeRate / 1e6, 1),
    fmt((1e6 * POINTS) / codecEncodeRate, 2),
    fmt(xorDecodeRate / 1e6, 1),
    fmt(codecDecodeRate / 1e6, 1),
  ]);
}

console.log(`${POINTS}-point chunks, ${STEP} s apart; 'codec' is encodeChunk / decodeChunkInto, 'decimal' counts chunks it encoded as decimal`);
console.log(
  table(
    ['series', 'XOR B/pt', 'codec B/pt', 'decimal', 'XOR enc Mpt/s', 'codec enc Mpt/s', 'codec µs/chunk', 'XOR dec Mpt/s', 'codec dec Mpt/s'],
    rows,
  ),
);
