import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { PointBatchBuilder } from '../../src/points.js';
import { QueryError } from '../../src/query/query-error.js';
import { renderTargets, seriesTags } from '../../src/query/render.js';
import type { StorageEngine } from '../../src/store/storage-engine.js';
import { openTempEngine } from '../support/temp-engine.js';

const T0 = 1_700_000_000;
/** The engine's clock: an hour after the data, so the data sits in the 10s archive. */
const NOW = T0 + 3600;

/**
 * A real engine in a fresh directory with the embedded retention (10s:7d,1m:30d,10m:5y, average
 * unless the name says otherwise), written out so a config/ in the working directory cannot change it.
 */
async function openEngine(t: TestContext): Promise<StorageEngine> {
  return (await openTempEngine(t, { now: () => NOW })).store;
}

/** Five series, one point every 10 s over [T0, T0 + 60]: series i has i * 100 + seconds since T0. */
async function fixture(t: TestContext): Promise<StorageEngine> {
  const engine = await openEngine(t);
  const batch = new PointBatchBuilder();
  const names = ['web.b.cpu', 'web.a.cpu', 'web.c.mem', 'db.a.cpu', 'disk.used;dc=1;host=x'];
  names.forEach((name, i) => {
    for (let ts = T0; ts <= T0 + 60; ts += 10) batch.push(engine.seriesId(name), ts, i * 100 + (ts - T0));
  });
  engine.append(batch);
  return engine;
}

describe('renderTargets', () => {
  it('renders a plain path with Graphite times and tags', async (t) => {
    const [series, ...rest] = await renderTargets(await fixture(t), ['web.a.cpu'], T0, T0 + 30);
    assert.equal(rest.length, 0);
    assert.equal(series.target, 'web.a.cpu');
    assert.deepEqual(series.tags, { name: 'web.a.cpu' });
    assert.equal(series.start, T0 + 10);
    assert.equal(series.end, T0 + 40);
    assert.equal(series.step, 10);
    assert.deepEqual([...series.values], [110, 120, 130]);
  });

  it('reads sealed chunks as it read the open head', async (t) => {
    const engine = await fixture(t);
    const before = await renderTargets(engine, ['web.*.cpu'], T0 - 20, T0 + 80);
    await engine.sweep();
    assert.equal(engine.stats.sealedChunks, 5);
    const after = await renderTargets(engine, ['web.*.cpu'], T0 - 20, T0 + 80);
    assert.deepEqual(after, before);
    assert.deepEqual([...after[1].values], [NaN, 0, 10, 20, 30, 40, 50, 60, NaN, NaN]);
  });

  it('fills gaps with NaN and clips the range at the clock', async (t) => {
    const [series] = await renderTargets(await fixture(t), ['web.c.mem'], T0 - 20, NOW + 86_400);
    assert.equal(series.start, T0 - 10);
    assert.equal(series.end, NOW + 10);
    assert.equal(series.values.length, (NOW + 10 - (T0 - 10)) / 10);
    assert.deepEqual([...series.values.subarray(0, 9)], [NaN, 200, 210, 220, 230, 240, 250, 260, NaN]);
    assert.ok(series.values.subarray(8).every(Number.isNaN));
  });

  it('reads the coarser archive when the range starts before the finest one covers', async (t) => {
    const [series] = await renderTargets(await fixture(t), ['web.a.cpu'], NOW - 8 * 86_400, NOW);
    assert.equal(series.step, 60);
    assert.equal(series.start % 60, 0);
    assert.equal(series.end, NOW - (NOW % 60) + 60);
    const known = [...series.values.entries()]
      .filter(([, value]) => !Number.isNaN(value))
      .map(([i, value]) => [series.start + i * 60, value]);
    // Minutes starting T0 - 20 (points T0..T0+30) and T0 + 40 (T0+40..T0+60, half known = xFilesFactor).
    assert.deepEqual(known, [
      [T0 - 20, 115],
      [T0 + 40, 150],
    ]);
  });

  it('expands globs sorted by name, targets in request order', async (t) => {
    const rendered = await renderTargets(await fixture(t), ['web.*.cpu', 'db.a.cpu', '*.a.cpu'], T0, T0 + 30);
    assert.deepEqual(
      rendered.map((s) => s.target),
      ['web.a.cpu', 'web.b.cpu', 'db.a.cpu', 'db.a.cpu', 'web.a.cpu'],
    );
  });

  it('reads every matched series with one store read', async (t) => {
    const store = await fixture(t);
    let reads = 0;
    const read = store.read.bind(store);
    store.read = (names, from, until) => {
      reads++;
      return read(names, from, until);
    };
    const rendered = await renderTargets(store, ['web.*.cpu', 'web.{a,c}.*', 'db.a.cpu'], T0, T0 + 30);
    assert.equal(reads, 1);
    assert.equal(rendered.length, 5);
  });

  it('matches untagged names only with globs, as graphite-web does; tagged series by exact name', async (t) => {
    const store = await fixture(t);
    assert.deepEqual(await renderTargets(store, ['disk.*'], T0, T0 + 30), []);
    const [exact] = await renderTargets(store, ['disk.used;dc=1;host=x'], T0, T0 + 30);
    assert.equal(exact.target, 'disk.used;dc=1;host=x');
    assert.deepEqual(exact.tags, { dc: '1', host: 'x', name: 'disk.used' });
    assert.deepEqual([...exact.values], [410, 420, 430]);
  });

  it('returns nothing for unknown paths and skips empty targets', async (t) => {
    assert.deepEqual(await renderTargets(await fixture(t), ['no.such', 'no.*', '  '], T0, T0 + 30), []);
  });

  it('evaluates functions and rejects bad targets with a QueryError naming the target', async (t) => {
    const store = await fixture(t);
    const [sum] = await renderTargets(store, ['sumSeries(web.*.cpu)'], T0, T0 + 30);
    assert.equal(sum.target, 'sumSeries(web.*.cpu)');
    assert.deepEqual([...sum.values], [110 + 10, 120 + 20, 130 + 30]);
    await assert.rejects(
      renderTargets(store, ['sumSeries(web.*.cpu'], T0, T0 + 30),
      (error: unknown) => error instanceof QueryError && error.message.includes("'sumSeries(web.*.cpu'"),
    );
  });
});

describe('seriesTags', () => {
  it('puts name last, after the series tags', () => {
    assert.deepEqual(Object.entries(seriesTags('a.b;z=1;k=v')), [
      ['z', '1'],
      ['k', 'v'],
      ['name', 'a.b'],
    ]);
  });
});
