import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { points, run, series } from './function-harness.js';

describe('transform functions', () => {
  const s = series('a.b', [1, null, 3, 6]);

  it('scale and offset, named with %g, tagged, and never writing into their input', async () => {
    const [scaled] = await run('scale', [s], 2.5);
    assert.deepEqual([scaled.name, scaled.pathExpression, points(scaled)], ['scale(a.b,2.5)', 'scale(a.b,2.5)', [2.5, null, 7.5, 15]]);
    assert.equal(scaled.tags.scale, '2.5');
    assert.deepEqual(points(s), [1, null, 3, 6]);
    const [shifted] = await run('offset', [s], -1);
    assert.deepEqual([shifted.name, points(shifted)], ['offset(a.b,-1)', [0, null, 2, 5]]);
  });

  it('derivative, nonNegativeDerivative (wrap and reset rules) and perSecond', async () => {
    assert.deepEqual(points((await run('derivative', [s]))[0]), [null, null, null, 3]);
    const counter = series('c', [1, 5, 3, 4, null, 6]);
    assert.deepEqual(points((await run('nonNegativeDerivative', [counter]))[0]), [null, 4, null, 1, null, null]);
    assert.deepEqual(points((await run('nonNegativeDerivative', [counter], 9))[0]), [null, 4, 8, 1, null, null]);
    assert.deepEqual(points((await run('nonNegativeDerivative', [counter], null, 0))[0]), [null, 4, 3, 1, null, null]);
    const [rate] = await run('perSecond', [series('c', [0, 10, 30, 5], 0, 20)]);
    assert.deepEqual([rate.name, points(rate)], ['perSecond(c)', [null, 0.5, 1, null]]);
  });

  it('integral, isNonNull, absolute, invert, log', async () => {
    assert.deepEqual(points((await run('integral', [s]))[0]), [1, null, 4, 10]);
    assert.deepEqual(points((await run('isNonNull', [s]))[0]), [1, 0, 1, 1]);
    assert.deepEqual(points((await run('absolute', [series('n', [-2, null])]))[0]), [2, null]);
    assert.deepEqual(points((await run('invert', [series('n', [4, 0])]))[0]), [0.25, null]);
    // Python's math.log(1000, 10) is 2.9999999999999996 too.
    const [log] = await run('log', [series('n', [100, 0, -1, 1000])]);
    assert.deepEqual([log.name, points(log)], ['log(n, 10)', [2, null, null, 2.9999999999999996]]);
    assert.deepEqual(points((await run('log', [series('n', [8])], 2))[0]), [3]);
  });

  it('keepLastValue fills gaps up to the limit, never before the first value', async () => {
    const gappy = series('g', [null, 1, null, null, 2, null, null, null, 3, null]);
    const [kept] = await run('keepLastValue', [gappy]);
    assert.deepEqual([kept.name, points(kept)], ['keepLastValue(g)', [null, 1, 1, 1, 2, 2, 2, 2, 3, 3]]);
    assert.deepEqual(points((await run('keepLastValue', [gappy], 2))[0]), [null, 1, 1, 1, 2, null, null, null, 3, 3]);
  });

  it('transformNull with a default and with referenceSeries', async () => {
    const [zeroed] = await run('transformNull', [s]);
    assert.deepEqual([zeroed.name, points(zeroed)], ['transformNull(a.b,0)', [1, 0, 3, 6]]);
    const reference = series('r', [null, null, 1, null]);
    const [referenced] = await run('transformNull', [series('x', [null, null, null, 5])], -1, [reference]);
    assert.deepEqual([referenced.name, points(referenced)], ['transformNull(x,-1,referenceSeries)', [null, null, -1, 5]]);
  });

  it('scaleToSeconds scales per step to per seconds', async () => {
    const [scaled] = await run('scaleToSeconds', [series('x', [10, null], 0, 60)], 1);
    assert.deepEqual([scaled.name, points(scaled)], ['scaleToSeconds(x,1)', [0.166667, null]]);
  });

  it('constantLine spans the request with three points', async () => {
    const [line] = await run('constantLine', 42);
    assert.deepEqual([line.name, line.pathExpression, line.start, line.end, line.step, points(line)], ['42', 'constantLine(42)', 0, 100, 50, [42, 42, 42]]);
  });

  it('consolidateBy sets the consolidation function and the name', async () => {
    const [max] = await run('consolidateBy', [s], 'max');
    assert.deepEqual([max.name, max.consolidationFunc, max.tags.consolidateBy], ['consolidateBy(a.b,"max")', 'max', 'max']);
    assert.equal((await run('consolidateBy', [s], 'avg'))[0].consolidationFunc, 'average');
    await assert.rejects(run('consolidateBy', [s], 'median'), /invalid option 'median'/);
  });
});

describe('transform functions, group A', () => {
  it('integralByInterval restarts the running total every interval from the request start', async () => {
    const [total] = await run('integralByInterval', [series('x', [1, 2, null, 4, 5, 6])], '20s');
    assert.deepEqual([total.name, points(total)], ["integralByInterval(x,'20s')", [1, 3, 0, 4, 5, 11]]);
  });

  it('interpolate fills inner gaps linearly, up to limit nulls', async () => {
    const gappy = series('g', [null, 1, null, null, 4, null]);
    const [filled] = await run('interpolate', [gappy]);
    assert.deepEqual([filled.name, points(filled)], ['interpolate(g)', [null, 1, 2, 3, 4, null]]);
    assert.deepEqual(points((await run('interpolate', [gappy], 1))[0]), [null, 1, null, null, 4, null]);
  });

  it('changed marks the points whose value differs from the last known one', async () => {
    const [changes] = await run('changed', [series('c', [null, 1, 1, 2, null, 2, 3])]);
    assert.deepEqual([changes.name, points(changes)], ['changed(c)', [0, 0, 0, 1, 0, 0, 1]]);
  });

  it('setXFilesFactor (and xFilesFactor) sets the factor and tag, keeping name and data', async () => {
    const x = series('x', [1, null]);
    const [set] = await run('xFilesFactor', [x], 0.5);
    assert.deepEqual([set.name, set.xFilesFactor, set.tags.xFilesFactor, points(set)], ['x', 0.5, '0.5', [1, null]]);
    assert.equal((await run('setXFilesFactor', [x], 1))[0].xFilesFactor, 1);
    assert.equal(x.xFilesFactor, 0);
  });

  it('cumulative is consolidateBy sum', async () => {
    const [summed] = await run('cumulative', [series('x', [1])]);
    assert.deepEqual([summed.name, summed.consolidationFunc], ['consolidateBy(x,"sum")', 'sum']);
  });
});
