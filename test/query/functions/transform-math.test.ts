import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { points, run, series } from './function-harness.js';

describe('per-point math transforms', () => {
  it('pow raises to a constant, null where Python cannot, named with %g', async () => {
    const [squared] = await run('pow', [series('a.b', [2, null, -8, 0])], 2);
    assert.deepEqual([squared.name, squared.pathExpression, squared.tags.pow, points(squared)], ['pow(a.b,2)', 'pow(a.b,2)', '2', [4, null, 64, 0]]);
    assert.deepEqual(points((await run('pow', [series('a.b', [4, -8])], 1.5))[0]), [8, null]);
    assert.deepEqual(points((await run('pow', [series('a.b', [0, 2])], -1))[0]), [null, 0.5]);
    assert.equal((await run('pow', [series('a.b', [1])], 0.5))[0].name, 'pow(a.b,0.5)');
  });

  it('squareRoot, null for negative points', async () => {
    const [root] = await run('squareRoot', [series('a.b', [4, null, -1, 2.25])]);
    assert.deepEqual([root.name, root.tags.squareRoot, points(root)], ['squareRoot(a.b)', '1', [2, null, null, 1.5]]);
  });

  it('round halves to even; named round(x) without a precision and round(x,N) with one', async () => {
    const s = series('a.b', [1.5, 2.5, -2.5, null, 0.125]);
    const [whole] = await run('round', [s]);
    assert.deepEqual([whole.name, whole.tags.round, points(whole)], ['round(a.b)', '0', [2, 2, -2, null, 0]]);
    const [cents] = await run('round', [s], 2);
    assert.deepEqual([cents.name, cents.tags.round, points(cents)], ['round(a.b,2)', '2', [1.5, 2.5, -2.5, null, 0.12]]);
    const [tens] = await run('round', [series('a.b', [15, 25, 1234])], -1);
    assert.deepEqual([tens.name, points(tens)], ['round(a.b,-1)', [20, 20, 1230]]);
    assert.deepEqual(points(s), [1.5, 2.5, -2.5, null, 0.125], 'the input is left as it was');
  });

  it('minMax scales to [0, 1]; a flat series is all 0', async () => {
    const [scaled] = await run('minMax', [series('a.b', [1, null, 3, 5])]);
    assert.deepEqual([scaled.name, scaled.pathExpression, points(scaled)], ['minMax(a.b)', 'minMax(a.b)', [0, null, 0.5, 1]]);
    assert.deepEqual(points((await run('minMax', [series('a.b', [2, 2, null])]))[0]), [0, 0, null]);
  });

  it('offsetToZero subtracts the minimum and tags it', async () => {
    const [shifted] = await run('offsetToZero', [series('a.b', [3, null, 5, 4])]);
    assert.deepEqual([shifted.name, shifted.tags.offsetToZero, points(shifted)], ['offsetToZero(a.b)', '3.0', [0, null, 2, 1]]);
  });

  it('add adds a constant, named with the constant as %d', async () => {
    const [added] = await run('add', [series('a.b', [1, null])], 2.5);
    assert.deepEqual([added.name, added.tags.add, points(added)], ['add(a.b,2)', '2.5', [3.5, null]]);
    assert.equal((await run('add', [series('a.b', [1])], -1.5))[0].name, 'add(a.b,-1)');
  });

  it('exp, sigmoid and logit', async () => {
    const [e] = await run('exp', [series('a.b', [0, 1, null])]);
    assert.deepEqual([e.name, e.tags.exp, points(e)], ['exp(a.b)', 'e', [1, Math.E, null]]);
    const [sigmoid] = await run('sigmoid', [series('a.b', [0, null, -800])]);
    assert.deepEqual([sigmoid.name, sigmoid.tags.sigmoid, points(sigmoid)], ['sigmoid(a.b)', 'sigmoid', [0.5, null, 0]]);
    const [logit] = await run('logit', [series('a.b', [0.5, 0.75, 1, 0, 2, null])]);
    // log(0.75 / 0.25) = ln 3 (V8's Math.log(3) is one ulp below glibc's 1.0986122886681098); 1, 0 and 2 raise in Python, so None.
    assert.deepEqual([logit.name, logit.tags.logit, points(logit)], ['logit(a.b)', 'logit', [0, Math.log(3), null, null, null, null]]);
  });
});
