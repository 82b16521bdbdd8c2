import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { points, run, series } from './function-harness.js';

describe('stdev', () => {
  const s = series('a.b', [1, 2, 3, 4, null, 6]);

  it('is the population standard deviation of the last `points` points, this one included', async () => {
    const [deviation] = await run('stdev', [s], 3);
    // Windows: [1], [1,2], [1,2,3], [2,3,4], [3,4,null], [4,null,6].
    const third = Math.sqrt(3 * 14 - 6 ** 2) / 3;
    assert.deepEqual([deviation.name, deviation.pathExpression, deviation.tags.stdev], ['stdev(a.b,3)', 'stdev(a.b,3)', '3']);
    assert.deepEqual(points(deviation), [0, 0.5, third, third, 0.5, 1]);
  });

  it('is null where the known share of the window is below windowTolerance', async () => {
    const third = Math.sqrt(6) / 3;
    assert.deepEqual(points((await run('stdev', [s], 3, 1))[0]), [null, null, third, third, null, null]);
    await assert.rejects(run('stdev', [s], 0), /points must be a positive number/);
  });
});
