/**
 * StorageEngine.read of many series in one call: 1,000 series x 8,640 points (24 h at 10 s),
 * sealed, read whole. Two value kinds: short decimals (x / 8, stored as decimal chunks) and
 * arbitrary doubles (stored as XOR chunks). Each is read from the hot ring, then from LevelDB (after
 * a reopen, the ring is empty), with the decoded-window cache off, thrashing (budget below the data:
 * every read decodes and inserts) and warm.
 *
 * BENCH_QUICK=1 uses 200 series.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PointBatchBuilder } from '../src/points.js';
import { loadRetentionPolicy } from '../src/store/retention/index.js';
import { StorageEngine } from '../src/store/storage-engine.js';

const SERIES = process.env.BENCH_QUICK === '1' ? 200 : 1_000;
const STEP = 10;
const POINTS = 8_640;
const RUNS = 20;

const dataDir = mkdtempSync(join(tmpdir(), 'carbonado-storage-read-bench-'));
const now = Math.floor(Date.now() / 1000 / 1200) * 1200 + 100;
const from = now - POINTS * STEP;
const policy = loadRetentionPolicy();
const KINDS = {
  decimal: (s: number, i: number): number => ((s * 7 + i) % 1000) / 8,
  xor: (s: number, i: number): number => Math.sin(s + i / 100) * 1000 + s / 3,
} as const;
type Kind = keyof typeof KINDS;
const names = (kind: Kind): string[] => Array.from({ length: SERIES }, (_, s) => `${kind}.host${String(s).padStart(4, '0')}.cpu`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(label: string, engine: StorageEngine, kind: Kind, runs = RUNS): Promise<void> {
  const wanted = names(kind);
  const times: number[] = [];
  let points = 0;
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    const ranges = await engine.read(wanted, from, now);
    times.push(performance.now() - started);
    points = ranges.reduce((n, range) => n + range.values.length, 0);
  }
  // Checks one series end to end, so a fast wrong read cannot pass.
  const [check] = await engine.read([wanted[SERIES - 1]], from, now);
  for (let i = 0; i < check.values.length; i++) {
    const t = check.start + i * check.step;
    const expected = t <= now - 200 && t > from ? KINDS[kind](SERIES - 1, (t - from) / STEP) : NaN;
    if (!Object.is(check.values[i], expected) && !(Number.isNaN(expected) && Number.isNaN(check.values[i]))) {
      throw new Error(`${label}: wrong value at ${t}: ${check.values[i]}, expected ${expected}`);
    }
  }
  const sorted = [...times].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  console.log(
    `${label.padEnd(44)} p50 ${p50.toFixed(1).padStart(6)} ms  p99 ${percentile(sorted, 99).toFixed(1).padStart(6)} ms  ` +
      `${((points / p50) * 1000 / 1e6).toFixed(0).padStart(4)} M points/s  (${runs} runs, ${(points / 1e6).toFixed(2)}M points)`,
  );
}

try {
  const writer = await StorageEngine.open({ dataDir, policy, now: () => now, readCacheBytes: 0 });
  const batch = new PointBatchBuilder(SERIES * 2);
  const ids = { decimal: names('decimal').map((n) => writer.seriesId(n)), xor: names('xor').map((n) => writer.seriesId(n)) };
  // Points up to 200 s ago: the last window is still in the head, the rest sealed.
  for (let i = 1; i <= POINTS && from + i * STEP <= now - 200; i++) {
    batch.clear();
    for (const kind of ['decimal', 'xor'] as const) {
      for (let s = 0; s < SERIES; s++) batch.push(ids[kind][s], from + i * STEP, KINDS[kind](s, i));
    }
    writer.append(batch);
  }
  await writer.sweep();
  console.log(`${SERIES} series x ${POINTS} points per read, ${RUNS} runs each`);
  for (const kind of ['decimal', 'xor'] as const) await measure(`${kind}, hot ring, no cache`, writer, kind);
  await writer.close();

  const fromDisk = await StorageEngine.open({ dataDir, policy, now: () => now, readCacheBytes: 0 });
  for (const kind of ['decimal', 'xor'] as const) await measure(`${kind}, LevelDB, no cache`, fromDisk, kind);
  await fromDisk.close();

  // 8 MiB holds far fewer windows than one read touches: each read decodes and inserts (LRU thrash).
  const thrashing = await StorageEngine.open({ dataDir, policy, now: () => now, readCacheBytes: 8 * 1024 ** 2 });
  for (const kind of ['decimal', 'xor'] as const) await measure(`${kind}, LevelDB, cache thrashing (cold)`, thrashing, kind);
  await thrashing.close();

  const cached = await StorageEngine.open({ dataDir, policy, now: () => now });
  for (const kind of ['decimal', 'xor'] as const) {
    await measure(`${kind}, LevelDB, first read (cold cache)`, cached, kind, 1);
    await measure(`${kind}, cache warm`, cached, kind);
  }
  await cached.close();
  console.log(`rss: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
