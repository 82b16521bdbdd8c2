import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashName, hashNameBytes } from '../../src/names/name-hash.js';
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

test('the empty name asked for first is found again after other names, by string and by bytes', () => {
  const names: string[] = [];
  const table = new NameTable(names, (id, b, start, end) => names[id] === Buffer.from(b.subarray(start, end)).toString('latin1'));
  assert.equal(table.find(''), -1);
  names.push('');
  table.insert('', 0);
  names.push('x');
  table.insert('x', 1);
  assert.equal(table.find(''), 0);
  assert.equal(table.findBytes(Buffer.from('x'), 0, 0, hashNameBytes(Buffer.from('x'), 0, 0)), 0);
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

test('names inserted by their byte hashes are found by string and by bytes, and names inserted as strings by bytes', () => {
  const names: string[] = [];
  const bytes = Buffer.from('x.host_1.m0 y.host_2.m1 z.m2');
  const bytesAre = (id: number, b: Uint8Array, start: number, end: number): boolean => names[id] === Buffer.from(b.subarray(start, end)).toString('latin1');
  const table = new NameTable(names, bytesAre);
  // Names in bytes[0, 11), [12, 23), [24, 28).
  const ranges: [number, number][] = [[0, 11], [12, 23], [24, 28]];
  for (const [start, end] of ranges.slice(0, 2)) {
    names.push(bytes.toString('latin1', start, end));
    table.insertHashed(hashNameBytes(bytes, start, end), names.length - 1);
  }
  names.push('z.m2');
  table.insert('z.m2', 2);
  for (let id = 0; id < 3; id++) {
    const [start, end] = ranges[id];
    assert.equal(table.find(names[id]), id);
    assert.equal(table.findBytes(bytes, start, end, hashNameBytes(bytes, start, end)), id);
  }
  assert.equal(table.findBytes(bytes, 0, 10, hashNameBytes(bytes, 0, 10)), -1, 'a prefix is another name');
  assert.equal(table.find('x.host_1.m'), -1);
});

test('a prefetch changes no answer, whatever hashes it was given', () => {
  const names: string[] = [];
  const table = new NameTable(names);
  for (let i = 0; i < 1000; i++) {
    names.push(`old.host_${i % 10}.m${i}`);
    table.insert(names[i], i);
  }
  const hashes = Int32Array.from({ length: 600 }, (_, i) => (i % 2 === 0 ? hashName(`old.host_${i % 10}.m${i}`) : i * 7919));
  table.prefetch(hashes, 1, 300, 2);
  for (let i = 0; i < 1000; i++) assert.equal(table.find(`old.host_${i % 10}.m${i}`), i);
  assert.equal(table.find('new.host_1.m1'), -1);
});
