import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { run, series } from './function-harness.js';

const names = (list: Array<{ name: string }>): string[] => list.map((s) => s.name);

describe('sort functions', () => {
  const s2 = series('server2', [5, 5]);
  const s11 = series('server11', [1, 1]);
  const s1 = series('server1', [null, 20]);

  it('sortByName alphabetically, naturally and reversed', async () => {
    assert.deepEqual(names(await run('sortByName', [s2, s11, s1])), ['server1', 'server11', 'server2']);
    assert.deepEqual(names(await run('sortByName', [s2, s11, s1], true)), ['server1', 'server2', 'server11']);
    assert.deepEqual(names(await run('sortByName', [s2, s11, s1], false, true)), ['server2', 'server11', 'server1']);
  });

  it('sortByTotal and sortByMaxima largest first; sortByMinima smallest first', async () => {
    assert.deepEqual(names(await run('sortByTotal', [s2, s11, s1])), ['server1', 'server2', 'server11']);
    assert.deepEqual(names(await run('sortByMaxima', [s11, s2, s1])), ['server1', 'server2', 'server11']);
    assert.deepEqual(names(await run('sortByMinima', [s2, s1, s11])), ['server11', 'server2', 'server1']);
    assert.deepEqual(names(await run('sortBy', [s2, s11, s1], 'max', true)), ['server1', 'server2', 'server11']);
  });
});
