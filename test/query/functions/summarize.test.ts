import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { points, run, series } from './function-harness.js';
import { rangeContext, runIn } from './range-harness.js';

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

describe('smartSummarize and hitcount', () => {
  it('smartSummarize buckets from the series start; alignTo reads again from the aligned start', async () => {
    const x = series('x', [1, 2, 3, 4, 5]);
    const [summed] = await run('smartSummarize', [x], '20s');
    assert.deepEqual([summed.name, summed.start, summed.end, summed.step, points(summed)], ['smartSummarize(x, "20s", "sum")', 0, 60, 20, [3, 7, 5]]);
    assert.equal(summed.tags.smartSummarizeFunction, 'sum');
    const { context, rereads } = rangeContext(70, 130, (target, from) => [series(target, [1, 1, 1, 1, 1, 1, 1], from)]);
    const [aligned] = await runIn(context, 'smartSummarize', [x], '30s', 'max', 'minutes');
    assert.deepEqual(rereads, [{ target: 'x', from: 60, until: 130 }]);
    assert.deepEqual([aligned.start, points(aligned)], [60, [1, 1, 1]]);
    await assert.rejects(run('smartSummarize', [x], '20s', 'sum', 'fortnights'), /invalid option 'fortnights'/);
  });

  it('hitcount spreads each per-second value over the buckets its step overlaps', async () => {
    const [hits] = await run('hitcount', [series('x', [1, null, 3])], '4s');
    // 8 buckets of 4 s ending at 30: the first starts at -2.
    assert.deepEqual([hits.name, hits.start, hits.step, points(hits)], ['hitcount(x, "4s")', -2, 4, [2, 4, 4, null, null, 6, 12, 12]]);
    const { context, rereads } = rangeContext(130, 250, (target, from) => [series(target, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], from)]);
    const [aligned] = await runIn(context, 'hitcount', [], '1min', true);
    assert.deepEqual(rereads, [{ target: 'x', from: 120, until: 250 }]);
    // graphite-web extends the end by one interval past the last whole one: an empty last bucket.
    assert.deepEqual([aligned.name, aligned.start, aligned.end, points(aligned)], ['hitcount(x, "1min", true)', 120, 300, [60, 60, null]]);
  });
});

describe('bucket sizes', () => {
  it('summarize, smartSummarize and hitcount refuse a zero or negative interval with a QueryError naming it', async () => {
    const x = series('x', [1, 2, 3, 4, 5]);
    for (const fn of ['summarize', 'smartSummarize', 'hitcount']) {
      for (const interval of ['0s', '0min', '-1h']) {
        await assert.rejects(run(fn, [x], interval), (error: Error) => error.name === 'QueryError' && error.message === `${fn}(): interval '${interval}' must be positive`);
      }
    }
  });
});
