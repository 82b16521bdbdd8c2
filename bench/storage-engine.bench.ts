/**
 * The storage engine in-process, no server: (a) bytes per point in the hot ring, in RSS and on
 * disk for a day of StatsD-shaped 10 s data; (b) read latency p50/p99 for 1 h, 24 h, 7 d (10 s
 * archive) and 30 d (1 m archive), one series and 100 series per call, from the ring and from
 * LevelDB; (c) restart: WAL replay of 1M head points; (d) RSS per series and per chunk, projected
 * to 100k series x 7 days; (e) a burst of 1M new series, then close and reopen; (f) appending to
 * known series, as steady ingest does: CPU and young-generation collections per point (the append
 * loop should leave no garbage behind). A fake clock moves with the data, so days of history take seconds.
 *
 * BENCH_QUICK=1 shrinks every data set (about a minute in all). BENCH_PARTS=ce runs only parts c and e
 * (d needs a).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ClassicLevel } from 'classic-level';
import { PointBatchBuilder } from '../src/points.js';
import { POINTS_PER_CHUNK } from '../src/store/head.js';
import { KeyPrefix } from '../src/store/keys.js';
import { loadRetentionPolicy } from '../src/store/retention/index.js';
import { eachSeriesInBlock } from '../src/store/series-blocks.js';
import { StorageEngine } from '../src/store/storage-engine.js';
import { fmt, table } from './bench-lib.js';
import { directoryBytes, percentile, StatsdValues, statsdSeriesName, VALUE_KINDS } from './carbon-bench-lib.js';

const QUICK = process.env.BENCH_QUICK === '1';
const STEP = 10;
const WINDOW = STEP * POINTS_PER_CHUNK;
const HOUR = 3600;
const DAY = 86_400;
/** Seal grace of the engine (its default): a window is sealed once it ended this long ago. */
const GRACE = 60;
/** Points per append call while writing history (about what one carbon read chunk carries). */
const POINTS_PER_APPEND = 8192;
/** Data ends here (a whole day boundary in the past, so runs are comparable). */
const EPOCH_END = Math.floor(Date.now() / 1000 / DAY) * DAY - 40 * DAY;

const sizes = QUICK
  ? { bytesSeries: 2000, bytesDays: 1, readSeries: 100, readDays: 31, restartPoints: 1_000_000, newSeries: 100_000 }
  : { bytesSeries: 10_000, bytesDays: 1, readSeries: 100, readDays: 31, restartPoints: 1_000_000, newSeries: 1_000_000 };

const gc = (globalThis as { gc?: () => void }).gc;
function settledRss(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().rss;
}
const mb = (bytes: number): string => fmt(bytes / 1024 ** 2, 1);

/** The engine's clock, moved by the writer. */
class FakeClock {
  seconds = 0;
  readonly now = (): number => this.seconds;
}

const MEMORY_CHILD = process.argv[2] === '--measure-memory';
const workDir = MEMORY_CHILD ? mkdtempSync(join(process.argv[3], 'child-')) : mkdtempSync(join(tmpdir(), 'carbonado-storage-bench-'));
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));

function openEngine(dataDir: string, clock: FakeClock): Promise<StorageEngine> {
  return StorageEngine.open({ dataDir, policy: loadRetentionPolicy(), now: clock.now, walSyncIntervalMs: 1000, hotBudgetBytes: 4 * 1024 ** 3 });
}

interface WriteTiming {
  points: number;
  appendMs: number;
  sweepMs: number;
  sweeps: number;
}

/**
 * Writes every series at every step of [from, until) in time order, with the clock just past the
 * newest point, and sweeps each time a window passes the seal grace, as the 5 s timer would.
 * `onWindow` runs after each sweep.
 */
async function writeHistory(
  engine: StorageEngine,
  clock: FakeClock,
  ids: Uint32Array,
  values: StatsdValues,
  from: number,
  until: number,
  onWindow?: (sealedUntil: number) => void,
): Promise<WriteTiming> {
  const series = ids.length;
  const stepsPerAppend = Math.max(1, Math.floor(POINTS_PER_APPEND / series));
  const batch = {
    length: 0,
    seriesIds: new Uint32Array(stepsPerAppend * series),
    timestamps: new Uint32Array(stepsPerAppend * series),
    values: new Float64Array(stepsPerAppend * series),
  };
  const timing: WriteTiming = { points: 0, appendMs: 0, sweepMs: 0, sweeps: 0 };
  let sealedUntil = Math.floor((from - GRACE) / WINDOW) * WINDOW;
  for (let t = from; t < until; ) {
    let n = 0;
    for (let s = 0; s < stepsPerAppend && t < until; s++, t += STEP) {
      values.fill(t, batch.values, n);
      batch.seriesIds.set(ids, n);
      batch.timestamps.fill(t, n, n + series);
      n += series;
    }
    batch.length = n;
    clock.seconds = t - STEP + 1;
    const started = performance.now();
    engine.append(batch);
    timing.appendMs += performance.now() - started;
    timing.points += n;
    const cutoff = Math.floor((clock.seconds - GRACE) / WINDOW) * WINDOW;
    if (cutoff > sealedUntil) {
      sealedUntil = cutoff;
      const sweepStarted = performance.now();
      await engine.sweep();
      timing.sweepMs += performance.now() - sweepStarted;
      timing.sweeps++;
      onWindow?.(sealedUntil);
    }
  }
  return timing;
}

function createSeries(engine: StorageEngine, count: number, name: (i: number) => string): Uint32Array {
  const ids = new Uint32Array(count);
  for (let i = 0; i < count; i++) ids[i] = engine.seriesId(name(i));
  return ids;
}

interface DiskBreakdown {
  /** Chunk value bytes and points per archive step. */
  byStep: Map<number, { bytes: number; chunks: number; keys: number }>;
  /** Finest-archive chunk bytes per value kind. */
  finestBytesByKind: number[];
  /** Rollup (coarser archive) chunk bytes per value kind. */
  rollupBytesByKind: number[];
}

/** Compacts the store's LevelDB and sums its chunk values per archive and per value kind. */
async function compactAndInspect(dbDir: string, finestStep: number): Promise<DiskBreakdown> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dbDir, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  await db.compactRange(Uint8Array.of(0), Uint8Array.of(0xff));
  const kindOf = new Map<number, number>();
  const noteKind = (id: number, record: Uint8Array): void => {
    // The name, without the layout spec that follows it after a 0xff byte.
    const separator = record.indexOf(0xff);
    const name = Buffer.from(separator < 0 ? record : record.subarray(0, separator)).toString('utf8');
    const i = Number(/_(\d+)(\.\w+)?$/.exec(name)?.[1] ?? -1);
    kindOf.set(id, i >= 0 ? i % VALUE_KINDS.length : -1);
  };
  for await (const [, block] of db.iterator({ gte: Uint8Array.of(KeyPrefix.seriesBlock), lt: Uint8Array.of(KeyPrefix.seriesBlock + 1) })) {
    eachSeriesInBlock(block, (id, start, end) => noteKind(id, block.subarray(start, end)));
  }
  for await (const [key, value] of db.iterator({ gte: Uint8Array.of(KeyPrefix.series), lt: Uint8Array.of(KeyPrefix.series + 1) })) {
    if (value.length > 0) noteKind(new DataView(key.buffer, key.byteOffset).getUint32(1), value);
  }
  const byStep = new Map<number, { bytes: number; chunks: number; keys: number }>();
  const finestBytesByKind = VALUE_KINDS.map(() => 0);
  const rollupBytesByKind = VALUE_KINDS.map(() => 0);
  for await (const [key, value] of db.iterator({ gte: Uint8Array.of(KeyPrefix.chunk), lt: Uint8Array.of(KeyPrefix.chunk + 1) })) {
    const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
    const step = view.getUint32(5);
    let entry = byStep.get(step);
    if (!entry) byStep.set(step, (entry = { bytes: 0, chunks: 0, keys: 0 }));
    entry.bytes += value.byteLength;
    entry.keys += key.byteLength;
    entry.chunks++;
    const kind = kindOf.get(view.getUint32(1)) ?? -1;
    if (kind >= 0) (step === finestStep ? finestBytesByKind : rollupBytesByKind)[kind] += value.byteLength;
  }
  await db.close();
  return { byStep, finestBytesByKind, rollupBytesByKind };
}

// ---- (a) bytes per point, and (d) memory per series and per chunk ---------------------------

/** Least-squares line through (x, y). */
function linearFit(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  return { slope, intercept: my - slope * mx };
}

interface MemoryModel {
  rssPerSeries: number;
  rssPerChunk: number;
  fixedRss: number;
  ringBytesPerPoint: number;
}

async function bytesPerPoint(): Promise<MemoryModel> {
  const { bytesSeries: series, bytesDays: days } = sizes;
  console.log(`\n(a) bytes per point: ${fmt(series)} series x ${days} d of 10 s data (${VALUE_KINDS.join(', ')}; one kind per series in turn)`);
  const dataDir = join(workDir, 'bytes');
  const clock = new FakeClock();
  const from = EPOCH_END - days * DAY;
  clock.seconds = from;
  const rssBefore = settledRss();
  const engine = await openEngine(dataDir, clock);
  const rssOpened = settledRss();
  const ids = createSeries(engine, series, statsdSeriesName);
  const values = new StatsdValues(series, 7);
  const rssSeries = settledRss();
  // RSS against sealed chunks over the second half: the slope is what one ring chunk costs.
  const halfway = from + (days * DAY) / 2;
  const samples: { chunks: number; rss: number }[] = [];
  let windows = 0;
  const started = performance.now();
  const timing = await writeHistory(engine, clock, ids, values, from, EPOCH_END, (sealedUntil) => {
    if (sealedUntil >= halfway && windows++ % 4 === 0) samples.push({ chunks: engine.stats.sealedChunks, rss: settledRss() });
  });
  clock.seconds = EPOCH_END + WINDOW + GRACE;
  const sweepStarted = performance.now();
  await engine.sweep();
  timing.sweepMs += performance.now() - sweepStarted;
  const wallMs = performance.now() - started;
  const rssEnd = settledRss();
  const { hotBytes, headBytes, sealedChunks, rollupChunks } = engine.stats;
  const memory = process.memoryUsage();
  await engine.close();

  const points = timing.points;
  console.log(
    table(
      ['points', 'append pts/s', 'append+sweep pts/s', 'sweeps', 'sweep ms each', 'sealed chunks', 'rollup chunks'],
      [
        [
          fmt(points),
          fmt(points / (timing.appendMs / 1000)),
          fmt(points / (wallMs / 1000)),
          fmt(timing.sweeps),
          fmt(timing.sweepMs / timing.sweeps, 1),
          fmt(sealedChunks),
          fmt(rollupChunks),
        ],
      ],
    ),
  );

  const dbDir = join(dataDir, 'db');
  const diskBefore = directoryBytes(dbDir);
  const disk = await compactAndInspect(dbDir, STEP);
  const diskAfter = directoryBytes(dbDir);
  const finest = disk.byStep.get(STEP)!;
  const rollups = [...disk.byStep.entries()].filter(([step]) => step !== STEP);
  const rollupBytes = rollups.reduce((sum, [, e]) => sum + e.bytes, 0);

  samples.push({ chunks: sealedChunks, rss: rssEnd });
  const { slope: chunkRss, intercept } = linearFit(samples.map((s) => s.chunks), samples.map((s) => s.rss));
  // Names in the index and the policy cache, plus the head's two open windows.
  const perSeriesRss = (rssSeries - rssOpened + headBytes) / series;
  // What the line leaves unexplained at zero chunks: LevelDB caches, engine buffers, fragmentation.
  const fixedRss = intercept - rssBefore - perSeriesRss * series;
  console.log(
    table(
      ['what', 'bytes', 'bytes/point', 'note'],
      [
        ['ring (stats.hotBytes)', fmt(hotBytes), fmt(hotBytes / points, 3), 'chunk payload only'],
        ['ring in RSS (RSS slope x chunks)', fmt(chunkRss * sealedChunks), fmt((chunkRss * sealedChunks) / points, 3), `${fmt(chunkRss)} B per sealed chunk of ${POINTS_PER_CHUNK} points (${samples.length} samples)`],
        ['RSS growth, whole store', fmt(rssEnd - rssBefore), fmt((rssEnd - rssBefore) / points, 3), `head ${mb(headBytes)} MB; arrayBuffers ${mb(memory.arrayBuffers)}, heap used ${mb(memory.heapUsed)} of ${mb(memory.heapTotal)} MB`],
        ['disk: 10 s chunk values', fmt(finest.bytes), fmt(finest.bytes / points, 3), `${fmt(finest.chunks)} chunks, keys ${fmt(finest.keys / finest.chunks, 0)} B each`],
        ['disk: rollup chunk values', fmt(rollupBytes), fmt(rollupBytes / points, 3), rollups.map(([step, e]) => `${step}s: ${fmt(e.chunks)} chunks`).join(', ')],
        ['disk: db dir before compaction', fmt(diskBefore), fmt(diskBefore / points, 3), 'LevelDB files, all archives'],
        ['disk: db dir after compactRange', fmt(diskAfter), fmt(diskAfter / points, 3), 'LevelDB files, all archives'],
      ],
    ),
  );
  const perKind = points / VALUE_KINDS.length;
  console.log(
    table(
      ['value kind', 'chunk bytes/point', 'rollup bytes/point'],
      VALUE_KINDS.map((kind, k) => [kind, fmt(disk.finestBytesByKind[k] / perKind, 3), fmt(disk.rollupBytesByKind[k] / perKind, 3)]),
    ),
  );
  rmSync(dataDir, { recursive: true, force: true });
  return { rssPerSeries: perSeriesRss, rssPerChunk: chunkRss, fixedRss, ringBytesPerPoint: hotBytes / points };
}

// ---- (b) read latency -------------------------------------------------------------------------

const RANGES = [
  { label: '1 h', seconds: HOUR, archive: '10 s' },
  { label: '24 h', seconds: DAY, archive: '10 s' },
  { label: '7 d', seconds: 7 * DAY, archive: '10 s' },
  { label: '30 d', seconds: 30 * DAY, archive: '1 m' },
];

interface Latency {
  p50: number;
  p99: number;
  calls: number;
  points: number;
}

/** Times read() calls over [now - range, now) for `perCall` series each, for at most `budgetMs`. */
async function timeReads(engine: StorageEngine, names: readonly string[], perCall: number, range: number, now: number, budgetMs: number): Promise<Latency> {
  const samples: number[] = [];
  let points = 0;
  let cursor = 0;
  const deadline = performance.now() + budgetMs;
  const maxCalls = perCall === 1 ? 400 : 60;
  while (samples.length < 5 || (samples.length < maxCalls && performance.now() < deadline)) {
    const wanted: string[] = [];
    for (let i = 0; i < perCall; i++) wanted.push(names[cursor++ % names.length]);
    const started = performance.now();
    const result = await engine.read(wanted, now - range, now);
    samples.push(performance.now() - started);
    for (const r of result) for (const v of r.values) if (v === v) points++;
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), calls: samples.length, points: points / samples.length / perCall };
}

async function readLatency(): Promise<void> {
  const { readSeries: series, readDays: days } = sizes;
  console.log(`\n(b) read latency: ${fmt(series)} series x ${days} d of 10 s data (10s:7d,1m:30d,10m:5y), clock at the newest point`);
  const dataDir = join(workDir, 'read');
  const clock = new FakeClock();
  const from = EPOCH_END - days * DAY;
  clock.seconds = from;
  const engine = await openEngine(dataDir, clock);
  const names = Array.from({ length: series }, (_, i) => statsdSeriesName(i));
  const ids = createSeries(engine, series, (i) => names[i]);
  const started = performance.now();
  const timing = await writeHistory(engine, clock, ids, new StatsdValues(series, 11), from, EPOCH_END);
  console.log(`  wrote ${fmt(timing.points)} points in ${fmt((performance.now() - started) / 1000, 1)} s (${timing.sweeps} sweeps, ${fmt(timing.sweepMs / timing.sweeps, 1)} ms each)`);
  const now = clock.seconds;
  const budgetMs = QUICK ? 400 : 1500;

  const rows: string[][] = [];
  const measure = async (tier: string, store: StorageEngine): Promise<void> => {
    for (const range of RANGES) {
      for (const perCall of [1, 100]) {
        const l = await timeReads(store, names, perCall, range.seconds, now, budgetMs);
        rows.push([tier, range.label, range.archive, String(perCall), fmt(l.p50, 2), fmt(l.p99, 2), fmt(l.calls), fmt(l.points)]);
      }
    }
  };
  await measure('ring + head', engine);
  await engine.close();
  // A reopened store has an empty ring: sealed windows come from LevelDB (OS page cache warm).
  const reopened = await openEngine(dataDir, clock);
  await measure('LevelDB', reopened);
  await reopened.close();
  console.log(table(['source', 'range', 'archive', 'series/call', 'p50 ms', 'p99 ms', 'calls', 'points/series'], rows));
  rmSync(dataDir, { recursive: true, force: true });
}

// ---- (c) restart --------------------------------------------------------------------------------

async function restart(): Promise<void> {
  const series = 10_000;
  const perSeries = Math.ceil(sizes.restartPoints / series);
  console.log(`\n(c) restart: ${fmt(series)} series x ${perSeries} points in the head (unsealed), close, reopen`);
  const dataDir = join(workDir, 'restart');
  const clock = new FakeClock();
  // Inside one window, so nothing is sealed and every point must come back from the WAL.
  const from = EPOCH_END - WINDOW;
  clock.seconds = from;
  const engine = await openEngine(dataDir, clock);
  const ids = createSeries(engine, series, (i) => `bench.restart.host_${i % 100}.metric_${i}`);
  const timing = await writeHistory(engine, clock, ids, new StatsdValues(series, 3), from, from + perSeries * STEP);
  const sealed = engine.stats.sealedChunks;
  const closeStarted = performance.now();
  await engine.close();
  const closeMs = performance.now() - closeStarted;
  const walBytes = directoryBytes(join(dataDir, 'wal'));

  const openStarted = performance.now();
  const reopened = await openEngine(dataDir, clock);
  const openMs = performance.now() - openStarted;
  const { replay } = reopened.stats;
  const [check] = await reopened.read([`bench.restart.host_1.metric_1`], from - STEP, clock.seconds + 1);
  const restored = check ? check.values.filter((v) => v === v).length : 0;
  await reopened.close();
  console.log(
    table(
      ['points', 'sealed', 'WAL bytes', 'close ms', 'open ms', 'replayed points', 'replay ms', 'replay pts/s', 'check series points'],
      [
        [
          fmt(timing.points),
          fmt(sealed),
          fmt(walBytes),
          fmt(closeMs, 1),
          fmt(openMs, 1),
          fmt(replay.points),
          fmt(replay.ms, 1),
          fmt(replay.points / (replay.ms / 1000)),
          `${restored}/${perSeries}`,
        ],
      ],
    ),
  );
  rmSync(dataDir, { recursive: true, force: true });
}

// ---- (d) memory --------------------------------------------------------------------------------

const MEASURED_MEMORY_SERIES = 1000;

interface MeasuredMemory {
  points: number;
  hotBytes: number;
  sealedChunks: number;
  rss: number;
  seconds: number;
}

/** In a process of its own, so that memory freed by earlier parts does not hide the growth. */
async function measureMemory(): Promise<MeasuredMemory> {
  const series = MEASURED_MEMORY_SERIES;
  const dataDir = join(workDir, 'memory');
  const clock = new FakeClock();
  const from = EPOCH_END - 7 * DAY;
  clock.seconds = from;
  const rssBefore = settledRss();
  const started = performance.now();
  const engine = await openEngine(dataDir, clock);
  const ids = createSeries(engine, series, statsdSeriesName);
  const timing = await writeHistory(engine, clock, ids, new StatsdValues(series, 5), from, EPOCH_END);
  const rss = settledRss() - rssBefore;
  const { hotBytes, sealedChunks } = engine.stats;
  await engine.close();
  return { points: timing.points, hotBytes, sealedChunks, rss, seconds: (performance.now() - started) / 1000 };
}

/** RSS of `series` x 7 d measured (full runs only), and 100k x 7 d projected from the (a) model. */
async function memoryProjection(model: MemoryModel): Promise<void> {
  const projectedSeries = 100_000;
  const windows7d = (7 * DAY) / WINDOW;
  let measured: string[][] = [];
  if (!QUICK) {
    const series = MEASURED_MEMORY_SERIES;
    console.log(`\n(d) memory: ${fmt(series)} series x 7 d of 10 s data, measured in a fresh process`);
    const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--measure-memory', workDir], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`memory child failed: ${child.stderr}`);
    const m = JSON.parse(child.stdout.trim().split('\n').pop()!) as MeasuredMemory;
    const modelled = model.fixedRss + series * model.rssPerSeries + m.sealedChunks * model.rssPerChunk;
    measured = [
      [`${fmt(series)} x 7 d, measured`, fmt(m.points), mb(m.hotBytes), mb(m.rss), `model from (a) says ${mb(modelled)} MB; write ${fmt(m.seconds, 1)} s`],
      [`${fmt(projectedSeries)} x 7 d, measured x ${projectedSeries / series}`, fmt((m.points * projectedSeries) / series), mb((m.hotBytes * projectedSeries) / series), mb((m.rss * projectedSeries) / series), 'scales fixed costs too'],
    ];
  }
  const chunks = projectedSeries * windows7d;
  const points = projectedSeries * 7 * 8640;
  const projected = model.fixedRss + projectedSeries * model.rssPerSeries + chunks * model.rssPerChunk;
  // The server caps the ring's payload (storage.hotBytes, 8 GiB by default): past it the oldest
  // windows are read from LevelDB. Ring RSS at the cap is the budget times RSS per payload byte.
  const serverBudget = 8 * 1024 ** 3;
  const payloadPerChunk = model.ringBytesPerPoint * POINTS_PER_CHUNK;
  const heldChunks = Math.min(chunks, serverBudget / payloadPerChunk);
  const cappedRss = model.fixedRss + projectedSeries * model.rssPerSeries + heldChunks * Math.max(model.rssPerChunk, payloadPerChunk);
  console.log(`\n(d) memory projection to ${fmt(projectedSeries)} series x 7 d (target: within 12 GB of RSS; not measured at that size)`);
  console.log(
    table(
      ['case', 'points', 'ring payload MB', 'RSS MB', 'how'],
      [
        ...measured,
        [
          `${fmt(projectedSeries)} x 7 d, model from (a)`,
          fmt(points),
          mb(model.ringBytesPerPoint * points),
          mb(projected),
          `${mb(model.fixedRss)} MB fixed + ${fmt(model.rssPerSeries)} B/series + ${fmt(model.rssPerChunk)} B/chunk x ${fmt(chunks)}`,
        ],
        [
          `${fmt(projectedSeries)} x 7 d, ring capped at 8 GiB`,
          fmt(points),
          mb(Math.min(model.ringBytesPerPoint * points, serverBudget)),
          mb(cappedRss),
          `as above with ${fmt(heldChunks)} chunks (${fmt((100 * heldChunks) / chunks, 0)}%) in the ring, the rest read from LevelDB`,
        ],
      ],
    ),
  );
  console.log('  (the ring budget counts the ring\'s slabs and location arrays; RSS per chunk is the larger of the measured slope and the payload)');
}

// ---- (e) new series ------------------------------------------------------------------------------

/**
 * A burst of series never seen before, a few points each (a new fleet, a renamed metric tree):
 * name lookup and registration, the WAL's name records, head blocks; then close (the names go to
 * LevelDB) and reopen (names loaded, head replayed from the WAL). Names are made per point, as a
 * parser hands them over.
 */
async function newSeries(): Promise<void> {
  const { newSeries: series } = sizes;
  const perSeries = 3;
  console.log(`\n(e) new series: ${fmt(series)} series never seen before x ${perSeries} points, in-process (no parsing)`);
  const dataDir = join(workDir, 'new-series');
  const clock = new FakeClock();
  const from = EPOCH_END - WINDOW / 2;
  clock.seconds = from + perSeries * STEP;
  const name = (i: number): string => `cb.host_${String(i % 100).padStart(2, '0')}.metric_${String(i).padStart(7, '0')}`;
  const rssBefore = settledRss();
  const engine = await openEngine(dataDir, clock);
  const batch = new PointBatchBuilder(POINTS_PER_APPEND);
  const passMs: number[] = [];
  for (let k = 0; k < perSeries; k++) {
    const started = performance.now();
    for (let i = 0; i < series; i++) {
      batch.push(engine.seriesId(name(i)), from + k * STEP, ((i * 31 + k * 17) % 1000) / 10);
      if (batch.length === POINTS_PER_APPEND) {
        engine.append(batch);
        batch.clear();
      }
    }
    engine.append(batch);
    batch.clear();
    passMs.push(performance.now() - started);
  }
  const rss = settledRss() - rssBefore;
  const closeStarted = performance.now();
  await engine.close();
  const closeMs = performance.now() - closeStarted;
  const openStarted = performance.now();
  const reopened = await openEngine(dataDir, clock);
  const openMs = performance.now() - openStarted;
  const replayMs = reopened.stats.replay.ms;
  const [check] = await reopened.read([name(series - 1)], from - STEP, clock.seconds + 1);
  const back = check ? check.values.filter((v) => v === v).length : 0;
  await reopened.close();
  const totalMs = passMs.reduce((a, b) => a + b, 0);
  console.log(
    table(
      ['points/s, all', '1st point (new) pts/s', 'later points pts/s', 'RSS MB', 'close ms', 'reopen ms', 'of which WAL replay ms', 'check'],
      [
        [
          fmt((series * perSeries) / (totalMs / 1000)),
          fmt(series / (passMs[0] / 1000)),
          fmt((series * (perSeries - 1)) / ((totalMs - passMs[0]) / 1000)),
          mb(rss),
          fmt(closeMs),
          fmt(openMs),
          fmt(replayMs),
          `${back}/${perSeries}`,
        ],
      ],
    ),
  );
  rmSync(dataDir, { recursive: true, force: true });
}

/** (f) Steady ingest: points of 10k known series at the current second, in batches, through append. */
async function steadyAppend(): Promise<void> {
  const dataDir = join(workDir, 'append');
  const clock = new FakeClock();
  clock.seconds = Math.floor(Date.now() / 1000);
  const engine = await openEngine(dataDir, clock);
  const series = 10_000;
  const ids = createSeries(engine, series, (i) => `web.pool${i % 100}.host${i}.qps`);
  const builder = new PointBatchBuilder(POINTS_PER_APPEND);
  let next = 0;
  const appendRound = (): void => {
    builder.clear();
    for (let i = 0; i < POINTS_PER_APPEND; i++) {
      builder.push(ids[next], clock.seconds, (next % 97) + 0.5);
      next = next + 1 === series ? 0 : next + 1;
    }
    engine.append(builder);
  };
  for (let r = 0; r < 200; r++) appendRound(); // warm-up: optimised code, every window open
  let collections = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) collections++;
  });
  observer.observe({ entryTypes: ['gc'] });
  const rounds = QUICK ? 500 : 2000;
  const cpuBefore = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    appendRound();
    if (r % 64 === 63) await new Promise((resolve) => setImmediate(resolve)); // let the WAL's writes and GC tasks run
  }
  const cpu = process.cpuUsage(cpuBefore);
  await new Promise((resolve) => setTimeout(resolve, 20)); // the last GC entries
  observer.disconnect();
  const points = rounds * POINTS_PER_APPEND;
  console.log(
    table(
      ['series', 'points', 'CPU ns/point (incl. building batches)', 'young-generation GCs', 'points per young GC'],
      [[fmt(series), fmt(points), fmt(((cpu.user + cpu.system) * 1000) / points), fmt(collections), collections === 0 ? 'none' : fmt(points / collections)]],
    ),
  );
  await engine.close();
  rmSync(dataDir, { recursive: true, force: true });
}

// ---- run --------------------------------------------------------------------------------------

if (MEMORY_CHILD) {
  console.log(JSON.stringify(await measureMemory()));
  process.exit(0);
}
console.log(`storage engine bench${QUICK ? ' (BENCH_QUICK)' : ''}; node ${process.version}; gc ${gc ? 'exposed' : 'not exposed (run with --expose-gc for steadier RSS)'}`);
const parts = process.env.BENCH_PARTS ?? 'abcdef';
if (parts.includes('a') || parts.includes('d')) {
  const memory = await bytesPerPoint();
  if (parts.includes('d')) await memoryProjection(memory);
}
if (parts.includes('b')) await readLatency();
if (parts.includes('c')) await restart();
if (parts.includes('e')) await newSeries();
if (parts.includes('f')) await steadyAppend();
process.exit(0);
