import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { points, run, series } from './function-harness.js';

describe('summarize', () => {
  // 10 s points from t=30 over 90 s: buckets of 1 min aligned to the minute.
  const s = series('hits', [1, 2, 3, 4, null, 6, 7, 8, 9], 30, 10);

  it('sums into aligned buckets by default, named like graphite-web', async () => {
    const [out] = await run('summarize', [s], '1min');
    assert.equal(out.name, 'summarize(hits, "1min", "sum")');
    assert.deepEqual([out.start, out.step, out.end], [0, 60, 180]);
    assert.deepEqual(points(out), [6, 34, null]);
    assert.deepEqual(out.tags.summarize, '1min');
  });

  it('takes any aggregation function, and aligns to from on request', async () => {
    assert.deepEqual(points((await run('summarize', [s], '1min', 'max'))[0]), [3, 9, null]);
    const [fromAligned] = await run('summarize', [s], '1min', 'avg', true);
    assert.equal(fromAligned.name, 'summarize(hits, "1min", "avg", true)');
    assert.deepEqual([fromAligned.start, points(fromAligned)], [30, [3.2, 8]]);
  });
});
