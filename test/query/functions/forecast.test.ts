import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SERIES_FUNCTIONS } from '../../../src/query/functions/index.js';
import { points, series } from './function-harness.js';
import { rangeContext, runIn } from './range-harness.js';

/** x over t = 0..5 (step 1); a read returns the points in [from, until). */
const history = [1, 3, null, 4, 6, 5];
const fetchX = (_target: string, from: number, until: number) => [series('x', history.slice(from, until), from, 1)];

describe('forecast functions', () => {
  // Expected values from graphite-web's holtWintersAnalysis run on the same input (season of 2 points).
  it('holtWintersForecast reads the bootstrap before the request and keeps the request part', async () => {
    const { context, rereads } = rangeContext(3, 6, fetchX);
    const [forecast] = await runIn(context, 'holtWintersForecast', fetchX('x', 3, 6), '3s', '2s');
    assert.deepEqual(rereads, [{ target: 'x', from: 0, until: 6 }]);
    assert.deepEqual([forecast.name, forecast.start, forecast.step, points(forecast)], ['holtWintersForecast(x)', 3, 1, [null, 3.9819370000000003, 4.348186622050001]]);
    assert.equal(forecast.tags.holtWintersForecast, '1');
    assert.deepEqual(SERIES_FUNCTIONS.get('holtWintersForecast')!.prefetchRanges!([{ kind: 'path', path: 'x', position: 0 }], 3, 6), [[3 - 7 * 86_400, 6]]);
  });

  it('holtWintersConfidenceBands: lower then upper, delta deviations around the forecast', async () => {
    const { context } = rangeContext(3, 6, fetchX);
    const [lower, upper] = await runIn(context, 'holtWintersConfidenceBands', fetchX('x', 3, 6), 3, '3s', '2s');
    assert.deepEqual([lower.name, lower.pathExpression, points(lower)], ['holtWintersConfidenceLower(x)', 'x', [null, 3.3765181, 2.586642608665001]]);
    assert.deepEqual([upper.name, points(upper)], ['holtWintersConfidenceUpper(x)', [null, 4.5873559, 6.109730635435001]]);
  });

  it('holtWintersConfidenceArea names both bands after the area', async () => {
    const { context } = rangeContext(3, 6, fetchX);
    const area = await runIn(context, 'holtWintersConfidenceArea', fetchX('x', 3, 6), 3, '3s', '2s');
    assert.deepEqual(
      area.map((s) => [s.name, s.tags.holtWintersConfidenceArea]),
      [
        ['holtWintersConfidenceArea(x)', '1'],
        ['holtWintersConfidenceArea(x)', '1'],
      ],
    );
    const two = rangeContext(3, 6, () => [...fetchX('x', 0, 6), series('y', [1, 2, 3, 4, 5, 6], 0, 1)]);
    await assert.rejects(runIn(two.context, 'holtWintersConfidenceArea', [], 3, '3s', '2s'), /exactly 2 series \(got 4\)/);
  });

  it('holtWintersAberration: the distance outside the bands, 0 inside', async () => {
    const { context } = rangeContext(3, 6, fetchX);
    const [aberration] = await runIn(context, 'holtWintersAberration', fetchX('x', 3, 6), 1, '3s', '2s');
    assert.deepEqual([aberration.name, aberration.start, points(aberration)], ['holtWintersAberration(x)', 3, [0, 1.8162566999999994, 0.0646320401549989]]);
  });

  it('linearRegression fits the known points by least squares over the source range', async () => {
    const x = series('x', [1, null, 5, 7], 10, 10);
    const { context, rereads } = rangeContext(10, 50, () => [x]);
    const [line] = await runIn(context, 'linearRegression', [x]);
    assert.deepEqual(rereads, [{ target: 'x', from: 10, until: 50 }]);
    assert.deepEqual([line.name, line.pathExpression, points(line)], ['linearRegression(x, 10, 50)', 'linearRegression(x, 10, 50)', [1, 3, 5, 7]]);
    assert.equal(line.tags.linearRegressions, '10, 50');
    await runIn(context, 'linearRegression', [x], '-20s', 45);
    assert.deepEqual(rereads[1], { target: 'x', from: 30, until: 45 });
  });
});
