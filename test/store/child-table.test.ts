import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildTable } from '../../src/store/child-table.js';

test('finds each (parent, name) child through growth and deletions, as a Map would', () => {
  const table = new ChildTable();
  const model = new Map<string, number>();
  let seed = 11;
  const random = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  for (let step = 0; step < 30_000; step++) {
    const parent = random(40);
    const name = random(500);
    const key = `${parent}/${name}`;
    const known = model.get(key);
    assert.equal(table.get(parent, name), known ?? -1);
    if (known === undefined) {
      table.set(parent, name, step);
      model.set(key, step);
    } else if (random(2) === 0) {
      table.delete(parent, name);
      model.delete(key);
    }
  }
  for (const [key, child] of model) {
    const [parent, name] = key.split('/').map(Number);
    assert.equal(table.get(parent, name), child);
  }
});
