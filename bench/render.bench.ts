/**
 * Render path: 1,000 series x 8,640 points (24 h at 10 s) in the MemoryStore, then `GET /render`
 * JSON through the Hono app in-process (no sockets): one series over 24 h, and a glob of all 1,000.
 */
import { performance } from 'node:perf_hooks';
import { createHttpApp } from '../src/http/app.js';
import { PointBatchBuilder } from '../src/points.js';
import { MemoryStore } from '../src/store/memory-store.js';

const SERIES = 1_000;
const STEP = 10;
const POINTS = 8_640;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timeRequests(
  app: ReturnType<typeof createHttpApp>,
  url: string,
  iterations: number,
): Promise<{ p50: number; p99: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    const response = await app.request(url);
    const body = await response.arrayBuffer();
    times.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`${url} -> ${response.status}`);
    bytes = body.byteLength;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), bytes };
}

const until = Math.floor(Date.now() / 1000 / STEP) * STEP;
const from = until - POINTS * STEP;
const store = new MemoryStore({ stepSeconds: STEP, retentionSeconds: 7 * 86_400 });
const batch = new PointBatchBuilder(SERIES * POINTS);
for (let s = 0; s < SERIES; s++) {
  const id = store.seriesId(`bench.host${String(s).padStart(4, '0')}.cpu.user`);
  for (let i = 1; i <= POINTS; i++) batch.push(id, from + i * STEP, (s * 7 + i) % 1000 / 8);
}
let started = performance.now();
store.append(batch);
const appendMs = performance.now() - started;
console.log(
  `append: ${(SERIES * POINTS).toLocaleString('en-US')} points in ${appendMs.toFixed(0)} ms ` +
    `(${((SERIES * POINTS) / (appendMs / 1000) / 1e6).toFixed(1)} M points/s)`,
);

const app = createHttpApp({ store, health: () => ({}) });
const one = await timeRequests(app, `/render?target=bench.host0042.cpu.user&from=${from}&until=${until}`, 200);
console.log(
  `render 1 series x ${POINTS} points JSON: p50 ${one.p50.toFixed(2)} ms, p99 ${one.p99.toFixed(2)} ms, ` +
    `${(one.bytes / 1024).toFixed(0)} KiB`,
);

started = performance.now();
const all = await timeRequests(app, `/render?target=bench.*.cpu.user&from=${from}&until=${until}`, 5);
console.log(
  `render glob of ${SERIES} series JSON: p50 ${all.p50.toFixed(0)} ms, p99 ${all.p99.toFixed(0)} ms, ` +
    `${(all.bytes / 1024 / 1024).toFixed(1)} MiB, ` +
    `${((SERIES * POINTS) / (all.p50 / 1000) / 1e6).toFixed(2)} M points/s`,
);
console.log(`rss: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`);
