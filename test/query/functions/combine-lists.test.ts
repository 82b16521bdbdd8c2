import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { points, run, series } from './function-harness.js';

const x1 = series('x.1', [1, 2, null, 4], 0, 10, 'x.*');
const x2 = series('x.2', [10, 20, 30, 40], 0, 10, 'x.*');
const y1 = series('y.1', [5, null, null, 1], 0, 10, 'y.*');
const y2 = series('y.2', [1, 2, 3, 4], 0, 10, 'y.*');

describe('combining functions over lists', () => {
  it('powSeries folds pow over the series point by point, named by series names', async () => {
    const [powered] = await run('powSeries', [series('a', [2, 3, null, 2])], [series('b', [3, 2, 2, null])]);
    assert.deepEqual([powered.name, points(powered)], ['powSeries(a,b)', [8, 9, null, null]]);
    assert.deepEqual(points((await run('powSeries', [series('a', [2, -8]), series('b', [3, 0.5]), series('c', [2, 1])]))[0]), [64, null]);
    assert.deepEqual(await run('powSeries', []), []);
  });

  it('aggregateSeriesLists aggregates pairs in order, named by the pair, keeping aggregate()s pathExpression', async () => {
    const [first, second] = await run('aggregateSeriesLists', [x1, x2], [y1, y2], 'sum');
    assert.deepEqual([first.name, first.pathExpression, points(first)], ['sumSeries(x.1,y.1)', 'sumSeries(x.*,y.*)', [6, 2, null, 5]]);
    assert.deepEqual([second.name, points(second)], ['sumSeries(x.2,y.2)', [11, 22, 33, 44]]);
    const [average] = await run('aggregateSeriesLists', [x1], [y1], 'avg', 1);
    assert.deepEqual([average.name, points(average)], ['avgSeries(x.1,y.1)', [3, null, null, 2.5]]);
    await assert.rejects(run('aggregateSeriesLists', [x1, x2], [y1], 'sum'), /must have equal length/);
  });

  it('sumSeriesLists, diffSeriesLists and multiplySeriesLists', async () => {
    assert.deepEqual(
      (await run('sumSeriesLists', [x1, x2], [y1, y2])).map((s) => [s.name, points(s)]),
      [
        ['sumSeries(x.1,y.1)', [6, 2, null, 5]],
        ['sumSeries(x.2,y.2)', [11, 22, 33, 44]],
      ],
    );
    assert.deepEqual(
      (await run('diffSeriesLists', [x1, x2], [y1, y2])).map((s) => [s.name, points(s)]),
      [
        ['diffSeries(x.1,y.1)', [-4, 2, null, 3]],
        ['diffSeries(x.2,y.2)', [9, 18, 27, 36]],
      ],
    );
    assert.deepEqual(
      (await run('multiplySeriesLists', [x1, x2], [y1, y2])).map((s) => [s.name, points(s)]),
      [
        ['multiplySeries(x.1,y.1)', [5, null, null, 4]],
        ['multiplySeries(x.2,y.2)', [10, 40, 90, 160]],
      ],
    );
  });
});
