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

test('lookups after a prefetch find the same ids, in or out of the prefetched order', () => {
  const names: string[] = [];
  const table = new NameTable(names);
  const add = (name: string): void => {
    names.push(name);
    table.insert(name, names.length - 1);
  };
  for (let i = 0; i < 1000; i++) add(`old.host_${i % 10}.m${i}`);
  const burst = Array.from({ length: 300 }, (_, i) => (i % 5 === 0 ? `old.host_${i % 10}.m${i}` : `new.host_${i % 10}.m${i}`));
  table.prefetch(burst, 0, 200);
  // In order, with a name looked up out of turn (it must not take the next prefetched hash).
  assert.equal(table.find('old.host_3.m13'), 13);
  for (let i = 0; i < 300; i++) {
    const found = table.find(burst[i]);
    if (i % 5 === 0) assert.equal(found, i, burst[i]);
    else {
      assert.equal(found, -1, burst[i]);
      add(burst[i]);
      assert.equal(table.find(burst[i]), names.length - 1);
    }
  }
  // Last components only: whole-name lookups must not take those hashes.
  table.prefetch(['x.new.one', 'x.old.host_1.m1'], 0, 2, true);
  assert.equal(table.find('old.host_1.m1'), 1);
  assert.equal(table.find('x.new.one'), -1);
});

test('last components looked up with their prefetched paths take the prefetched hashes, and only for the right path', () => {
  const names: string[] = [];
  const table = new NameTable(names);
  for (let i = 0; i < 500; i++) {
    names.push(`m${i}`);
    table.insert(`m${i}`, i);
  }
  const paths = Array.from({ length: 100 }, (_, i) => `a.host_${i % 7}.m${i * 3}`);
  table.prefetch(paths, 0, paths.length, true);
  // Out of turn, and with a path that is not the next prefetched one: hashed afresh, still found.
  assert.equal(table.find('m499', 'a.b.m499'), 499);
  assert.equal(table.find('m6', paths[2]), 6);
  for (let i = 0; i < paths.length; i++) assert.equal(table.find(`m${i * 3}`, paths[i]), i * 3, paths[i]);
  for (let i = 0; i < 50; i++) {
    const leaf = `n${i}`;
    table.prefetch([`b.${leaf}`], 0, 1, true);
    assert.equal(table.find(leaf, `b.${leaf}`), -1);
    names.push(leaf);
    table.insert(leaf, names.length - 1);
    assert.equal(table.find(leaf), names.length - 1);
  }
});
