import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryError } from '../../../src/query/query-error.js';
import { points, run, series } from './function-harness.js';

const a = series('a.x.m', [1, 2, null, 4], 0, 10, 'a.*.m');
const b = series('a.y.m', [10, null, null, 40], 0, 10, 'a.*.m');
const c = series('b.y.m', [100, 200, 300, null]);

describe('aggregating functions', () => {
  it('sumSeries adds per point, skipping nulls; null only where every input is null; named by pathExpressions', async () => {
    const [sum] = await run('sumSeries', [a, b], [c]);
    assert.equal(sum.name, 'sumSeries(a.*.m,b.y.m)');
    assert.equal(sum.pathExpression, sum.name);
    assert.deepEqual(points(sum), [111, 202, 300, 44]);
    assert.deepEqual(sum.tags, { name: 'sumSeries(a.*.m,b.y.m)', aggregatedBy: 'sum' });
    assert.equal((await run('sum', [a]))[0].name, 'sumSeries(a.*.m)');
  });

  it('keeps the tags every input shares', async () => {
    const t1 = { ...a, tags: { dc: 'x', host: '1', name: 'cpu' } };
    const t2 = { ...b, tags: { dc: 'x', host: '2', name: 'cpu' } };
    assert.deepEqual((await run('sumSeries', [t1, t2]))[0].tags, { dc: 'x', name: 'cpu', aggregatedBy: 'sum' });
  });

  it('averageSeries, maxSeries, minSeries, diffSeries, multiplySeries, rangeOfSeries, stddevSeries', async () => {
    assert.deepEqual(points((await run('averageSeries', [a, b]))[0]), [5.5, 2, null, 22]);
    assert.equal((await run('avg', [a, b]))[0].name, 'averageSeries(a.*.m)');
    assert.deepEqual(points((await run('maxSeries', [a, b, c]))[0]), [100, 200, 300, 40]);
    assert.deepEqual(points((await run('minSeries', [a, b, c]))[0]), [1, 2, 300, 4]);
    assert.deepEqual(points((await run('diffSeries', [c], [a, b]))[0]), [89, 198, 300, -36]);
    assert.deepEqual(points((await run('multiplySeries', [a, b]))[0]), [10, null, null, 160]);
    assert.deepEqual(await run('multiplySeries', [a]), [a]);
    assert.deepEqual(points((await run('rangeOfSeries', [a, b]))[0]), [9, 0, null, 36]);
    assert.deepEqual(points((await run('stddevSeries', [series('s', [1, 2]), series('t', [3, 2])]))[0]), [1, 0]);
  });

  it('aggregate() with any aggregation function, its Series form, and an xFilesFactor', async () => {
    assert.equal((await run('aggregate', [a, b], 'sumSeries'))[0].name, 'sumSeries(a.*.m)');
    assert.deepEqual(points((await run('aggregate', [a, b, c], 'median'))[0]), [10, 101, 300, 22]);
    assert.deepEqual(points((await run('aggregate', [a, b, c], 'count'))[0]), [3, 2, 1, 2]);
    assert.deepEqual(points((await run('aggregate', [a, b, c], 'avg_zero'))[0]), [37, 202 / 3, 100, 44 / 3]);
    assert.deepEqual(points((await run('aggregate', [a, b, c], 'last'))[0]), [100, 200, 300, 40]);
    // Half the row must be known: 1 of 3 is not enough.
    assert.deepEqual(points((await run('aggregate', [a, b, c], 'sum', 0.5))[0]), [111, 202, null, 44]);
    await assert.rejects(run('aggregate', [a], 'nope'), QueryError);
  });

  it('returns nothing for empty input', async () => {
    assert.deepEqual(await run('sumSeries', []), []);
  });

  it('brings mixed steps to their least common multiple, consolidating each with its own function', async () => {
    const fine = { ...series('fine', [1, 2, 3, 4, 5, 6], 0, 10), consolidationFunc: 'sum' as const };
    const coarse = series('coarse', [100, 200], 0, 30);
    const [sum] = await run('sumSeries', [fine, coarse]);
    assert.equal(sum.step, 30);
    assert.deepEqual(points(sum), [106, 215]);
  });

  it('countSeries counts the series; group concatenates', async () => {
    assert.deepEqual(points((await run('countSeries', [a, b], [c]))[0]), [3, 3, 3, 3]);
    assert.equal((await run('countSeries', [a, b]))[0].name, 'countSeries(a.*.m)');
    assert.deepEqual((await run('group', [a], [b, c])).map((s) => s.name), ['a.x.m', 'a.y.m', 'b.y.m']);
  });

  it('groupByNode aggregates each group and names it by the key', async () => {
    const groups = await run('groupByNode', [a, b, c], 1, 'sum');
    assert.deepEqual(groups.map((s) => s.name), ['x', 'y']);
    assert.deepEqual(points(groups[1]), [110, 200, 300, 40]);
    const averaged = await run('groupByNode', [a, b, c], 2);
    assert.deepEqual(points(averaged[0]), [37, 101, 300, 22]);
    const viaFunction = await run('groupByNodes', [a, b, c], 'maxSeries', 0, 1);
    assert.deepEqual(viaFunction.map((s) => s.name), ['a.x', 'a.y', 'b.y']);
    assert.equal(viaFunction[0].pathExpression, 'maxSeries(a.*.m)');
  });

  it('groupByTags groups by tag values and names results name;tag=value', async () => {
    const s1 = { ...series('cpu;dc=e;host=1', [1, 2]), tags: { dc: 'e', host: '1', name: 'cpu' } };
    const s2 = { ...series('cpu;dc=e;host=2', [3, 4]), tags: { dc: 'e', host: '2', name: 'cpu' } };
    const s3 = { ...series('cpu;dc=w;host=3', [5, 6]), tags: { dc: 'w', host: '3', name: 'cpu' } };
    const grouped = await run('groupByTags', [s1, s2, s3], 'sum', 'dc');
    assert.deepEqual(grouped.map((s) => s.name), ['cpu;dc=e', 'cpu;dc=w']);
    assert.deepEqual(points(grouped[0]), [4, 6]);
    assert.deepEqual(grouped[0].tags, { dc: 'e', name: 'cpu' });
  });

  it('asPercent of the list total, of a number, of one series, of a matching list and by nodes', async () => {
    const x = series('h.1.used', [1, 3]);
    const y = series('h.2.used', [3, null]);
    const total = await run('asPercent', [x, y]);
    assert.deepEqual(total.map((s) => s.name), ['asPercent(h.1.used,sumSeries(h.1.used,h.2.used))', 'asPercent(h.2.used,sumSeries(h.1.used,h.2.used))']);
    assert.deepEqual(total.map(points), [
      [25, 100],
      [75, null],
    ]);
    const ofNumber = await run('asPercent', [x], 4);
    assert.deepEqual([ofNumber[0].name, points(ofNumber[0])], ['asPercent(h.1.used,4)', [25, 75]]);
    const cap = series('h.cap', [2, 0]);
    assert.deepEqual(points((await run('asPercent', [x, y], [cap]))[1]), [150, null]);
    const matching = await run('asPercent', [y, x], [series('h.2.cap', [6, 6]), series('h.1.cap', [2, 6])]);
    assert.deepEqual(matching.map((s) => s.name), ['asPercent(h.1.used,h.1.cap)', 'asPercent(h.2.used,h.2.cap)']);
    const byNode = await run('asPercent', [x, y], [series('h.1.cap', [2, 6])], 1);
    assert.deepEqual(byNode.map((s) => s.name), ['asPercent(h.1.used,h.1.cap)', 'asPercent(h.2.used,MISSING)']);
    assert.deepEqual(points(byNode[1]), [null, null]);
    await assert.rejects(run('asPercent', [x, y, cap], [x, y]), QueryError);
  });

  it('divideSeries divides by one series; null for 0 or null; MISSING without a divisor', async () => {
    const [q] = await run('divideSeries', [series('n', [10, 10, null, 10])], [series('d', [2, 0, 5, null])]);
    assert.equal(q.name, 'divideSeries(n,d)');
    assert.deepEqual(points(q), [5, null, null, null]);
    const [missing] = await run('divideSeries', [series('n', [1])], []);
    assert.deepEqual([missing.name, points(missing)], ['divideSeries(n,MISSING)', [null]]);
    await assert.rejects(run('divideSeries', [a], [a, b]), /exactly 1 series \(got 2\)/);
    const lists = await run('divideSeriesLists', [series('n1', [4]), series('n2', [9])], [series('d1', [2]), series('d2', [3])]);
    assert.deepEqual(lists.map((s) => [s.name, points(s)]), [
      ['divideSeries(n1,d1)', [2]],
      ['divideSeries(n2,d2)', [3]],
    ]);
  });

  it('percentileOfSeries takes the NIST percentile across series at each point', async () => {
    const inputs = [series('p.a', [1, 5], 0, 10, 'p.*'), series('p.b', [2, null], 0, 10, 'p.*'), series('p.c', [3, 7], 0, 10, 'p.*'), series('p.d', [4, 9], 0, 10, 'p.*')];
    const [p50] = await run('percentileOfSeries', inputs, 50);
    assert.equal(p50.name, 'percentileOfSeries(p.*,50)');
    assert.deepEqual(points(p50), [3, 7]);
    assert.deepEqual(points((await run('percentileOfSeries', inputs, 50, true))[0]), [2.5, 7]);
  });
});
