import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { PointBatchBuilder } from '../../src/points.js';
import { evaluateTargets } from '../../src/query/evaluator.js';
import { QueryError } from '../../src/query/query-error.js';
import type { Series } from '../../src/query/series.js';
import { StorageEngine } from '../../src/store/storage-engine.js';
import { openTempEngine } from '../support/temp-engine.js';

const T0 = 1_700_000_000;
/** The engine's clock: an hour after the data, so the data sits in the 10s archive. */
const NOW = T0 + 3600;

/**
 * A real engine with a point every 10 s over [T0, T0 + 60]: series i holds i * 100 + seconds
 * since T0, and counts its store reads.
 */
async function fixture(t: TestContext): Promise<{ store: StorageEngine; reads: Array<[number, number]> }> {
  const { store } = await openTempEngine(t, { now: () => NOW });
  const batch = new PointBatchBuilder();
  ['web.a.cpu', 'web.b.cpu', 'web.c.mem', 'db.a.cpu', 'disk.used;dc=east;host=x', 'disk.used;dc=west;host=y'].forEach((name, i) => {
    for (let ts = T0; ts <= T0 + 60; ts += 10) batch.push(store.seriesId(name), ts, i * 100 + (ts - T0));
  });
  store.append(batch);
  const reads: Array<[number, number]> = [];
  const read = store.read.bind(store);
  store.read = (names, from, until) => {
    reads.push([from, until]);
    return read(names, from, until);
  };
  return { store, reads };
}

const values = (s: Series): Array<number | null> => [...s.values].map((v) => (v !== v ? null : v));

describe('evaluateTargets', () => {
  it('reads every path of every target in one store read', async (t) => {
    const { store, reads } = await fixture(t);
    const result = await evaluateTargets(
      store,
      ['sumSeries(web.*.cpu)', 'aliasByNode(web.{a,c}.*, 1)', 'db.a.cpu|scale(2)', "group(web.a.cpu, seriesByTag('name=disk.used'))", 'movingAverage(web.a.cpu, "20s")'],
      { from: T0 + 20, until: T0 + 50 },
    );
    // movingAverage's longer range is known up front: one read for it, one for everything else.
    assert.deepEqual(reads, [
      [T0 + 20, T0 + 50],
      [T0, T0 + 50],
    ]);
    assert.deepEqual(
      result.map((s) => s.name),
      ['sumSeries(web.*.cpu)', 'a', 'c', 'scale(db.a.cpu,2)', 'web.a.cpu', 'disk.used;dc=east;host=x', 'disk.used;dc=west;host=y', 'movingAverage(web.a.cpu,"20s")'],
    );
    assert.deepEqual(values(result[0]), [130 + 30, 140 + 40, 150 + 50]);
    assert.deepEqual(values(result[3]), [660, 680, 700]);
  });

  it('reads plain targets once', async (t) => {
    const { store, reads } = await fixture(t);
    await evaluateTargets(store, ['web.*.cpu', 'averageSeries(web.*.cpu, db.a.cpu)', 'web.a.cpu'], { from: T0, until: T0 + 60 });
    assert.equal(reads.length, 1);
  });

  it('movingAverage looks back over the window before the range, by time or by points', async (t) => {
    const { store } = await fixture(t);
    const [byTime, byPoints] = await evaluateTargets(store, ["movingAverage(web.a.cpu, '20s')", 'movingAverage(web.a.cpu, 2)'], { from: T0 + 20, until: T0 + 50 });
    assert.deepEqual([byTime.start, values(byTime)], [T0 + 30, [15, 25, 35]]);
    assert.deepEqual([byPoints.name, byPoints.start, values(byPoints)], ['movingAverage(web.a.cpu,2)', T0 + 30, [15, 25, 35]]);
    const [max] = await evaluateTargets(store, ["movingMax(web.a.cpu, '30s')"], { from: T0 + 30, until: T0 + 60 });
    assert.deepEqual([max.name, values(max)], ['movingMax(web.a.cpu,"30s")', [30, 40, 50]]);
  });

  it('timeShift reads the shifted range and draws it over the requested one', async (t) => {
    const { store, reads } = await fixture(t);
    const [shifted] = await evaluateTargets(store, ["timeShift(web.a.cpu, '20s')"], { from: T0 + 20, until: T0 + 50 });
    assert.equal(shifted.name, 'timeShift(web.a.cpu, "-20s")');
    assert.deepEqual([shifted.start, values(shifted)], [T0 + 30, [10, 20, 30]]);
    assert.equal(reads.length, 2);
  });

  it('expands template() with defaults, positions and template[x] parameters', async (t) => {
    const { store } = await fixture(t);
    const range = { from: T0, until: T0 + 20 };
    assert.equal((await evaluateTargets(store, ['template(web.$h.cpu, h="a")'], range))[0].name, 'web.a.cpu');
    assert.equal((await evaluateTargets(store, ['template(web.$1.$2, "b", "cpu")'], range))[0].name, 'web.b.cpu');
    assert.equal((await evaluateTargets(store, ['template(web.$h.cpu, h="a")'], { ...range, templateParams: { h: 'b' } }))[0].name, 'web.b.cpu');
    assert.equal((await evaluateTargets(store, ['template(scale(web.a.cpu, $f), f=3)'], range))[0].name, 'scale(web.a.cpu,3)');
  });

  it('answers seriesByTag from the store tag index, named by their series', async (t) => {
    const { store } = await fixture(t);
    const result = await evaluateTargets(store, ["seriesByTag('name=disk.used', 'dc=west')|aliasByTags('host')"], { from: T0, until: T0 + 20 });
    assert.deepEqual(result.map((s) => [s.name, s.pathExpression]), [['y', "seriesByTag('name=disk.used', 'dc=west')"]]);
  });

  it('takes the consolidation function from the storage aggregation method', async (t) => {
    const { store } = await fixture(t);
    const [series] = await evaluateTargets(store, ['web.a.cpu'], { from: T0, until: T0 + 20 });
    assert.equal(series.consolidationFunc, 'average');
  });

  it('rejects unknown functions, bad arguments and bad syntax with QueryErrors that point at the problem', async (t) => {
    const { store } = await fixture(t);
    const range = { from: T0, until: T0 + 20 };
    const cases: Array<[string, string]> = [
      ['nope(web.a.cpu)', 'unknown function nope() (column 1)'],
      ['alias(web.a.cpu)', "missing required parameter 'newName' for alias() (column 1)"],
      ['scale(web.a.cpu, 1, 2)', 'too many arguments for scale() (takes at most 2) (column 21)'],
      ['movingAverage(web.a.cpu, "5 parsecs")', "invalid intOrInterval value '5 parsecs' for parameter 'windowSize' of movingAverage() (column 26)"],
      ['limit(web.a.cpu, n=1.5)', "invalid integer value 1.5 for parameter 'n' of limit() (column 18)"],
      ['alias(web.a.cpu, nme="x")', "alias() has no parameter 'nme' (column 18)"],
      ['sumSeries(web.a.cpu,)', "unexpected ')' at column 21"],
    ];
    for (const [target, message] of cases) {
      await assert.rejects(evaluateTargets(store, [target], range), (error: unknown) => error instanceof QueryError && error.message.includes(message), target);
    }
  });

  it('rejects a bad glob or tag expression with a QueryError naming it', async (t) => {
    const { store } = await fixture(t);
    const range = { from: T0, until: T0 + 20 };
    for (const [target, fragment] of [['web.[z-a].cpu', "'web.[z-a].cpu'"], ["seriesByTag('noop')", "'noop'"]]) {
      await assert.rejects(evaluateTargets(store, [target], range), (error: unknown) => error instanceof QueryError && error.message.includes(fragment), target);
    }
  });
});
