import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { PointBatchBuilder } from '../../src/points.js';
import { encodeChunk } from '../../src/store/chunk/index.js';
import { loadRetentionPolicy } from '../../src/store/retention/index.js';
import { StorageEngine, type StorageEngineOptions } from '../../src/store/storage-engine.js';
import { REJECTED_SERIES } from '../../src/store/series-store.js';
import { POINTS_PER_CHUNK } from '../../src/store/head.js';
import { blockOf } from '../support/name-blocks.js';

/** A test clock, in seconds, aligned to a 20-minute window boundary. */
class Clock {
  constructor(public t = 1_800_000_000 - (1_800_000_000 % 1200)) {}
  now = (): number => this.t;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'carbonado-engine-'));
}

async function openEngine(dataDir: string, clock: Clock, extra: Partial<StorageEngineOptions> = {}): Promise<StorageEngine> {
  return StorageEngine.open({ dataDir, policy: loadRetentionPolicy({}), now: clock.now, walSyncIntervalMs: 0, ...extra });
}

function write(engine: StorageEngine, points: [string, number, number][]): void {
  const batch = new PointBatchBuilder();
  for (const [name, ts, v] of points) batch.push(engine.seriesId(name), ts, v);
  engine.append(batch);
}

/** What kill -9 would leave on disk now: a copy of the data directory, taken while the engine is open. */
function crashCopy(dataDir: string): string {
  const copy = tempDir();
  cpSync(dataDir, copy, { recursive: true });
  return copy;
}

/** Checks `expect` on the open engine, then after a clean restart, then on `crashed` (a crashCopy taken earlier); closes each. */
async function expectAcrossRestart(engine: StorageEngine, dir: string, crashed: string, clock: Clock, expect: (e: StorageEngine) => Promise<void>): Promise<void> {
  for (const open of [async () => engine, () => openEngine(dir, clock), () => openEngine(crashed, clock)]) {
    const e = await open();
    await expect(e);
    await e.close();
  }
}

async function readOne(engine: StorageEngine, name: string, from: number, until: number) {
  const [range] = await engine.read([name], from, until);
  return range;
}

/** [timestamp, value] pairs of the non-null points. */
function points(range: { start: number; step: number; values: Float64Array }): [number, number][] {
  const out: [number, number][] = [];
  range.values.forEach((v, i) => {
    if (!Number.isNaN(v)) out.push([range.start + i * range.step, v]);
  });
  return out;
}

test('the newest point is readable at once, at the finest step, last write wins', async () => {
  const clock = new Clock();
  const engine = await openEngine(tempDir(), clock);
  const t0 = clock.t;
  clock.t += 100;
  write(engine, [['a.b', t0 + 10, 1], ['a.b', t0 + 20, 2], ['a.b', t0 + 25, 3], ['a.b', t0 + 90, 9]]);
  const range = await readOne(engine, 'a.b', t0, clock.t);
  assert.equal(range.step, 10);
  assert.equal(range.start, t0 + 10);
  assert.deepEqual(points(range), [[t0 + 10, 1], [t0 + 20, 3], [t0 + 90, 9]]);
  assert.deepEqual(await engine.read(['no.such'], t0, clock.t), []);
  await engine.close();
});

test('sealed chunks land in LevelDB and survive a restart; the head survives through the WAL', async () => {
  const dir = tempDir();
  const clock = new Clock();
  const t0 = clock.t;
  let engine = await openEngine(dir, clock);
  const batch: [string, number, number][] = [];
  for (let i = 0; i < 360; i++) batch.push(['s.sealed', t0 + i * 10, i * 1.5], ['s.other', t0 + i * 10, i % 7]);
  clock.t = t0 + 3600;
  write(engine, batch);
  clock.t = t0 + 3600 + 120;
  await engine.sweep();
  assert.ok(engine.stats.sealedChunks >= 4, `sealed ${engine.stats.sealedChunks}`);
  write(engine, [['s.sealed', t0 + 3600, 42]]); // in the open head, only in the WAL
  await engine.close();

  engine = await openEngine(dir, clock);
  assert.ok(engine.stats.replay.points > 0);
  const range = await readOne(engine, 's.sealed', t0 - 1, t0 + 3610);
  const got = points(range);
  assert.equal(got.length, 361);
  assert.deepEqual(got[0], [t0, 0]);
  assert.deepEqual(got[359], [t0 + 3590, 359 * 1.5]);
  assert.deepEqual(got[360], [t0 + 3600, 42]);
  assert.equal(points(await readOne(engine, 's.other', t0 - 1, t0 + 3600)).length, 360);
  await engine.close();
});

test('a late point is merged into its sealed chunk', async () => {
  const clock = new Clock();
  const t0 = clock.t;
  const engine = await openEngine(tempDir(), clock);
  write(engine, [['late.x', t0, 1], ['late.x', t0 + 20, 3]]);
  clock.t = t0 + 1200 + 120;
  await engine.sweep();
  write(engine, [['late.x', t0 + 10, 2], ['late.x', t0 + 20, 30]]);
  await engine.sweep();
  assert.deepEqual(points(await readOne(engine, 'late.x', t0 - 1, t0 + 100)), [[t0, 1], [t0 + 10, 2], [t0 + 20, 30]]);
  assert.equal(engine.stats.latePoints, 2);
  await engine.close();
});

test('rollups follow the series aggregation method, and coarse reads pick the coarser archive', async () => {
  const clock = new Clock();
  const t0 = clock.t;
  const engine = await openEngine(tempDir(), clock);
  await engine.sweep(); // the rollup watermarks start here
  const batch: [string, number, number][] = [];
  for (let i = 0; i < 720; i++) {
    batch.push(['r.latency', t0 + i * 10, i % 6]); // average 2.5 per minute
    batch.push(['stats.counters.r.count', t0 + i * 10, 1]); // sum 6 per minute
    batch.push(['r.upper', t0 + i * 10, i % 6]); // max 5 per minute
  }
  clock.t = t0 + 7200;
  write(engine, batch);
  clock.t = t0 + 7200 + 120;
  await engine.sweep();
  assert.ok(engine.stats.rollupChunks >= 3, `rollup chunks ${engine.stats.rollupChunks}`);
  // 8 days back: past the 7-day 10 s archive, so the 1-minute archive answers.
  const from = clock.t - 8 * 86400;
  for (const [name, expected] of [['r.latency', 2.5], ['stats.counters.r.count', 6], ['r.upper', 5]] as const) {
    const range = await readOne(engine, name, from, clock.t);
    assert.equal(range.step, 60, name);
    const got = points(range);
    assert.equal(got.length, 120, name);
    assert.ok(got.every(([, v]) => v === expected), `${name}: ${JSON.stringify(got.slice(0, 3))}`);
  }
  await engine.close();
});

test('too old, future and non-finite points are counted and dropped; the series limit refuses new names', async () => {
  const clock = new Clock();
  const engine = await openEngine(tempDir(), clock, { maxSeries: 2 });
  write(engine, [['d.a', clock.t - 6 * 365 * 86400, 1], ['d.a', clock.t + 86400, 1], ['d.b', clock.t, NaN], ['d.b', clock.t, Infinity]]);
  assert.equal(engine.stats.droppedTooOld, 1);
  assert.equal(engine.stats.droppedFuture, 1);
  assert.equal(engine.stats.droppedInvalid, 2);
  assert.equal(engine.seriesId('d.c'), REJECTED_SERIES);
  assert.equal(engine.stats.droppedSeriesLimit, 1);
  await engine.close();
});

test('a point older than the finest archive goes straight into the archive that covers it', async () => {
  const clock = new Clock();
  const engine = await openEngine(tempDir(), clock);
  const old = clock.t - 10 * 86400; // only the 1-minute archive (30 d) covers it
  write(engine, [['o.x', old, 7]]);
  await engine.sweep();
  const range = await readOne(engine, 'o.x', old - 60, old + 60);
  assert.equal(range.step, 60);
  assert.deepEqual(points(range), [[old - (old % 60), 7]]);
  await engine.close();
});

test('a custom schema decides the step; deleting a series removes it', async () => {
  const dir = tempDir();
  const schemas = join(dir, 'schemas.conf');
  writeFileSync(schemas, '[fast]\npattern = ^fast\\.\nretentions = 1s:1h,1m:1d\n\n[default]\npattern = .*\nretentions = 10s:7d\n');
  const clock = new Clock();
  const engine = await StorageEngine.open({ dataDir: dir, policy: loadRetentionPolicy({ schemasPath: schemas }), now: clock.now, walSyncIntervalMs: 0 });
  write(engine, [['fast.x', clock.t - 5, 1], ['fast.x', clock.t - 4, 2], ['slow.x', clock.t - 5, 1]]);
  assert.equal((await readOne(engine, 'fast.x', clock.t - 10, clock.t)).step, 1);
  assert.equal((await readOne(engine, 'slow.x', clock.t - 10, clock.t)).step, 10);
  assert.equal(await engine.deleteSeries(['fast.x', 'nope']), 1);
  assert.deepEqual(await engine.read(['fast.x'], clock.t - 10, clock.t), []);
  assert.deepEqual([...engine.names()], ['slow.x']);
  await engine.close();
});

test('a range shorter than one step still returns the next point, as whisper does', async () => {
  const clock = new Clock();
  const engine = await openEngine(tempDir(), clock);
  const t0 = clock.t;
  clock.t += 100;
  write(engine, [['z.x', t0 + 10, 42]]);
  const range = await readOne(engine, 'z.x', t0 + 1, t0 + 5);
  assert.deepEqual([range.start, range.end, [...range.values]], [t0 + 10, t0 + 20, [42]]);
  assert.deepEqual(await engine.read(['z.x'], clock.t + 10, clock.t + 20), [], 'wholly in the future');
  await engine.close();
});

test('a late point is rolled up through every coarser archive', async () => {
  const clock = new Clock();
  const engine = await openEngine(tempDir(), clock);
  clock.t += 86400;
  const batch: [string, number, number][] = [];
  for (let t = clock.t - 86400; t < clock.t; t += 10) batch.push(['cascade.x', t, 1]);
  write(engine, batch);
  clock.t += 7200;
  await engine.sweep();
  const late = clock.t - 50_000 - ((clock.t - 50_000) % 600);
  write(engine, [['cascade.x', late, 1001]]);
  await engine.sweep();
  const minute = await readOne(engine, 'cascade.x', clock.t - 8 * 86400, clock.t);
  assert.equal(minute.step, 60);
  assert.equal(minute.values[(late - minute.start) / 60], (1001 + 5) / 6);
  const tenMinutes = await readOne(engine, 'cascade.x', clock.t - 40 * 86400, clock.t);
  assert.equal(tenMinutes.step, 600);
  assert.ok(Math.abs(tenMinutes.values[(late - tenMinutes.start) / 600] - (1000 / 60 + 1)) < 1e-9);
  await engine.close();
});

test('after storage-schemas.conf changes, old data is read through its own layout and new data follows the new one', async () => {
  const dir = tempDir();
  const schemas = join(dir, 'schemas.conf');
  writeFileSync(schemas, '[all]\npattern = .*\nretentions = 10s:7d\n');
  const clock = new Clock();
  const t0 = clock.t;
  let engine = await StorageEngine.open({ dataDir: dir, policy: loadRetentionPolicy({ schemasPath: schemas }), now: clock.now, walSyncIntervalMs: 0 });
  const batch: [string, number, number][] = [];
  for (let i = 0; i < 120; i++) batch.push(['change.x', t0 + i * 10, i % 6]); // 20 minutes, minute averages 2.5
  clock.t = t0 + 1200;
  write(engine, batch);
  clock.t = t0 + 1200 + 120;
  await engine.sweep();
  await engine.close();

  writeFileSync(schemas, '[all]\npattern = .*\nretentions = 1m:7d\n');
  engine = await StorageEngine.open({ dataDir: dir, policy: loadRetentionPolicy({ schemasPath: schemas }), now: clock.now, walSyncIntervalMs: 0 });
  write(engine, [['change.x', clock.t - 30, 99]]);
  const range = await readOne(engine, 'change.x', t0 - 1, clock.t);
  assert.equal(range.step, 60);
  const got = points(range);
  assert.equal(got.length, 21);
  assert.ok(got.slice(0, 20).every(([, v]) => v === 2.5), JSON.stringify(got.slice(0, 3)));
  assert.deepEqual(got[20], [clock.t - 60, 99]);
  await engine.close();
});

test('a sweep that seals nothing logs nothing again, and the head still survives kill -9 after it', async () => {
  const dir = tempDir();
  const clock = new Clock();
  const t0 = clock.t;
  clock.t = t0 + 100; // a fresh store's first sweep: a seal mark to set, no window ended
  const engine = await openEngine(dir, clock);
  write(engine, [['idle.a', t0 + 10, 1], ['idle.b', t0 + 20, 2]]);
  const wal = engine['wal'];
  const logPoints = wal.logPoints.bind(wal);
  let relogged = 0;
  wal.logPoints = (batch) => {
    relogged += batch.length;
    logPoints(batch);
  };
  await engine.sweep();
  assert.equal(relogged, 0, 'the head was logged again by a sweep that sealed nothing');
  const copy = crashCopy(dir);
  await engine.close();
  const reopened = await openEngine(copy, clock);
  assert.deepEqual(points(await readOne(reopened, 'idle.a', t0, clock.t)), [[t0 + 10, 1]]);
  assert.deepEqual(points(await readOne(reopened, 'idle.b', t0, clock.t)), [[t0 + 20, 2]]);
  await reopened.close();
});

test('late points alone (a backfill that seals nothing) still let the WAL be trimmed, and survive kill -9 after it', async () => {
  const dir = tempDir();
  const clock = new Clock();
  const t0 = clock.t;
  clock.t = t0 + 100;
  const engine = await openEngine(dir, clock);
  write(engine, [['bf.old', t0 - 1200, 0]]);
  await engine.sweep(); // seals that window: the rest of it is late
  const backfill: [string, number, number][] = [];
  for (let i = 1; i < 120; i++) backfill.push(['bf.old', t0 - 1200 + i * 10, i]);
  write(engine, backfill);
  clock.t = t0 + 1200 + 100;
  write(engine, [['bf.live', t0 + 1200 + 50, 5]]); // the head holds a window that has not ended
  const sealed = engine.stats.sealedChunks;
  await engine.sweep(); // a window ended, nothing in the head to seal
  assert.equal(engine.stats.sealedChunks, sealed);
  assert.equal(engine.stats.latePoints, 119);
  const copy = crashCopy(dir);
  await engine.close();
  const reopened = await openEngine(copy, clock);
  assert.equal(reopened.stats.replay.points, 1, 'the log still held the merged late points');
  assert.equal(points(await readOne(reopened, 'bf.old', t0 - 1201, t0)).length, 120);
  assert.deepEqual(points(await readOne(reopened, 'bf.live', t0 + 1200, clock.t)), [[t0 + 1250, 5]]);
  await reopened.close();
});

test('an idle store does not pile up WAL segments, one per ended window', async () => {
  const dir = tempDir();
  const clock = new Clock();
  const engine = await openEngine(dir, clock);
  write(engine, [['idle.x', clock.t + 10, 1]]); // one point, then nothing
  for (let i = 0; i < 6; i++) {
    clock.t += 1200;
    await engine.sweep();
  }
  const segments = readdirSync(join(dir, 'wal')).filter((f) => f.endsWith('.wal'));
  assert.ok(segments.length <= 2, `${segments.length} segments: ${segments.join(' ')}`);
  await engine.close();
});

test('a sealing round\'s worth of LevelDB writes (8 MB) stays in one memtable instead of flushing a table per 4 MB', async () => {
  const dir = tempDir();
  const engine = await openEngine(dir, new Clock());
  const db = engine['db'];
  const value = new Uint8Array(400).fill(7);
  for (let id = 0; id < 20_000; id += 500) {
    await db.batch(Array.from({ length: 500 }, (_, i) => ({ type: 'put' as const, key: Uint8Array.of(0xfe, id >> 8, id, i >> 8, i), value })));
  }
  // A full memtable is flushed on LevelDB's own thread: given time to.
  await new Promise((resolve) => setTimeout(resolve, 500));
  // At any level: a table overlapping nothing goes straight to level 2.
  assert.deepEqual(readdirSync(join(dir, 'db')).filter((f) => f.endsWith('.ldb')), []);
  await engine.close();
});

test('a window force-sealed while a sweep rolls up survives kill -9 after the WAL checkpoint', async () => {
  const dir = tempDir();
  const clock = new Clock();
  const t0 = clock.t;
  clock.t = t0 + 1800;
  const engine = await openEngine(dir, clock, { sealGraceSeconds: 1200 });
  write(engine, [['fs.x', t0 + 10, 1], ['fs.x', t0 + 20, 2]]);
  // Ingest runs while the sweep awaits between writing sealed chunks and trimming the WAL; expiry is
  // one of those awaits. A point two windows ahead seals t0's window on the spot.
  const expire = engine['expire'].bind(engine);
  engine['expire'] = async (now: number) => {
    write(engine, [['fs.x', t0 + 2400, 3]]);
    return expire(now);
  };
  await engine.sweep();
  const copy = crashCopy(dir);
  await engine.close();
  clock.t = t0 + 2500;
  const reopened = await openEngine(copy, clock, { sealGraceSeconds: 1200 });
  await reopened.sweep(); // replayed points for a sealed window are merged by the write queue
  assert.deepEqual(points(await readOne(reopened, 'fs.x', t0 - 1, t0 + 2410)), [[t0 + 10, 1], [t0 + 20, 2], [t0 + 2400, 3]]);
  await reopened.close();
});

test('a window ingest seals while the WAL checkpoint is part way survives kill -9 after the checkpoint', async () => {
  const dir = tempDir();
  const clock = new Clock();
  const t0 = clock.t;
  clock.t = t0 + 3100; // the sweep seals t0's window; t0 + 1200's stays in the head
  const engine = await openEngine(dir, clock, { sealGraceSeconds: 1200 });
  const names = Array.from({ length: 200 }, (_, i) => `cp.s${String(i).padStart(3, '0')}`);
  const head: [string, number, number][] = [];
  for (const name of names) {
    head.push([name, t0 + 10, 1]);
    for (let slot = 0; slot < 100; slot++) head.push([name, t0 + 1200 + slot * 10, slot]);
  }
  write(engine, head);
  // The checkpoint logs the head in frames; when it writes its first one, ingest seals the head
  // window of the last series (a point two windows ahead), before the checkpoint reached them.
  const wal = engine['wal'];
  const logPoints = wal.logPoints.bind(wal);
  let injected = false;
  wal.logPoints = (batch) => {
    logPoints(batch);
    if (injected || batch.length < 16_384) return;
    injected = true;
    write(engine, names.slice(-5).map((name): [string, number, number] => [name, t0 + 3610, 7]));
  };
  await engine.sweep();
  assert.ok(injected, 'the checkpoint wrote more than one frame');
  const copy = crashCopy(dir);
  await engine.close();
  clock.t = t0 + 3700; // reads stop at now
  const reopened = await openEngine(copy, clock, { sealGraceSeconds: 1200 });
  await reopened.sweep();
  const expected: [number, number][] = [[t0 + 10, 1], ...Array.from({ length: 100 }, (_, slot): [number, number] => [t0 + 1200 + slot * 10, slot]), [t0 + 3610, 7]];
  assert.deepEqual(points(await readOne(reopened, names[199], t0 - 1, t0 + 3700)), expected);
  await reopened.close();
});

test('a point for a window the running sweep already sealed is merged into its chunk, not reopened in the head', async () => {
  const clock = new Clock();
  const t0 = clock.t;
  const dir = tempDir();
  const engine = await openEngine(dir, clock);
  // Many series: the point below arrives while the sweep runs, after its pass sealed many.s0.
  for (let i = 0; i < 4100; i++) engine.seriesId(`many.s${i}`);
  write(engine, [['many.s0', t0 + 10, 1]]);
  clock.t = t0 + 1200 + 120;
  const sweep = engine.sweep();
  write(engine, [['many.s0', t0 + 20, 2]]);
  await sweep;
  assert.deepEqual(points(await readOne(engine, 'many.s0', t0 - 1, t0 + 100)), [[t0 + 10, 1], [t0 + 20, 2]]);
  clock.t += 1200;
  await engine.sweep();
  assert.deepEqual(points(await readOne(engine, 'many.s0', t0 - 1, t0 + 100)), [[t0 + 10, 1], [t0 + 20, 2]]);
  await engine.close();
  const reopened = await openEngine(dir, clock); // the hot ring is empty: LevelDB answers
  assert.deepEqual(points(await readOne(reopened, 'many.s0', t0 - 1, t0 + 100)), [[t0 + 10, 1], [t0 + 20, 2]]);
  await reopened.close();
});

test('a late point for a force-sealed window not yet on disk and gone from the hot ring is kept', async () => {
  const clock = new Clock();
  const t0 = clock.t;
  clock.t = t0 + 3600 + 100;
  const engine = await openEngine(tempDir(), clock, { hotBudgetBytes: 1 });
  // A backfill before the first sweep: each window two ahead seals the one before it on the spot.
  const backfill: [string, number, number][] = [];
  for (let t = t0; t < t0 + 3700; t += 10) backfill.push(['bf.x', t, 1]);
  write(engine, backfill);
  write(engine, [['bf.x', t0 + 20, 5]]); // late: t0's window is sealed, its chunk waits for the next sweep
  await engine.sweep();
  assert.deepEqual(points(await readOne(engine, 'bf.x', t0 - 1, t0 + 30)), [[t0, 1], [t0 + 10, 1], [t0 + 20, 5], [t0 + 30, 1]]);
  await engine.close();
});

test('a deleted series stays deleted across a restart', async () => {
  const dir = tempDir();
  const clock = new Clock();
  let engine = await openEngine(dir, clock);
  write(engine, [['del.x', clock.t - 20, 1], ['keep.x', clock.t - 20, 2]]);
  assert.equal(await engine.deleteSeries(['del.x']), 1);
  await engine.close();
  engine = await openEngine(dir, clock);
  assert.deepEqual([...engine.names()], ['keep.x']);
  assert.deepEqual(await engine.read(['del.x'], clock.t - 60, clock.t), []);
  await engine.close();
});

test('a deleted series written again comes back under its old id, without its deleted data', async () => {
  const clock = new Clock();
  const engine = await openEngine(tempDir(), clock);
  const t0 = clock.t;
  clock.t += 100;
  const id = engine.seriesId('revive.x');
  write(engine, [['revive.x', t0 + 10, 1]]);
  assert.equal(await engine.deleteSeries(['revive.x']), 1);
  // A writer that resolved the id before the deletion (as a StatsD flush does) keeps using it.
  const batch = new PointBatchBuilder();
  batch.push(id, t0 + 20, 2);
  engine.append(batch);
  assert.equal(engine.seriesId('revive.x'), id);
  assert.deepEqual(points(await readOne(engine, 'revive.x', t0, clock.t)), [[t0 + 20, 2]]);
  assert.deepEqual([...engine.names()], ['revive.x']);
  await engine.close();
});

test('a store written with 0x04 layouts records for every series (before layouts went inline) opens, layout changes included', async () => {
  const dir = tempDir();
  const clock = new Clock();
  const t0 = clock.t;
  const db = new ClassicLevel<Uint8Array, Uint8Array>(join(dir, 'db'), { keyEncoding: 'view', valueEncoding: 'view' });
  const key = (prefix: number, id: number, ...rest: number[]): Uint8Array => {
    const bytes = new Uint8Array(5 + rest.length * 4);
    const view = new DataView(bytes.buffer);
    bytes[0] = prefix;
    view.setUint32(1, id);
    rest.forEach((n, i) => view.setUint32(5 + i * 4, n));
    return bytes;
  };
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  const ts = Uint32Array.from({ length: 6 }, (_, i) => t0 - 1200 + i * 10);
  await db.batch([
    { type: 'put', key: key(1, 0), value: text('old.same') },
    { type: 'put', key: key(4, 0), value: text('{"current":"10:60480,60:43200,600:262800","earlier":[]}') },
    { type: 'put', key: key(1, 1), value: text('old.changed') },
    { type: 'put', key: key(4, 1), value: text('{"current":"1:3600","earlier":[]}') },
    { type: 'put', key: key(2, 1, 1, t0 - 1200), value: encodeChunk(ts, Float64Array.of(1, 2, 3, 4, 5, 6), 0, 6) },
  ]);
  await db.close();
  let engine = await openEngine(dir, clock);
  write(engine, [['old.same', t0 + 10, 7], ['new.one', t0 + 10, 8]]);
  assert.deepEqual(points(await readOne(engine, 'old.changed', t0 - 1210, t0 - 1140)).map(([, v]) => v), [1, 2, 3, 4, 5, 6]);
  clock.t = t0 + 1200 + 120;
  await engine.sweep();
  await engine.close();
  engine = await openEngine(dir, clock);
  assert.equal(engine.seriesCount(), 3);
  assert.deepEqual(points(await readOne(engine, 'old.same', t0, t0 + 20)), [[t0 + 10, 7]]);
  assert.deepEqual(points(await readOne(engine, 'new.one', t0, t0 + 20)), [[t0 + 10, 8]]);
  // The changed series keeps reading its 1 s chunk through the earlier layout, across restarts.
  assert.deepEqual(points(await readOne(engine, 'old.changed', t0 - 1210, t0 - 1140)).map(([, v]) => v), [1, 2, 3, 4, 5, 6]);
  await engine.close();
});

test('new series stored in blocks survive a restart and a kill -9; one deleted from its block stays deleted, and comes back when written again', async () => {
  const dir = tempDir();
  const clock = new Clock();
  const t0 = clock.t;
  let engine = await openEngine(dir, clock);
  const names = Array.from({ length: 2500 }, (_, i) => `blk.h${i % 7}.m${i}`);
  write(engine, names.map((name, i) => [name, t0 - 20, i]));
  await engine.sweep(); // writes the new series' records: three blocks of up to 1,024
  const crashed = crashCopy(dir);
  assert.equal(await engine.deleteSeries([names[0], names[1]]), 2);
  // Revived in the same run under its old id: its record supersedes the deletion's.
  write(engine, [[names[1], t0 - 10, -1]]);
  // Seals and checkpoints the WAL: from here on the deletion is known from LevelDB alone.
  clock.t = t0 + 1200 + 120;
  await engine.sweep();
  await engine.close();

  engine = await openEngine(dir, clock);
  assert.equal(engine.seriesCount(), names.length - 1);
  assert.deepEqual(engine.match(names[0]), []);
  assert.deepEqual(points(await readOne(engine, names[1], t0 - 60, t0)), [[t0 - 10, -1]]);
  assert.deepEqual(points(await readOne(engine, names[2499], t0 - 60, t0)), [[t0 - 20, 2499]]);
  write(engine, [[names[0], clock.t - 10, 5]]);
  await engine.close();

  engine = await openEngine(dir, clock);
  assert.equal(engine.seriesCount(), names.length);
  assert.deepEqual(points(await readOne(engine, names[0], t0 - 60, clock.t)), [[clock.t - 10, 5]]);
  await engine.close();

  engine = await openEngine(crashed, clock);
  assert.equal(engine.seriesCount(), names.length);
  assert.deepEqual(points(await readOne(engine, names[1000], t0 - 60, t0)), [[t0 - 20, 1000]]);
  await engine.close();
});

test('new series names, ASCII or not, come back from LevelDB series blocks after a restart without the WAL', async () => {
  const dir = tempDir();
  const clock = new Clock();
  const engine = await openEngine(dir, clock);
  const names = ['plain.ascii.name', 'ünïcode.näme', 'x.日本.y', 'tagged.name;env=prød'];
  write(engine, names.map((name, i) => [name, clock.t, i]));
  await engine.sweep(); // writes the new series to LevelDB
  await engine.close();
  // Without the WAL the names can only come from the series records.
  rmSync(join(dir, 'wal'), { recursive: true, force: true });
  const again = await openEngine(dir, clock);
  assert.deepEqual([...again.names()], names);
  await again.close();
});

test('a sweep creates the whole-window head blocks that steady series are about to grow into', async () => {
  const dir = tempDir();
  const clock = new Clock();
  const t0 = clock.t;
  const engine = await openEngine(dir, clock);
  try {
    const series = 2000;
    // Five points each: past half of a series' small head block (8 slots), not yet out of it.
    const points: [string, number, number][] = [];
    for (let k = 0; k < 5; k++) for (let i = 0; i < series; i++) points.push([`steady.s${i}`, t0 + k * 10, k]);
    clock.t = t0 + 50;
    write(engine, points);
    const before = engine.stats.headBytes;
    await engine.sweep();
    const reserved = engine.stats.headBytes - before;
    assert.ok(reserved >= series * POINTS_PER_CHUNK * 8, `sweep reserved ${reserved} bytes for ${series} windows`);
    // The ninth point moves every window into a reserved block: no more memory.
    const more: [string, number, number][] = [];
    for (let k = 5; k < 9; k++) for (let i = 0; i < series; i++) more.push([`steady.s${i}`, t0 + k * 10, k]);
    clock.t = t0 + 90;
    write(engine, more);
    await engine.sweep();
    assert.equal(engine.stats.headBytes, before + reserved);
    const [range] = await engine.read(['steady.s1999'], t0 - 10, t0 + 90);
    assert.deepEqual(Array.from(range.values).filter((v) => v === v), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;

test('a batch the write-ahead log cannot take is dropped and counted, ingest goes on, and the rest replays', { timeout: 60_000, skip: !hasPrlimit && 'needs util-linux prlimit' }, async () => {
  const dir = tempDir();
  const t = 1_800_000_000 - (1_800_000_000 % 1200);
  // A child under a 64 KiB file-size limit: a small batch fits the log, a 6,000-point one (96 KB)
  // cannot (EFBIG), then the limit is lifted (prlimit on its own pid) and a third batch goes in.
  const child = `
    import { execFileSync } from 'node:child_process';
    const { StorageEngine } = await import(${JSON.stringify(new URL('../../src/store/storage-engine.js', import.meta.url).href)});
    const { loadRetentionPolicy } = await import(${JSON.stringify(new URL('../../src/store/retention/index.js', import.meta.url).href)});
    const { PointBatchBuilder } = await import(${JSON.stringify(new URL('../../src/points.js', import.meta.url).href)});
    const engine = await StorageEngine.open({ dataDir: ${JSON.stringify(dir)}, policy: loadRetentionPolicy({}), now: () => ${t} + 100, walSyncIntervalMs: 0 });
    const write = (name, n, ts, value) => {
      const batch = new PointBatchBuilder();
      for (let i = 0; i < n; i++) batch.push(engine.seriesId(name + (n > 1 ? i : '')), ts, value);
      engine.append(batch);
    };
    write('kept.first', 1, ${t}, 1);
    write('refused.s', 6000, ${t}, 2);
    const refused = engine.stats.droppedWalFailed;
    execFileSync('prlimit', ['--pid', String(process.pid), '--fsize=unlimited:']);
    write('kept.first', 1, ${t} + 10, 3);
    write('kept.after', 1, ${t} + 10, 4);
    const read = await engine.read(['kept.first', 'kept.after', 'refused.s0'], ${t} - 10, ${t} + 20);
    await engine.close();
    console.log(JSON.stringify({ refused, read: read.map((r) => [r.name, Array.from(r.values).filter((v) => v === v)]) }));
  `;
  const run = spawnSync('bash', ['-c', 'ulimit -S -f 64 && exec "$0" --input-type=module -e "$1"', process.execPath, child], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout) as { refused: number; read: [string, number[]][] };
  assert.equal(out.refused, 6000, 'the batch the log could not take is counted');
  // The refused batch's series exist (their names were taken before the batch), without points.
  assert.deepEqual(out.read, [['kept.first', [1, 3]], ['kept.after', [4]], ['refused.s0', []]], 'the refused points were not taken; the others were');
  const clock = new Clock(t + 100);
  const engine = await openEngine(dir, clock);
  try {
    assert.deepEqual(points(await readOne(engine, 'kept.first', t - 10, t + 20)), [[t, 1], [t + 10, 3]], 'what was taken replays');
    assert.deepEqual(points(await readOne(engine, 'kept.after', t - 10, t + 20)), [[t + 10, 4]]);
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('non-ASCII and tagged series deleted, written again and new, survive a restart and a kill -9 through the WAL alone', async () => {
  const dir = tempDir();
  const clock = new Clock();
  const t0 = clock.t;
  const engine = await openEngine(dir, clock);
  const names = ['ünï.cöde.a', 'plain.code.b', 'tag.x;env=prød', 'plain.code.c', 'ünï.cöde.d'];
  write(engine, names.map((name, i) => [name, t0 - 40, i]));
  assert.equal(await engine.deleteSeries(['ünï.cöde.a', 'tag.x;env=prød', 'plain.code.c']), 3);
  // Written again by name (a new lookup), and a new name sharing a deleted one's branch.
  write(engine, [['ünï.cöde.a', t0 - 20, 10], ['tag.x;env=prød', t0 - 20, 11], ['ünï.cöde.e', t0 - 20, 12]]);
  const crashed = crashCopy(dir);
  const expect = async (e: StorageEngine): Promise<void> => {
    assert.deepEqual([...e.names()].sort(), ['plain.code.b', 'tag.x;env=prød', 'ünï.cöde.a', 'ünï.cöde.d', 'ünï.cöde.e'].sort());
    assert.deepEqual(e.match('ünï.cöde.*').sort(), ['ünï.cöde.a', 'ünï.cöde.d', 'ünï.cöde.e']);
    assert.deepEqual(e.match('plain.code.*'), ['plain.code.b']);
    assert.deepEqual(points(await readOne(e, 'ünï.cöde.a', t0 - 60, t0)), [[t0 - 20, 10]]);
    assert.deepEqual(points(await readOne(e, 'tag.x;env=prød', t0 - 60, t0)), [[t0 - 20, 11]]);
    assert.deepEqual(points(await readOne(e, 'ünï.cöde.d', t0 - 60, t0)), [[t0 - 40, 4]]);
    assert.deepEqual(await e.read(['plain.code.c'], t0 - 60, t0), []);
  };
  await expectAcrossRestart(engine, dir, crashed, clock, expect);
});

test('names given as a block of bytes (the carbon worker\'s) are the series their strings are: ids, tree, retention, deletion, the limit, restart and kill -9', async () => {
  const dir = tempDir();
  const clock = new Clock();
  const t0 = clock.t;
  const engine = await openEngine(dir, clock, { maxSeries: 7 });
  const byString = engine.seriesId('blk.host_1.old');
  const names = ['blk.host_1.m1', 'blk.host_1.old', 'blk.host_2.x.sum', 'blk.host_2.x.upper_90', 'tag.y;env=prod', 'ünï.blk.z', 'single', 'blk.host_1.m2'];
  const block = blockOf(names);
  engine.prefetch(block, 0, block.count);
  const ids = names.map((_, k) => engine.seriesIdIn(block, k));
  assert.equal(ids[1], byString, 'a name made from its string is found by its bytes');
  assert.equal(ids[7], REJECTED_SERIES, 'the series limit refuses a name given as bytes');
  assert.equal(engine.stats.droppedSeriesLimit, 1);
  assert.equal(new Set(ids.slice(0, 7)).size, 7);
  for (let k = 0; k < 7; k++) assert.equal(engine.seriesId(names[k]), ids[k], `${names[k]} found by its string`);
  assert.equal(engine.seriesIdIn(blockOf(['blk.host_1.m1']), 0), ids[0], 'and by its bytes again');
  const batch = new PointBatchBuilder();
  ids.slice(0, 7).forEach((id, k) => batch.push(id, t0 - 40, k));
  engine.append(batch);
  assert.equal(await engine.deleteSeries(['blk.host_1.m1']), 1);
  // A deleted name given as bytes again comes back under its old id, without its deleted data.
  assert.equal(engine.seriesIdIn(blockOf(['blk.host_1.m1']), 0), ids[0]);
  const again = new PointBatchBuilder();
  again.push(ids[0], t0 - 20, 9);
  engine.append(again);
  const crashed = crashCopy(dir);
  const expect = async (e: StorageEngine): Promise<void> => {
    assert.deepEqual([...e.names()].sort(), names.slice(0, 7).sort());
    assert.deepEqual(e.match('blk.*.*').sort(), ['blk.host_1.m1', 'blk.host_1.old']);
    assert.deepEqual(e.match('blk.host_1.*').sort(), ['blk.host_1.m1', 'blk.host_1.old']);
    assert.deepEqual(e.match('blk.host_2.x.*').sort(), ['blk.host_2.x.sum', 'blk.host_2.x.upper_90']);
    assert.deepEqual(e.match('single'), ['single']);
    assert.deepEqual(e.seriesByTag(['env=prod']), ['tag.y;env=prod']);
    const ranges = await e.read(['blk.host_2.x.sum', 'blk.host_2.x.upper_90', 'blk.host_1.old', 'ünï.blk.z', 'blk.host_1.m1'], t0 - 60, t0);
    assert.deepEqual(ranges.map((r) => r.aggregationMethod), ['sum', 'max', 'average', 'average', 'average'], 'the retention rules saw the names');
    assert.deepEqual(ranges.map((r) => points(r)), [[[t0 - 40, 2]], [[t0 - 40, 3]], [[t0 - 40, 1]], [[t0 - 40, 5]], [[t0 - 20, 9]]]);
    assert.equal(e.seriesIdIn(blockOf(['blk.host_2.x.sum']), 0), ids[2]);
  };
  await expectAcrossRestart(engine, dir, crashed, clock, expect);
});

test('after a deletion, new names given as bytes still go the byte way; a deleted one comes back under its id', async () => {
  const clock = new Clock();
  const engine = await openEngine(tempDir(), clock);
  write(engine, [['del.a', clock.t - 40, 1], ['del.b', clock.t - 40, 2]]);
  const a = engine.seriesId('del.a');
  const b = engine.seriesId('del.b');
  assert.equal(await engine.deleteSeries(['del.a', 'del.b']), 2);
  // The string way, counted: seriesIdIn falls back to it for a name that may be a deleted series.
  let byString = 0;
  const seriesId = engine.seriesId.bind(engine);
  engine.seriesId = (name: string) => (byString++, seriesId(name));
  const names = Array.from({ length: 100 }, (_, i) => `del.new_${i}`);
  const block = blockOf([...names, 'del.a']);
  const ids = names.map((_, k) => engine.seriesIdIn(block, k));
  assert.equal(byString, 0, 'no new name looked up by its string');
  assert.equal(new Set(ids).size, names.length);
  assert.equal(engine.seriesIdIn(block, names.length), a, 'a deleted name given as bytes is revived under its old id');
  assert.equal(byString, 1);
  assert.deepEqual(engine.match('del.*').sort(), ['del.a', ...names].sort());
  engine.seriesId = seriesId;
  assert.equal(engine.seriesId('del.b'), b, 'and one given as a string');
  assert.equal(engine.seriesIdIn(blockOf(['del.new_0']), 0), ids[0], 'once none is deleted, names are found by bytes as before');
  await engine.close();
});
