import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PointBatchBuilder } from '../../src/points.js';
import { loadRetentionPolicy } from '../../src/store/retention/index.js';
import { StorageEngine, type StorageEngineOptions } from '../../src/store/storage-engine.js';

// Reads go through the decoded-window cache: these check that a cached window never hides a rewrite.

const WINDOW = 1200;
const start = (): number => 1_800_000_000 - (1_800_000_000 % WINDOW);

async function open(clock: { t: number }, extra: Partial<StorageEngineOptions> = {}): Promise<StorageEngine> {
  return StorageEngine.open({
    dataDir: mkdtempSync(join(tmpdir(), 'carbonado-read-cache-')),
    policy: loadRetentionPolicy({}),
    now: () => clock.t,
    walSyncIntervalMs: 0,
    ...extra,
  });
}

function write(engine: StorageEngine, points: [string, number, number][]): void {
  const batch = new PointBatchBuilder();
  for (const [name, ts, v] of points) batch.push(engine.seriesId(name), ts, v);
  engine.append(batch);
}

async function valuesAt(engine: StorageEngine, name: string, from: number, until: number, at: number[]): Promise<number[]> {
  const [range] = await engine.read([name], from, until);
  return at.map((t) => range.values[(t - range.start) / range.step]);
}

for (const [where, options] of [
  ['hot ring', {}],
  ['LevelDB', { hotBudgetBytes: 1 }],
] as const) {
  test(`a late point rewrites a cached window and the next read sees it (${where})`, async () => {
    const clock = { t: start() };
    const t0 = clock.t;
    const engine = await open(clock, options);
    const points: [string, number, number][] = [];
    // Three windows, so with a 1-byte hot budget the first ones live on disk only.
    for (let t = t0; t < t0 + 3 * WINDOW; t += 10) points.push(['c.x', t, 1]);
    clock.t = t0 + 3 * WINDOW;
    write(engine, points);
    clock.t += 120;
    await engine.sweep();
    const at = [t0 + 10, t0 + 20, t0 + WINDOW + 10];
    assert.deepEqual(await valuesAt(engine, 'c.x', t0, clock.t, at), [1, 1, 1]);
    assert.deepEqual(await valuesAt(engine, 'c.x', t0, clock.t, at), [1, 1, 1]); // from the cache
    write(engine, [['c.x', t0 + 20, 5], ['c.x', t0 + WINDOW + 10, 7]]);
    await engine.sweep();
    assert.deepEqual(await valuesAt(engine, 'c.x', t0, clock.t, at), [1, 5, 7]);
    await engine.close();
  });
}

test('windows with no chunk read as empty and fill in once data arrives', async () => {
  const clock = { t: start() + 10 * WINDOW };
  const t0 = start();
  const engine = await open(clock);
  write(engine, [['sparse.x', clock.t - 50, 3]]);
  await engine.sweep(); // seals everything before the current windows: older points are late from now on
  const at = [t0 + 100, clock.t - 50];
  assert.deepEqual(await valuesAt(engine, 'sparse.x', t0, clock.t, at), [NaN, 3]);
  assert.deepEqual(await valuesAt(engine, 'sparse.x', t0, clock.t, at), [NaN, 3]); // empty windows cached
  write(engine, [['sparse.x', t0 + 100, 9]]); // late: rewrites a window that had no chunk
  await engine.sweep();
  assert.deepEqual(await valuesAt(engine, 'sparse.x', t0, clock.t, at), [9, 3]);
  await engine.close();
});

test('a rewritten rollup window is read fresh from the coarser archive', async () => {
  const clock = { t: start() };
  const engine = await open(clock);
  clock.t += 86400;
  const points: [string, number, number][] = [];
  for (let t = clock.t - 86400; t < clock.t; t += 10) points.push(['roll.x', t, 1]);
  write(engine, points);
  clock.t += 7200;
  await engine.sweep();
  const late = clock.t - 50_000 - ((clock.t - 50_000) % 600);
  const from = clock.t - 8 * 86400;
  assert.deepEqual(await valuesAt(engine, 'roll.x', from, clock.t, [late]), [1]);
  assert.deepEqual(await valuesAt(engine, 'roll.x', from, clock.t, [late]), [1]);
  write(engine, [['roll.x', late, 1001]]);
  await engine.sweep();
  assert.deepEqual(await valuesAt(engine, 'roll.x', from, clock.t, [late]), [(1001 + 5) / 6]);
  await engine.close();
});

test('with the cache off, reads give the same values', async () => {
  const clock = { t: start() };
  const t0 = clock.t;
  const cached = await open(clock);
  const uncached = await open(clock, { readCacheBytes: 0 });
  const points: [string, number, number][] = [];
  for (let t = t0; t < t0 + 2 * WINDOW; t += 10) if (t % 70 !== 0) points.push(['same.x', t, (t % 13) / 4]);
  clock.t = t0 + 2 * WINDOW + 300;
  write(cached, points);
  write(uncached, points);
  await cached.sweep();
  await uncached.sweep();
  for (let round = 0; round < 2; round++) {
    const [a] = await cached.read(['same.x'], t0 + 35, clock.t);
    const [b] = await uncached.read(['same.x'], t0 + 35, clock.t);
    assert.deepEqual(a, b);
  }
  await cached.close();
  await uncached.close();
});
