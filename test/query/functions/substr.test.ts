import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { run, series } from './function-harness.js';

describe('substr', () => {
  const s = series('carbon.agents.hostname.avgUpdateTime', [1]);

  it('names each series by a slice of its path nodes, keeping the pathExpression', async () => {
    const [sliced] = await run('substr', [s], 2, 4);
    assert.deepEqual([sliced.name, sliced.pathExpression], ['hostname.avgUpdateTime', 'carbon.agents.hostname.avgUpdateTime']);
    assert.equal((await run('substr', [s], 1))[0].name, 'agents.hostname.avgUpdateTime');
    assert.equal((await run('substr', [s], -2))[0].name, 'hostname.avgUpdateTime');
    assert.equal((await run('substr', [s]))[0].name, 'carbon.agents.hostname.avgUpdateTime');
  });

  it('reads the innermost path of a function-wrapped name and drops its other arguments', async () => {
    assert.equal((await run('substr', [series('scale(a.b.c,2)', [1])], 1))[0].name, 'b.c');
  });
});
