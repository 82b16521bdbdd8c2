import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { points, run, series } from './function-harness.js';

describe('graph-styling functions', () => {
  const s = series('a.b', [1, null, 3]);

  it('leave the data unchanged', async () => {
    for (const [name, ...args] of [['color', 'red'], ['lineWidth', 2], ['alpha', 0.5], ['dashed'], ['secondYAxis'], ['stacked'], ['drawAsInfinite']] as const) {
      const [out] = await run(name, [s], ...args);
      assert.deepEqual(points(out), [1, null, 3], name);
    }
  });

  it('rename as graphite-web does', async () => {
    assert.equal((await run('color', [s], 'red'))[0].name, 'a.b');
    assert.equal((await run('dashed', [s]))[0].name, 'dashed(a.b, 5)');
    assert.equal((await run('secondYAxis', [s]))[0].name, 'secondYAxis(a.b)');
    assert.equal((await run('stacked', [s]))[0].name, 'stacked(a.b)');
  });
});
