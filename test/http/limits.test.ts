import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkPointsLimit,
  checkSeriesLimit,
  DEFAULT_RENDER_LIMITS,
  RequestLimitError,
  resolveRenderLimits,
  withTimeLimit,
} from '../../src/http/limits.js';

describe('render limits', () => {
  it('passes counts up to the limit and refuses one more, naming the setting', () => {
    const limits = resolveRenderLimits({ maxSeries: 10, maxPoints: 100 });
    checkSeriesLimit(10, limits);
    checkPointsLimit(100, limits);
    assert.throws(
      () => checkSeriesLimit(11, limits),
      (e: unknown) => e instanceof RequestLimitError && e.status === 422 && e.limit === 'render.maxSeries' && e.message === 'too many series: 11 matched, the limit is 10 (render.maxSeries)',
    );
    assert.throws(() => checkPointsLimit(101, limits), /too many points: 101 requested, the limit is 100 \(render\.maxPoints\)/);
  });

  it('fills missing limits with the defaults', () => {
    assert.deepEqual(resolveRenderLimits({ maxSeries: 3 }), { ...DEFAULT_RENDER_LIMITS, maxSeries: 3 });
  });

  it('gives up on slow work with a 503, and passes fast work through', async () => {
    const limits = resolveRenderLimits({ timeoutMs: 10 });
    const slow = new Promise((resolve) => setTimeout(() => resolve('late'), 200));
    await assert.rejects(withTimeLimit(slow, limits), (e: unknown) => e instanceof RequestLimitError && e.status === 503);
    assert.equal(await withTimeLimit(Promise.resolve('fast'), limits), 'fast');
  });
});
