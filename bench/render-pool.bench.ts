/**
 * What the render pool is for: how long a small query (one series over 24 h) waits while a heavy
 * render runs, with every render on the main thread (before) and with heavy ones on the render pool
 * (after). Small queries arrive on a fixed schedule, every SMALL_EVERY_MS, and each one's latency is
 * counted from when it was due, so time spent queued behind a long main-thread task counts; the
 * main thread's longest event-loop stall comes from perf_hooks' monitorEventLoopDelay.
 * Data, on the real engine (swept into sealed chunks): 1,000 series x 24 h and 10,000 series x 1 h
 * at 10 s. Then the main thread's cost of a render by size, which the pool's thresholds come from.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createHttpApp } from '../src/http/app.js';
import { RenderPool } from '../src/http/render-pool.js';
import { PointBatchBuilder } from '../src/points.js';
import { EMBEDDED_STORAGE_AGGREGATION, EMBEDDED_STORAGE_SCHEMAS, loadRetentionPolicy } from '../src/store/retention/index.js';
import { StorageEngine } from '../src/store/storage-engine.js';

const STEP = 10;
const DAY_POINTS = 8_640;
const DAY_SERIES = 1_000;
const HOUR_POINTS = 360;
const WIDE_SERIES = 10_000;
const SMALL_EVERY_MS = 10;

type App = ReturnType<typeof createHttpApp>;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Reads an answer as a socket would, piece by piece (arrayBuffer() would join a 176 MiB answer in one task here). */
async function drain(app: App, url: string): Promise<number> {
  const response = await app.request(url);
  if (response.status !== 200) throw new Error(`${url} -> ${response.status}: ${await response.text()}`);
  const reader = response.body!.getReader();
  let bytes = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) bytes += next.value.byteLength;
  return bytes;
}

interface Figures {
  heavyMs: number;
  small: number[];
  stallMs: number;
  longestTurnCpuMs: number;
}

/**
 * The longest turn of the event loop in main-thread CPU time, from a probe that reads the thread's
 * CPU clock once per turn: unlike wall-clock stalls, other processes' load on the machine does not
 * lengthen it. stop() ends the probe and returns the figure.
 */
function probeTurns(): { stop(): number } {
  let longest = 0;
  let running = true;
  let last = process.threadCpuUsage();
  const turn = () => {
    const now = process.threadCpuUsage();
    longest = Math.max(longest, (now.user - last.user + now.system - last.system) / 1000);
    last = now;
    if (running) setImmediate(turn);
  };
  setImmediate(turn);
  return {
    stop() {
      running = false;
      return longest;
    },
  };
}

/** Small queries on schedule while `heavyUrl` renders (or, without one, for `idleMs`). */
async function smallWhile(app: App, smallUrl: string, heavyUrl: string | undefined, idleMs = 1000): Promise<Figures> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const turns = probeTurns();
  const started = performance.now();
  let done = false;
  let heavyMs = 0;
  const heavy = heavyUrl
    ? drain(app, heavyUrl).then(() => (heavyMs = performance.now() - started))
    : new Promise((resolve) => setTimeout(resolve, idleMs));
  void heavy.then(() => (done = true));
  const small: number[] = [];
  const running: Promise<void>[] = [];
  for (let due = started; !done; due += SMALL_EVERY_MS) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    const issued = due;
    running.push(drain(app, smallUrl).then(() => void small.push(performance.now() - issued)));
  }
  await Promise.all([heavy, ...running]);
  loop.disable();
  const longestTurnCpuMs = turns.stop();
  small.sort((a, b) => a - b);
  return { heavyMs, small, stallMs: loop.max / 1e6, longestTurnCpuMs };
}

function describe(f: Figures): string {
  const heavy = f.heavyMs > 0 ? `heavy ${f.heavyMs.toFixed(0)} ms; ` : '';
  return (
    `${heavy}${f.small.length} small: p50 ${percentile(f.small, 50).toFixed(1)} ms, p99 ${percentile(f.small, 99).toFixed(1)} ms, ` +
    `max ${f.small[f.small.length - 1].toFixed(1)} ms; longest loop stall ${f.stallMs.toFixed(1)} ms, longest turn ${f.longestTurnCpuMs.toFixed(1)} ms CPU`
  );
}

/** The main thread's CPU time for one render of `url` (median of 5; CPU time, so other processes' load counts less). */
async function mainCost(app: App, url: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const cpu = process.threadCpuUsage();
    await drain(app, url);
    const used = process.threadCpuUsage(cpu);
    times.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[2];
}

const dataDir = mkdtempSync(join(tmpdir(), 'carbonado-render-pool-bench-'));
writeFileSync(join(dataDir, 'storage-schemas.conf'), EMBEDDED_STORAGE_SCHEMAS);
writeFileSync(join(dataDir, 'storage-aggregation.conf'), EMBEDDED_STORAGE_AGGREGATION);
const policy = loadRetentionPolicy({ schemasPath: join(dataDir, 'storage-schemas.conf'), aggregationPath: join(dataDir, 'storage-aggregation.conf') });
const now = Math.floor(Date.now() / 1000 / STEP) * STEP;
const pool = new RenderPool();
try {
  const engine = await StorageEngine.open({ dataDir, policy, now: () => now });
  const day = new Uint32Array(DAY_SERIES);
  for (let s = 0; s < DAY_SERIES; s++) day[s] = engine.seriesId(`bench.host${String(s).padStart(4, '0')}.cpu.user`);
  const wide = new Uint32Array(WIDE_SERIES);
  for (let s = 0; s < WIDE_SERIES; s++) wide[s] = engine.seriesId(`wide.dc${s % 10}.host${String(s).padStart(5, '0')}.cpu`);
  const batch = new PointBatchBuilder(WIDE_SERIES + DAY_SERIES);
  for (let i = DAY_POINTS - 1; i >= 0; i--) {
    batch.clear();
    const ts = now - i * STEP;
    for (let s = 0; s < DAY_SERIES; s++) batch.push(day[s], ts, ((s * 7 + i) % 1000) / 8);
    if (i < HOUR_POINTS) for (let s = 0; s < WIDE_SERIES; s++) batch.push(wide[s], ts, ((s * 3 + i) % 500) / 4);
    engine.append(batch);
  }
  await engine.sweep();

  const main = createHttpApp({ store: engine, health: () => ({}) });
  const pooled = createHttpApp({ store: engine, health: () => ({}), renderPool: pool });
  const dayRange = `from=${now - DAY_POINTS * STEP}&until=${now}`;
  const hourRange = `from=${now - HOUR_POINTS * STEP}&until=${now}`;
  const small = `/render?target=bench.host0042.cpu.user&${dayRange}`;
  const heavies: Array<[string, string]> = [
    ['10k series x 1 h JSON', `/render?target=wide.*.*.cpu&${hourRange}`],
    ['groupByNode over 10k series x 1 h', `/render?target=groupByNode(wide.*.*.cpu, 1, "sum")&${hourRange}`],
    ['glob of 1,000 series x 24 h JSON (176 MiB)', `/render?target=bench.*.cpu.user&${dayRange}`],
  ];
  for (const [, url] of heavies) {
    await drain(main, url); // decoded cache warm for both
    await drain(pooled, url); // worker started
  }
  console.log(`render pool: ${pool.threads} worker thread(s); thresholds ${pool.minPoints.toLocaleString('en-US')} points or ${pool.minSeries.toLocaleString('en-US')} series`);
  console.log(`small query alone (main): ${describe(await smallWhile(main, small, undefined))}`);
  for (const [label, url] of heavies) {
    for (let round = 0; round < 2; round++) {
      console.log(`while ${label}, before (main thread): ${describe(await smallWhile(main, small, url))}`);
      console.log(`while ${label}, after (render pool):  ${describe(await smallWhile(pooled, small, url))}`);
    }
  }

  // The main thread's CPU per render, all on main and with the pool (what remains here: parse, read, send).
  for (const [label, url] of heavies) {
    console.log(`${label}, main-thread CPU: all on main ${(await mainCost(main, url)).toFixed(1)} ms, pool path ${(await mainCost(pooled, url)).toFixed(1)} ms`);
  }
  const names = (n: number) => `{${Array.from({ length: n }, (_, s) => `host${String(s).padStart(4, '0')}`).join(',')}}`;
  for (const series of [1, 3, 6, 12, 23, 58]) {
    const url = `/render?target=bench.${names(series)}.cpu.user&${dayRange}`;
    console.log(
      `${series} series x 24 h (${(series * DAY_POINTS).toLocaleString('en-US')} points) JSON, main-thread CPU: ` +
        `all on main ${(await mainCost(main, url)).toFixed(1)} ms, pool path ${(await mainCost(pooled, url)).toFixed(1)} ms`,
    );
  }
  for (const seconds of [60, 300]) {
    const url = `/render?target=wide.*.*.cpu&from=${now - seconds}&until=${now}`;
    console.log(
      `10k series x ${seconds} s (${((WIDE_SERIES * seconds) / STEP).toLocaleString('en-US')} points) JSON, main-thread CPU: ` +
        `all on main ${(await mainCost(main, url)).toFixed(1)} ms, pool path ${(await mainCost(pooled, url)).toFixed(1)} ms`,
    );
  }
  await engine.close();
} finally {
  await pool.close();
  rmSync(dataDir, { recursive: true, force: true });
}
