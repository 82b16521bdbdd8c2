/**
 * The function language on the real storage engine: 1,000 series x 8,640 points (24 h at 10 s),
 * swept into sealed chunks (hot ring). Times, in-process:
 * - sumSeries over the 1,000 series, evaluated (store read + sum) and through GET /render JSON,
 *   each A/B interleaved: the reducing read (StorageEngine.readEach) against the generic path (the
 *   same engine behind a store without readEach: read every series, then sum);
 * - the sum alone on the 1,000 typed arrays (aggregateColumns);
 * - groupByNode and a movingAverage over the same data.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHttpApp } from '../src/http/app.js';
import { PointBatchBuilder } from '../src/points.js';
import { evaluateTargets } from '../src/query/evaluator.js';
import { aggregateColumns } from '../src/query/functions/agg-funcs.js';
import { EMBEDDED_STORAGE_AGGREGATION, EMBEDDED_STORAGE_SCHEMAS, loadRetentionPolicy } from '../src/store/retention/index.js';
import type { SeriesStore } from '../src/store/series-store.js';
import { StorageEngine } from '../src/store/storage-engine.js';

const SERIES = 1_000;
const STEP = 10;
const POINTS = 8_640;

function summary(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  return `p50 ${at(50).toFixed(2)} ms, p99 ${at(99).toFixed(2)} ms (${times.length} runs)`;
}

/**
 * Runs a and b alternately, so both see the same machine: wall times of each, and the process CPU
 * time per run (steadier than wall time when other processes share the cores).
 */
async function interleaved(runs: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[string, string]> {
  const times: [number[], number[]] = [[], []];
  const cpu = [0, 0];
  for (let i = 0; i < runs; i++) {
    for (const [k, body] of [a, b].entries()) {
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      await body();
      times[k].push(performance.now() - started);
      const used = process.cpuUsage(cpuBefore);
      cpu[k] += (used.user + used.system) / 1000;
    }
  }
  return [0, 1].map((k) => `${summary(times[k])}, CPU ${(cpu[k] / runs).toFixed(1)} ms/run`) as [string, string];
}

async function timed(runs: number, body: () => Promise<unknown> | unknown): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await body();
    times.push(performance.now() - started);
  }
  return times;
}

const dataDir = mkdtempSync(join(tmpdir(), 'carbonado-render-functions-bench-'));
const schemasPath = join(dataDir, 'storage-schemas.conf');
const aggregationPath = join(dataDir, 'storage-aggregation.conf');
writeFileSync(schemasPath, EMBEDDED_STORAGE_SCHEMAS);
writeFileSync(aggregationPath, EMBEDDED_STORAGE_AGGREGATION);
const now = Math.floor(Date.now() / 1000 / STEP) * STEP;
const from = now - POINTS * STEP;

try {
  const engine = await StorageEngine.open({ dataDir, policy: loadRetentionPolicy({ schemasPath, aggregationPath }), now: () => now });
  const ids = new Uint32Array(SERIES);
  for (let s = 0; s < SERIES; s++) ids[s] = engine.seriesId(`bench.host${String(s).padStart(4, '0')}.cpu.user`);
  const batch = new PointBatchBuilder(SERIES);
  for (let i = 1; i <= POINTS; i++) {
    batch.clear();
    for (let s = 0; s < SERIES; s++) batch.push(ids[s], from + i * STEP, ((s * 7 + i) % 1000) / 8);
    engine.append(batch);
  }
  await engine.sweep();

  const range = { from, until: now };
  const [sum] = await evaluateTargets(engine, ['sumSeries(bench.*.cpu.user)'], range);
  if (sum.values.length !== POINTS) throw new Error(`sumSeries: expected ${POINTS} points, got ${sum.values.length}`);

  // The same engine without readEach: the evaluator reads every series, then sums (the generic path).
  const generic: SeriesStore = {
    seriesId: (name) => engine.seriesId(name),
    append: (b) => engine.append(b),
    names: () => engine.names(),
    read: (names, f, u) => engine.read(names, f, u),
    seriesCount: () => engine.seriesCount(),
    match: (pattern) => engine.match(pattern),
    close: async () => {},
  };
  const [viaGeneric] = await evaluateTargets(generic, ['sumSeries(bench.*.cpu.user)'], range);
  for (let i = 0; i < POINTS; i++) {
    if (!Object.is(viaGeneric.values[i], sum.values[i])) throw new Error(`sumSeries: reducing read differs at ${i}`);
  }

  const reads = await timed(20, () => engine.read(engine.match('bench.*.cpu.user'), from, now));
  console.log(`store read of ${SERIES} series x ${POINTS} points: ${summary(reads)}`);
  const ranges = await engine.read(engine.match('bench.*.cpu.user'), from, now);
  const columns = ranges.map((r) => r.values);
  console.log(`sum of ${SERIES} x ${POINTS} typed arrays (aggregateColumns): ${summary(await timed(50, () => aggregateColumns('sum', columns, POINTS, 0)))}`);
  const [reduced, generics] = await interleaved(
    20,
    () => evaluateTargets(engine, ['sumSeries(bench.*.cpu.user)'], range),
    () => evaluateTargets(generic, ['sumSeries(bench.*.cpu.user)'], range),
  );
  console.log(`sumSeries evaluated, reducing read: ${reduced}`);
  console.log(`sumSeries evaluated, generic (read all + sum): ${generics}`);
  console.log(
    `groupByNode(bench.*.cpu.user, 2, "sum") evaluated: ${summary(await timed(10, () => evaluateTargets(engine, ['groupByNode(bench.*.cpu.user, 2, "sum")'], range)))}`,
  );
  console.log(
    `movingAverage(bench.*.cpu.user, "10min") evaluated: ${summary(await timed(5, () => evaluateTargets(engine, ['movingAverage(bench.*.cpu.user, "10min")'], range)))}`,
  );

  const app = createHttpApp({ store: engine, health: () => ({}) });
  const genericApp = createHttpApp({ store: generic, health: () => ({}) });
  const url = `/render?target=${encodeURIComponent('sumSeries(bench.*.cpu.user)')}&from=${from}&until=${now}&format=json`;
  const [http, genericHttp] = await interleaved(
    40,
    async () => (await app.request(url)).arrayBuffer(),
    async () => (await genericApp.request(url)).arrayBuffer(),
  );
  console.log(`GET /render sumSeries JSON (${POINTS} points out), reducing read: ${http}`);
  console.log(`GET /render sumSeries JSON (${POINTS} points out), generic: ${genericHttp}`);
  await engine.close();
  console.log(`rss: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
