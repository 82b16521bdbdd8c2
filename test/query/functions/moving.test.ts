import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { points, series } from './function-harness.js';
import { rangeContext, runIn } from './range-harness.js';

describe('moving functions', () => {
  it('exponentialMovingAverage seeds with the first window average, then ema = c * v + (1 - c) * ema', async () => {
    const full = series('x', [2, 4, null, 8, 10], 0, 1);
    const { context, rereads } = rangeContext(2, 5, () => [full]);
    const [ema] = await runIn(context, 'exponentialMovingAverage', [series('x', [null, 8, 10], 2, 1)], 2);
    assert.deepEqual(rereads, [{ target: 'x', from: 0, until: 5 }]);
    // c = 2/3: 3, then null, then 2/3*8 + 1/3*3, then 2/3*10 + 1/3*that, rounded to 6 places.
    assert.deepEqual([ema.name, ema.start, points(ema)], ['exponentialMovingAverage(x,2)', 2, [3, null, 6.333333, 8.777778]]);
  });
});
