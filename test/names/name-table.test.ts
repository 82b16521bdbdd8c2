import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NameTable } from '../../src/names/name-table.js';

test('finds what was inserted, through growth and removals, as a Map would', () => {
  const names: (string | undefined)[] = [];
  const table = new NameTable(names);
  const model = new Map<string, number>();
  let seed = 7;
  const random = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  for (let step = 0; step < 20_000; step++) {
    const name = `a.b.m${random(3000)}`;
    const known = model.get(name);
    assert.equal(table.find(name), known ?? -1);
    if (known === undefined) {
      const id = names.length;
      names.push(name);
      table.insert(name, id);
      model.set(name, id);
    } else if (random(3) === 0) {
      table.remove(known);
      names[known] = undefined;
      model.delete(name);
    }
    assert.equal(table.size, model.size);
  }
  for (const [name, id] of model) assert.equal(table.find(name), id);
});

test('names whose hashes collide stay apart', () => {
  // FNV-1a hashes 32-bit values; a table of one slot pair in four makes clusters regardless.
  const names = Array.from({ length: 5000 }, (_, i) => `x${i}`);
  const table = new NameTable(names);
  names.forEach((name, id) => table.insert(name, id));
  for (let id = 0; id < names.length; id += 2) table.remove(id);
  for (let id = 1; id < names.length; id += 2) assert.equal(table.find(names[id]), id);
  assert.equal(table.find('x0'), -1);
});
