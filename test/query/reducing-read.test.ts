import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PointBatchBuilder } from '../../src/points.js';
import { evaluateTargets } from '../../src/query/evaluator.js';
import type { Series } from '../../src/query/series.js';
import type { Archive, RetentionPolicy } from '../../src/store/retention/index.js';
import type { SeriesStore } from '../../src/store/series-store.js';
import { StorageEngine, type StorageEngineOptions } from '../../src/store/storage-engine.js';

// The reducing read (sumSeries and friends computed while the engine reads, StorageEngine.readEach)
// must give exactly what the generic path gives: read every series, then aggregate().

const WINDOW = 1200;
const T0 = 1_800_000_000 - (1_800_000_000 % WINDOW);
const archive = (secondsPerPoint: number, points: number): Archive => ({ secondsPerPoint, points, retentionSeconds: secondsPerPoint * points });
// `m.*` is stored at 60 s, everything else at 10 s; `c.*` sums when consolidated.
const policy: RetentionPolicy = {
  archivesFor: (name) => (name.startsWith('m.') ? [archive(60, 10_000)] : [archive(10, 50_000)]),
  aggregationFor: (name) => ({ method: name.startsWith('c.') ? 'sum' : 'average', xFilesFactor: 0.5 }),
  sources: { schemas: 'test', aggregation: 'test' },
};

/** The same engine without readEach: the evaluator takes the generic path. */
function genericStore(engine: StorageEngine): SeriesStore {
  return {
    seriesId: (name) => engine.seriesId(name),
    append: (batch) => engine.append(batch),
    names: () => engine.names(),
    read: (names, from, until) => engine.read(names, from, until),
    seriesCount: () => engine.seriesCount(),
    match: (pattern) => engine.match(pattern),
    close: async () => {},
  };
}

/** The engine, counting its readEach calls. */
function countingStore(engine: StorageEngine, calls: { readEach: number }): SeriesStore {
  return {
    ...genericStore(engine),
    readEach: (names, from, until, visit) => {
      calls.readEach++;
      return engine.readEach(names, from, until, visit);
    },
  };
}

function comparable(series: Series[]): unknown[] {
  return series.map((s) => ({ ...s, values: Array.from(s.values, (v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v)) }));
}

/**
 * 70 series a.s00..a.s69 (more than two read slices), 3 windows of 10 s points: irrational values,
 * gaps (every 7th point of series s, series s05 has nothing in the second window, s13 none at all
 * in the range), plus c.* (sum consolidation) and m.* (a 60 s step).
 */
async function openFilled(options: Partial<StorageEngineOptions> = {}): Promise<{ engine: StorageEngine; dir: string; until: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-reducing-read-'));
  const clock = { t: T0 + 3 * WINDOW };
  const engine = await StorageEngine.open({ dataDir: dir, policy, now: () => clock.t, walSyncIntervalMs: 0, ...options });
  const batch = new PointBatchBuilder();
  for (let s = 0; s < 70; s++) {
    const id = engine.seriesId(`a.s${String(s).padStart(2, '0')}`);
    if (s === 13) continue;
    for (let t = T0; t < T0 + 3 * WINDOW; t += 10) {
      const i = (t - T0) / 10;
      if ((i + s) % 7 === 0) continue;
      if (s === 5 && t >= T0 + WINDOW && t < T0 + 2 * WINDOW) continue;
      batch.push(id, t, Math.sin(s * 1.7 + i / 13) * 1e3 + s / 3);
    }
  }
  for (let s = 0; s < 3; s++) {
    const c = engine.seriesId(`c.s${s}`);
    const m = engine.seriesId(`m.s${s}`);
    for (let t = T0; t < T0 + 3 * WINDOW; t += 10) {
      batch.push(c, t, (t / 10 + s) % 5);
      if (t % 60 === 0) batch.push(m, t, s + t / 1e5);
    }
  }
  engine.append(batch);
  clock.t += 300;
  await engine.sweep(); // the first windows sealed (hot ring and LevelDB), the last still in the head
  return { engine, dir, until: clock.t };
}

for (const [where, options] of [
  ['decoded cache', {}],
  ['no cache', { readCacheBytes: 0 }],
  ['LevelDB', { hotBudgetBytes: 1 }],
] as const) test(`reducing reads give exactly the generic path answers, nulls and xFilesFactor included (${where})`, async () => {
  const { engine, dir, until } = await openFilled(options);
  try {
    const calls = { readEach: 0 };
    const reducing = countingStore(engine, calls);
    const generic = genericStore(engine);
    const targets = [
      'sumSeries(a.*)',
      'sum(a.s0*)',
      'averageSeries(a.*)',
      'avg(a.*, a.s1*)',
      'minSeries(a.*)',
      'maxSeries(a.*)',
      'diffSeries(a.*)',
      'rangeOfSeries(a.*)',
      'sumSeries(a.*, a.s01)',
      'aggregate(a.*, "count")',
      'aggregate(a.*, "avg_zero", 0.9)',
      'aggregate(a.*, "lastSeries")',
      'sumSeries(c.*)',
      'sumSeries(a.s13)',
      'sumSeries(a.s05)',
      'sumSeries(m.*)',
      'sumSeries(nothing.*)',
      'alias(sumSeries(a.*), "total")',
    ];
    for (const xFilesFactor of [0, 0.95]) {
      for (const [from, to] of [
        [T0, until],
        [T0 + 635, T0 + WINDOW + 77],
        [T0 + 2 * WINDOW + 5, until],
      ]) {
        for (const target of targets) {
          const options = { from, until: to, xFilesFactor };
          const before = calls.readEach;
          const expected = await evaluateTargets(generic, [target], options);
          const actual = await evaluateTargets(reducing, [target], options);
          assert.equal(calls.readEach, before + 1, `${target}: read by readEach`);
          assert.deepEqual(comparable(actual), comparable(expected), `${target} over ${from}..${to}, xFilesFactor ${xFilesFactor}`);
        }
      }
    }
    const [sum] = await evaluateTargets(reducing, ['sumSeries(a.*)'], { from: T0, until });
    assert.equal(sum.name, 'sumSeries(a.*)');
    assert.ok(sum.values.some((v) => Number.isNaN(v)), 'the range past the last point is null');
    assert.ok(sum.values.some((v) => !Number.isNaN(v)));
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('series on different steps, or also wanted on their own, take the generic path with the same answer', async () => {
  const { engine, dir, until } = await openFilled();
  try {
    const calls = { readEach: 0 };
    const reducing = countingStore(engine, calls);
    const generic = genericStore(engine);
    const options = { from: T0, until };
    // readEach calls: mixed steps ask it once (it gives up at the first series off the grid); a.*
    // fetched for its own target is summed from what was fetched; a.s2* is not fetched otherwise.
    for (const [targets, readEachCalls] of [
      [['sumSeries(a.s0*, m.*)'], 1],
      [['sumSeries(a.*)', 'a.*'], 0],
      [['maxSeries(c.*)', 'sumSeries(a.s1*, a.s2*)', 'a.s1*'], 2],
    ] as const) {
      const before = calls.readEach;
      const expected = await evaluateTargets(generic, targets, options);
      assert.deepEqual(comparable(await evaluateTargets(reducing, targets, options)), comparable(expected), targets.join(' & '));
      assert.equal(calls.readEach - before, readEachCalls, targets.join(' & '));
    }
    const [mixed] = await evaluateTargets(reducing, ['sumSeries(a.s0*, m.*)'], options);
    assert.equal(mixed.step, 60);
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readEach hands over what read() returns, cold (decoding) and warm (from the cache), and stops when asked', async () => {
  const { engine, dir, until } = await openFilled();
  try {
    const names = [...engine.match('a.*'), 'no.such.series', 'a.s01'];
    const visitAll = async (): Promise<Record<string, unknown>[]> => {
      const seen: Record<string, unknown>[] = [];
      let values: number[] = [];
      await engine.readEach(names, T0 + 15, until, {
        series(shape) {
          values = new Array<number>((shape.end - shape.start) / shape.step).fill(NaN);
          seen.push({ ...shape, values });
          return true;
        },
        points(src, srcFrom, at, count) {
          for (let k = 0; k < count; k++) {
            assert.ok(Number.isNaN(values[at + k]), 'each index at most once');
            values[at + k] = src[srcFrom + k];
          }
        },
      });
      return seen;
    };
    const cold = await visitAll(); // decodes, and fills the decoded cache
    const warm = await visitAll(); // straight from the cache and the head
    const expected = (await engine.read(names, T0 + 15, until)).map((r) => ({ ...r, values: Array.from(r.values) }));
    assert.deepEqual(cold, expected);
    assert.deepEqual(warm, expected);
    let visits = 0;
    await engine.readEach(names, T0, until, {
      series: () => {
        visits++;
        return false;
      },
      points: () => assert.fail('no points after the visitor stopped'),
    });
    assert.equal(visits, 1);
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** What readEach hands a visitor that takes runs (several series' windows at once), as read() returns it. */
async function visitRuns(engine: StorageEngine, names: readonly string[], from: number, until: number): Promise<Record<string, unknown>[]> {
  const seen: Record<string, unknown>[] = [];
  await engine.readEach(names, from, until, {
    series(shape) {
      seen.push({ ...shape, values: new Array<number>((shape.end - shape.start) / shape.step).fill(NaN) });
      return true;
    },
    points: () => assert.fail('series on one grid come in runs'),
    run({ series, windows, sources, offsets, at, skip, count }) {
      for (let j = 0; j < series; j++) {
        const values = seen[seen.length - series + j].values as number[];
        for (let w = 0; w < windows; w++) {
          const src = sources[j * windows + w];
          for (let k = 0; k < count[w]; k++) {
            assert.ok(Number.isNaN(values[at[w] + k]), 'each index at most once');
            values[at[w] + k] = src[offsets[j * windows + w] + skip[w] + k];
          }
        }
      }
    },
  });
  return seen;
}

for (const [where, options] of [
  ['decoded cache', {}],
  ['no cache', { readCacheBytes: 0 }],
] as const) test(`readEach hands runs of series on one grid over as read() returns them, cold and warm (${where})`, async () => {
  const { engine, dir, until } = await openFilled(options);
  try {
    const names = [...engine.match('a.*'), 'no.such.series', 'a.s01'];
    for (const [from, to] of [
      [T0 + 15, until],
      [T0 + 635, T0 + 2 * WINDOW + 77],
    ]) {
      const cold = await visitRuns(engine, names, from, to); // before read() fills the decoded cache
      const expected = (await engine.read(names, from, to)).map((r) => ({ ...r, values: Array.from(r.values) }));
      assert.deepEqual(cold, expected, 'cold');
      assert.deepEqual(await visitRuns(engine, names, from, to), expected, 'warm');
    }
    // Stopped in the second slice, with the third one's read begun: nothing more is handed over.
    let begun = 0;
    const runs: number[] = [];
    await engine.readEach(names, T0, until, {
      series: () => ++begun < 40,
      points: () => assert.fail('series on one grid come in runs'),
      run: (run) => runs.push(run.series),
    });
    assert.equal(begun, 40);
    assert.deepEqual(runs, [32], 'only the first slice');
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('series with only a few points in their open window (small head blocks) are each summed with their own values', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-reducing-read-'));
  const now = T0 + WINDOW / 2;
  const engine = await StorageEngine.open({ dataDir: dir, policy, now: () => now, walSyncIntervalMs: 0 });
  try {
    const batch = new PointBatchBuilder();
    for (let s = 0; s < 5; s++) {
      const id = engine.seriesId(`few.s${s}`);
      batch.push(id, T0 + 100 + s * 10, 1 + s); // a different slot per series
      batch.push(id, T0 + 110 + s * 10, 10 * (1 + s));
    }
    engine.append(batch);
    const calls = { readEach: 0 };
    const options = { from: T0, until: now };
    const expected = await evaluateTargets(genericStore(engine), ['sumSeries(few.*)'], options);
    const actual = await evaluateTargets(countingStore(engine, calls), ['sumSeries(few.*)'], options);
    assert.equal(calls.readEach, 1);
    assert.deepEqual(comparable(actual), comparable(expected));
    const points = Array.from(expected[0].values).filter((v) => !Number.isNaN(v));
    assert.deepEqual(points, [1, 12, 23, 34, 45, 50]);
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
