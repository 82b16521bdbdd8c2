import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Series } from '../../../src/query/series.js';
import { points, run, series } from './function-harness.js';
import { rangeContext, runIn } from './range-harness.js';

const cpu = [series('a.x.cpu', [1, 2]), series('a.y.cpu', [3, 4]), series('b.x.cpu', [5, null])];

describe('combine-by-name functions', () => {
  it('aggregateWithWildcards and its sum/average/multiply forms group by the name without the positions', async () => {
    const summed = await run('aggregateWithWildcards', cpu, 'sum', 1);
    assert.deepEqual(summed.map((s) => [s.name, points(s)]), [['a.cpu', [4, 6]], ['b.cpu', [5, null]]]);
    assert.deepEqual((await run('sumSeriesWithWildcards', cpu, 1)).map(points), [[4, 6], [5, null]]);
    assert.deepEqual(points((await run('averageSeriesWithWildcards', cpu, 1))[0]), [2, 3]);
    assert.deepEqual(points((await run('multiplySeriesWithWildcards', cpu, 1))[0]), [3, 8]);
    assert.equal((await run('aggregateWithWildcards', cpu, 'sum', 0, 1))[0].name, 'cpu');
  });

  it('applyByNode evaluates the template once per prefix, renamed by newName', async () => {
    const list = [series('s.a.x', [1], 100), series('s.b.x', [2], 100), series('s.a.y', [3], 100)];
    const { context, rereads } = rangeContext(100, 110, (target) => [series(target, [7], 100)]);
    const results = await runIn(context, 'applyByNode', list, 1, 'sumSeries(%.*)', '%.total');
    assert.deepEqual(rereads.map((r) => r.target), ['sumSeries(s.a.*)', 'sumSeries(s.b.*)']);
    assert.deepEqual(results.map((s) => [s.name, s.pathExpression]), [['s.a.total', 's.a'], ['s.b.total', 's.b']]);
  });

  it('mapSeries and reduceSeries call the function per group with the matched series in order', async () => {
    const disks = [
      series('servers.s1.disk.used', [50]),
      series('servers.s2.disk.total', [60]),
      series('servers.s1.disk.total', [100]),
      series('servers.s2.disk.used', [30]),
    ];
    const mapped = (await run('map', disks, 1)) as unknown as Series[][];
    assert.deepEqual(mapped.map((group) => group.map((s) => s.name)), [
      ['servers.s1.disk.used', 'servers.s1.disk.total'],
      ['servers.s2.disk.total', 'servers.s2.disk.used'],
    ]);
    const reduced = await run('reduceSeries', mapped, 'asPercent', 3, 'used', 'total');
    assert.deepEqual(reduced.map((s) => [s.name, points(s)]), [['servers.s1.disk.reduce.asPercent', [50]], ['servers.s2.disk.reduce.asPercent', [50]]]);
  });

  it('weightedAverage: sum(avg * weight) / sum(weight), paired by node', async () => {
    const averages = [series('a.mean', [10, 20]), series('b.mean', [30, null])];
    const weights = [series('b.count', [3, 4]), series('a.count', [1, 2])];
    const [result] = await run('weightedAverage', averages, weights, 0);
    assert.deepEqual([result.name, points(result)], ['weightedAverage(a.mean,b.mean, a.count,b.count, 0)', [25, 40 / 6]]);
    await assert.rejects(run('weightedAverage', averages, [weights[0]], 0), /same number of series/);
  });
});
