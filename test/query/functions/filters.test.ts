import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { points, run, series } from './function-harness.js';

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
