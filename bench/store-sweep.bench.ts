/**
 * The storage engine's background rounds, in CPU per series: 100k StatsD-shaped series get a point
 * every 10 s for a little over two hours of fake time, sweeping as the 5 s timer would. Each
 * sealing round (every series' ended 10 s window compressed and written) and the round that also
 * computes the 1 m rollup of the first two hours are timed: CPU of the main thread (what ingest
 * and queries wait behind) and of the whole process (LevelDB's and the GC's threads included).
 * The rollup's own cost is that round less the median sealing round. CPU is counted until LevelDB's
 * compaction after the round has finished.
 *
 * BENCH_SERIES sets the series count (default 100,000; about 40 s at that).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POINTS_PER_CHUNK } from '../src/store/head.js';
import { loadRetentionPolicy } from '../src/store/retention/index.js';
import { StorageEngine } from '../src/store/storage-engine.js';
import { fmt, table, threadCpuSecondsByName } from './bench-lib.js';
import { StatsdValues, statsdSeriesName } from './carbon-bench-lib.js';

const SERIES = Number(process.env.BENCH_SERIES ?? 100_000);
const STEP = 10;
const WINDOW = STEP * POINTS_PER_CHUNK;
/** The 1 m archive's window: its first rollup comes once this much has been sealed. */
const ROLLUP_WINDOW = 60 * POINTS_PER_CHUNK;
/** Seal grace of the engine (its default): a sweep this long after a window ends seals it. */
const GRACE = 60;
const DAY = 86_400;

interface Round {
  name: string;
  wallMs: number;
  cpuMs: number;
  mainMs: number;
  /**
   * CPU ms of the other threads by name (Linux): the GC's helpers (V8Worker), LevelDB's writes and
   * its compaction thread (libuv-worker: it takes the name of the thread that started it).
   */
  others: string;
}

/** CPU ms per thread name between two readings, the main thread left out (its own column). */
function otherThreads(before: Map<string, number>, after: Map<string, number>): string {
  const parts: string[] = [];
  for (const [name, s] of after) {
    const ms = (s - (before.get(name) ?? 0)) * 1000;
    if (name !== 'MainThread' && ms >= 50) parts.push(`${name} ${fmt(ms, 0)}`);
  }
  return parts.join(', ');
}

const dir = mkdtempSync(join(tmpdir(), 'carbonado-sweep-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// Whole days back, so every window (10 s and 1 m) starts on the series' grid.
const start = Math.floor(Date.now() / 1000 / DAY) * DAY - 2 * DAY;
let seconds = start;
const engine = await StorageEngine.open({ dataDir: dir, policy: loadRetentionPolicy(), now: () => seconds, walSyncIntervalMs: 0 });
const ids = new Uint32Array(SERIES);
for (let i = 0; i < SERIES; i++) ids[i] = engine.seriesId(statsdSeriesName(i));
const values = new StatsdValues(SERIES);
const batch = { length: SERIES, seriesIds: ids, timestamps: new Uint32Array(SERIES), values: new Float64Array(SERIES) };

const rounds: Round[] = [];
for (let t = start; t <= start + ROLLUP_WINDOW + GRACE; t += STEP) {
  batch.timestamps.fill(t);
  values.fill(t, batch.values, 0);
  seconds = t + 1;
  engine.append(batch);
  const sinceWindow = (t - start) % WINDOW;
  if (sinceWindow !== GRACE || t - start < WINDOW) continue;
  const rollupsBefore = engine.stats.rollupChunks;
  const round = await timed(() => engine.sweep());
  const rolledUp = engine.stats.rollupChunks > rollupsBefore;
  rounds.push({ name: `${rolledUp ? 'seal + 1m rollup' : 'seal'} at +${t - start} s`, ...round });
}
rounds.push({ name: 'close', ...(await timed(() => engine.close())) });

/**
 * Waits until the other threads (LevelDB's compaction above all) have been idle for 400 ms, at most
 * 20 s: what a round's writes set off is counted in that round, not in whichever round comes next
 * (or nowhere: closing LevelDB abandons a compaction under way).
 */
async function settled(): Promise<void> {
  let last = threadCpuSecondsByName(process.pid);
  for (let waited = 0; waited < 20_000; waited += 400) {
    await new Promise((resolve) => setTimeout(resolve, 400));
    const now = threadCpuSecondsByName(process.pid);
    let busy = 0;
    for (const [name, s] of now) if (name !== 'MainThread') busy += s - (last.get(name) ?? 0);
    last = now;
    if (busy < 0.02) return;
  }
}

async function timed(work: () => Promise<void>): Promise<Omit<Round, 'name'>> {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const main = process.threadCpuUsage();
  const threads = threadCpuSecondsByName(process.pid);
  await work();
  const wallMs = performance.now() - wall;
  await settled();
  const cpuUsed = process.cpuUsage(cpu);
  const mainUsed = process.threadCpuUsage(main);
  return {
    wallMs,
    cpuMs: (cpuUsed.user + cpuUsed.system) / 1000,
    mainMs: (mainUsed.user + mainUsed.system) / 1000,
    others: otherThreads(threads, threadCpuSecondsByName(process.pid)),
  };
}

const perSeries = (ms: number): string => fmt((ms * 1000) / SERIES, 1);
console.log(`${fmt(SERIES, 0)} series, 10 s points, default retention (10s:7d,1m:30d,10m:5y)`);
console.log(table(
  ['round', 'wall ms', 'CPU ms', 'main CPU ms', 'CPU µs/series', 'main µs/series', 'other threads, CPU ms'],
  rounds.map((r) => [r.name, fmt(r.wallMs, 0), fmt(r.cpuMs, 0), fmt(r.mainMs, 0), perSeries(r.cpuMs), perSeries(r.mainMs), r.others]),
));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seals = rounds.filter((r) => r.name.startsWith('seal at'));
const rollup = rounds.find((r) => r.name.startsWith('seal + '));
const sealCpu = median(seals.map((r) => r.cpuMs));
const sealMain = median(seals.map((r) => r.mainMs));
console.log(`sealing round (median of ${seals.length}): ${perSeries(sealCpu)} µs/series CPU, ${perSeries(sealMain)} µs/series main thread`);
if (rollup) {
  console.log(`1m rollup (that round less the median sealing round): ${perSeries(rollup.cpuMs - sealCpu)} µs/series CPU, ${perSeries(rollup.mainMs - sealMain)} µs/series main thread`);
}
