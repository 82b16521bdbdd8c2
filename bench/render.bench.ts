/**
 * Render path on the real storage engine: 1,000 series x 8,640 points (24 h at 10 s, ending at the
 * engine's fixed clock) appended in time order as flushes would arrive, swept so the data sits in
 * sealed chunks, then `GET /render` JSON through the Hono app in-process (no sockets): one series
 * over 24 h, sumSeries of all 1,000 and the glob of all 1,000, first from the hot ring, then from
 * LevelDB after a reopen; then how long the one-series render takes while a big one is running.
 * Heavy renders run on the render pool, as the pipeline serves them (render-pool.bench.ts compares).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHttpApp } from '../src/http/app.js';
import { RenderPool } from '../src/http/render-pool.js';
import { PointBatchBuilder } from '../src/points.js';
import {
  EMBEDDED_STORAGE_AGGREGATION,
  EMBEDDED_STORAGE_SCHEMAS,
  loadRetentionPolicy,
  type RetentionPolicy,
} from '../src/store/retention/index.js';
import { StorageEngine } from '../src/store/storage-engine.js';

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

/**
 * One-series renders issued back to back while one big render runs: how long each takes, and the
 * longest gap between two of them (what a request arriving then waits for the big one to yield).
 */
async function smallDuringBig(app: ReturnType<typeof createHttpApp>, bigUrl: string, smallUrl: string): Promise<string> {
  const started = performance.now();
  let bigMs = 0;
  const big = (async () => {
    // Read as a socket would, piece by piece: arrayBuffer() would join the 176 MiB answer in one
    // task on this thread, a stall that belongs to this in-process client, not to the server.
    const reader = (await app.request(bigUrl)).body!.getReader();
    while (!(await reader.read()).done);
    bigMs = performance.now() - started;
  })();
  let done = false;
  void big.then(() => (done = true));
  const times: number[] = [];
  let gap = 0;
  let last = performance.now();
  while (!done) {
    // As requests come off sockets: each small one arrives in a new turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    const t = performance.now();
    await (await app.request(smallUrl)).arrayBuffer();
    const end = performance.now();
    times.push(end - t);
    gap = Math.max(gap, end - last);
    last = end;
  }
  await big;
  times.sort((a, b) => a - b);
  return `big one ${bigMs.toFixed(0)} ms; ${times.length} small ones meanwhile: p50 ${percentile(times, 50).toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms, longest gap ${gap.toFixed(1)} ms`;
}

/** Renders one series, sumSeries and the glob of all of them over the 24 h, and prints the figures. */
async function timeRenders(engine: StorageEngine, label: string): Promise<void> {
  const app = createHttpApp({ store: engine, health: () => ({}), renderPool });
  const range = `from=${from}&until=${now}`;
  const one = await timeRequests(app, `/render?target=bench.host0042.cpu.user&${range}`, 200);
  const [first] = (await (await app.request(`/render?target=bench.host0042.cpu.user&${range}`)).json()) as Array<{
    datapoints: [number | null, number][];
  }>;
  const known = first.datapoints.filter(([value]) => value !== null).length;
  if (known !== POINTS) throw new Error(`${label}: expected ${POINTS} points, got ${known}`);
  console.log(
    `${label}: render 1 series x ${POINTS} points JSON: p50 ${one.p50.toFixed(2)} ms, p99 ${one.p99.toFixed(2)} ms, ` +
      `${(one.bytes / 1024).toFixed(0)} KiB`,
  );
  // The first sumSeries decodes 1,000 x 72 windows into the decoded cache; a dashboard's refreshes
  // after it are warm. Both are reported, the p99 over enough requests to mean one.
  const sumUrl = `/render?target=sumSeries(bench.*.cpu.user)&${range}`;
  const cold = await timeRequests(app, sumUrl, 1);
  const sum = await timeRequests(app, sumUrl, 200);
  console.log(
    `${label}: render sumSeries of ${SERIES} series JSON: first (cold) ${cold.p50.toFixed(0)} ms; ` +
      `then 200 requests p50 ${sum.p50.toFixed(1)} ms, p99 ${sum.p99.toFixed(1)} ms`,
  );
  const all = await timeRequests(app, `/render?target=bench.*.cpu.user&${range}`, 5);
  console.log(
    `${label}: render glob of ${SERIES} series JSON: p50 ${all.p50.toFixed(0)} ms, p99 ${all.p99.toFixed(0)} ms, ` +
      `${(all.bytes / 1024 / 1024).toFixed(1)} MiB, ` +
      `${((SERIES * POINTS) / (all.p50 / 1000) / 1e6).toFixed(2)} M points/s`,
  );
  const small = `/render?target=bench.host0042.cpu.user&${range}`;
  console.log(`${label}: 1 series while sumSeries of ${SERIES} runs: ${await smallDuringBig(app, `/render?target=sumSeries(bench.*.cpu.user)&${range}`, small)}`);
  console.log(`${label}: 1 series while the glob of ${SERIES} runs: ${await smallDuringBig(app, `/render?target=bench.*.cpu.user&${range}`, small)}`);
}

const dataDir = mkdtempSync(join(tmpdir(), 'carbonado-render-bench-'));
const schemasPath = join(dataDir, 'storage-schemas.conf');
const aggregationPath = join(dataDir, 'storage-aggregation.conf');
writeFileSync(schemasPath, EMBEDDED_STORAGE_SCHEMAS);
writeFileSync(aggregationPath, EMBEDDED_STORAGE_AGGREGATION);
const policy: RetentionPolicy = loadRetentionPolicy({ schemasPath, aggregationPath });
const now = Math.floor(Date.now() / 1000 / STEP) * STEP;
const from = now - POINTS * STEP;
const clock = (): number => now;
// As the pipeline serves: heavy renders (the glob of all 1,000 series) on the render pool.
const renderPool = new RenderPool();

try {
  let engine = await StorageEngine.open({ dataDir, policy, now: clock });
  const ids = new Uint32Array(SERIES);
  for (let s = 0; s < SERIES; s++) ids[s] = engine.seriesId(`bench.host${String(s).padStart(4, '0')}.cpu.user`);

  // One batch per 10 s flush, every series in it, oldest first: the order ingestion produces.
  const batch = new PointBatchBuilder(SERIES);
  let started = performance.now();
  for (let i = 1; i <= POINTS; i++) {
    batch.clear();
    for (let s = 0; s < SERIES; s++) batch.push(ids[s], from + i * STEP, ((s * 7 + i) % 1000) / 8);
    engine.append(batch);
  }
  const appendMs = performance.now() - started;
  console.log(
    `append: ${(SERIES * POINTS).toLocaleString('en-US')} points in ${POINTS} batches of ${SERIES}: ` +
      `${appendMs.toFixed(0)} ms (${((SERIES * POINTS) / (appendMs / 1000) / 1e6).toFixed(2)} M points/s)`,
  );
  started = performance.now();
  await engine.sweep();
  const sweepMs = performance.now() - started;
  const loadMs = appendMs + sweepMs;
  console.log(
    `sweep: ${engine.stats.sealedChunks.toLocaleString('en-US')} sealed chunks in ${sweepMs.toFixed(0)} ms; ` +
      `load (append + sweep): ${((SERIES * POINTS) / (loadMs / 1000) / 1e6).toFixed(2)} M points/s`,
  );

  await timeRenders(engine, 'hot');

  await engine.close();
  started = performance.now();
  engine = await StorageEngine.open({ dataDir, policy, now: clock });
  console.log(`reopen (index load + WAL replay): ${(performance.now() - started).toFixed(0)} ms`);
  await timeRenders(engine, 'disk');
  await engine.close();
  console.log(`rss: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`);
} finally {
  await renderPool.close();
  rmSync(dataDir, { recursive: true, force: true });
}
