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

describe('verticalLine', () => {
  it('is two points at the given time, named by its label; the time must be inside the request', async () => {
    const [line] = await run('verticalLine', '-50s', 'deploy');
    assert.deepEqual([line.name, line.start, line.end, line.step, points(line)], ['deploy', 50, 50, 1, [1, 1]]);
    await assert.rejects(run('verticalLine', 200), /timestamp 200 exists after end of range/);
    await assert.rejects(run('verticalLine', '-200s'), /exists before start of range/);
  });
});
