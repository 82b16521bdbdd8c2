import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { points, run, series } from './function-harness.js';
import { rangeContext, runIn } from './range-harness.js';

const low = series('s.low', [1, 2, 3]);
const high = series('s.high', [10, 20, 5]);
const empty = series('s.empty', [null, null, null]);
const names = (list: Array<{ name: string }>): string[] => list.map((s) => s.name);

describe('filter functions', () => {
  it('removeAboveValue / removeBelowValue null out points, named with %g', async () => {
    const [above] = await run('removeAboveValue', [high], 10);
    assert.deepEqual([above.name, points(above)], ['removeAboveValue(s.high, 10)', [10, null, 5]]);
    const [below] = await run('removeBelowValue', [high], 7.5);
    assert.deepEqual([below.name, points(below)], ['removeBelowValue(s.high, 7.5)', [10, 20, null]]);
  });

  it('limit, exclude and grep', async () => {
    assert.deepEqual(names(await run('limit', [low, high, empty], 2)), ['s.low', 's.high']);
    assert.deepEqual(names(await run('exclude', [low, high, empty], 'h|e')), ['s.low']);
    assert.deepEqual(names(await run('grep', [low, high, empty], '^s\\.h')), ['s.high']);
  });

  it('highestAverage, highestCurrent, highestMax, lowestAverage (nulls rank lowest)', async () => {
    assert.deepEqual(names(await run('highestAverage', [low, empty, high], 2)), ['s.high', 's.low']);
    assert.deepEqual(names(await run('highestCurrent', [low, high], 1)), ['s.high']);
    assert.deepEqual(names(await run('highestMax', [high, low], 1)), ['s.high']);
    assert.deepEqual(names(await run('lowestAverage', [high, low, empty], 1)), ['s.empty']);
    assert.deepEqual(names(await run('highest', [low, high], 1, 'min')), ['s.high']);
  });

  it('averageAbove/Below and currentAbove/Below (a null aggregate counts as below)', async () => {
    assert.deepEqual(names(await run('averageAbove', [low, high, empty], 2)), ['s.high']);
    assert.deepEqual(names(await run('averageBelow', [low, high, empty], 2)), ['s.low', 's.empty']);
    assert.deepEqual(names(await run('currentAbove', [low, high, empty], 4)), ['s.high']);
    assert.deepEqual(names(await run('currentBelow', [low, high, empty], 4)), ['s.low', 's.empty']);
    assert.deepEqual(names(await run('filterSeries', [low, high], 'max', '>=', 20)), ['s.high']);
  });

  it('nPercentile draws each series percentile as a line', async () => {
    const [p] = await run('nPercentile', [series('x', [5, 1, null, 3])], 50);
    assert.deepEqual([p.name, points(p)], ['nPercentile(x, 50)', [3, 3, 3, 3]]);
  });

  it('removeEmptySeries, unique and fallbackSeries', async () => {
    assert.deepEqual(names(await run('removeEmptySeries', [low, empty])), ['s.low']);
    assert.deepEqual(names(await run('unique', [low, high], [low])), ['s.low', 's.high']);
    assert.deepEqual(names(await run('fallbackSeries', [], [low])), ['s.low']);
    assert.deepEqual(names(await run('fallbackSeries', [high], [low])), ['s.high']);
  });
});

describe('filters, group A', () => {
  it('useSeriesAbove draws the renamed series of those whose maximum is above the value', async () => {
    const { context, rereads } = rangeContext(0, 30, (target) => [series(target.replace(/^group\((.*)\)$/, '$1'), [9])]);
    const found = await runIn(context, 'useSeriesAbove', [series('a.reqs', [20, 1]), series('b.reqs', [5, null])], 10, 'reqs', 'time');
    assert.deepEqual(rereads.map((r) => r.target), ['group(a.time)']);
    assert.deepEqual(found.map((s) => s.name), ['a.time']);
  });

  it('mostDeviant keeps the n series of largest variance', async () => {
    const list = [series('a', [1, 1, 1]), series('b', [0, 10]), series('c', [2, null, 4])];
    assert.deepEqual((await run('mostDeviant', list, 2)).map((s) => s.name), ['b', 'c']);
  });

  it('averageOutsidePercentile drops the series whose average is strictly inside the band', async () => {
    const list = [1, 2, 3, 4, 5].map((v, i) => series(`s${i}`, [v, v]));
    assert.deepEqual((await run('averageOutsidePercentile', list, 75)).map((s) => s.name), ['s0', 's1', 's4']);
    assert.deepEqual((await run('averageOutsidePercentile', list, 25)).map((s) => s.name), ['s0', 's1', 's4']);
  });

  it('removeBetweenPercentile keeps series with a point outside the per-time band', async () => {
    const list = [series('a', [1]), series('b', [2]), series('c', [3]), series('d', [4]), series('e', [null])];
    assert.deepEqual((await run('removeBetweenPercentile', list, 70)).map((s) => s.name), ['a', 'b', 'd', 'e']);
  });

  it('aggregateLine draws each aggregate across the graph, or on the series grid', async () => {
    const [line] = await run('aggregateLine', [series('x', [1, 2, 3, 6])]);
    assert.deepEqual([line.name, line.pathExpression, line.start, line.end, points(line)], ['aggregateLine(x, 3)', 'aggregateLine(x, 3)', 0, 100, [3, 3, 3]]);
    const [kept] = await run('aggregateLine', [series('x', [1, 2, 3, 6])], 'max', true);
    assert.deepEqual([kept.name, kept.step, points(kept)], ['aggregateLine(x, 6)', 10, [6, 6, 6, 6]]);
    assert.equal((await run('aggregateLine', [series('n', [null])]))[0].name, 'aggregateLine(n, None)');
  });
});
