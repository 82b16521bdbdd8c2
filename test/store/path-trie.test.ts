import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PathTrie, splitPattern } from '../../src/store/path-trie.js';
import type { TreeNodes } from '../../src/store/series-store.js';

/** A find answer as plain objects. */
function listed(nodes: TreeNodes): { path: string; name: string; isLeaf: boolean; isBranch: boolean }[] {
  const list = [];
  for (let i = 0; i < nodes.length; i++) list.push({ path: nodes.path(i), name: nodes.name(i), isLeaf: nodes.isLeaf(i), isBranch: nodes.isBranch(i) });
  return list;
}

function trie(...names: string[]): PathTrie {
  const t = new PathTrie();
  for (const n of names) t.add(n);
  return t;
}

test('plain paths and globs resolve node by node', () => {
  const t = trie('web.a.cpu', 'web.b.cpu', 'web.b.mem', 'db.a.cpu', 'web.a');
  assert.deepEqual(t.match('web.*.cpu'), ['web.a.cpu', 'web.b.cpu']);
  assert.deepEqual(t.match('web.b.cpu'), ['web.b.cpu']);
  assert.deepEqual(t.match('*.a.cpu'), ['db.a.cpu', 'web.a.cpu']);
  assert.deepEqual(t.match('web.{a,b}.{cpu,mem}'), ['web.a.cpu', 'web.b.cpu', 'web.b.mem']);
  assert.deepEqual(t.match('web.[ab].m?m'), ['web.b.mem']);
  assert.deepEqual(t.match('web.*'), ['web.a']);
  assert.deepEqual(t.match('nope.*'), []);
  assert.equal(t.size, 5);
});

test('find reports leaves and branches; a path can be both', () => {
  const t = trie('web.a.cpu', 'web.a', 'web.b.mem');
  assert.deepEqual(listed(t.find('web.*')), [
    { path: 'web.a', name: 'a', isLeaf: true, isBranch: true },
    { path: 'web.b', name: 'b', isLeaf: false, isBranch: true },
  ]);
});

test('remove prunes empty branches and keeps the rest', () => {
  const t = trie('a.b.c', 'a.b.d', 'a.x');
  t.remove('a.b.c');
  assert.deepEqual(t.match('a.b.*'), ['a.b.d']);
  t.remove('a.b.d');
  assert.deepEqual(listed(t.find('a.*')).map((m) => m.path), ['a.x']);
  t.remove('a.nope');
  assert.equal(t.size, 1);
});

test('patterns split on dots outside braces and brackets', () => {
  assert.deepEqual(splitPattern('a.{b.c,d}.e'), ['a', '{b.c,d}', 'e']);
  assert.deepEqual(splitPattern('a.[.].b'), ['a', '[.]', 'b']);
});

test('find names nodes of one name by one id, and ids stay below nameIdLimit', () => {
  const t = trie('a.x.cpu', 'b.y.cpu', 'b.y.mem', 'c.cpu');
  const nodes = t.find('*.*.*');
  assert.deepEqual(listed(nodes).map((m) => m.path), ['a.x.cpu', 'b.y.cpu', 'b.y.mem']);
  assert.equal(nodes.nameId(0), nodes.nameId(1));
  assert.notEqual(nodes.nameId(1), nodes.nameId(2));
  for (let i = 0; i < nodes.length; i++) assert.ok(nodes.nameId(i) < nodes.nameIdLimit);
});

test('find and match come out in path order, level by level, however names were added', () => {
  const names = ['b.y.2', 'a.z.1', 'b.x.1', 'a.z', 'c.q', 'a.y.3', 'b.x.0', 'a.y.1'];
  const t = trie(...names);
  assert.deepEqual(t.match('*.*.*'), ['a.y.1', 'a.y.3', 'a.z.1', 'b.x.0', 'b.x.1', 'b.y.2']);
  assert.deepEqual(
    listed(t.find('*.*')).map((m) => `${m.path}:${m.isLeaf ? 'L' : ''}${m.isBranch ? 'B' : ''}`),
    ['a.y:B', 'a.z:LB', 'b.x:B', 'b.y:B', 'c.q:L'],
  );
  // A change after a walk is seen by the next one (the sorted children are rebuilt).
  t.add('a.w.9');
  t.remove('b.x.0');
  t.remove('b.x.1');
  assert.deepEqual(t.match('*.*.*'), ['a.w.9', 'a.y.1', 'a.y.3', 'a.z.1', 'b.y.2']);
  assert.deepEqual(t.match('{b,c}.*'), ['c.q']);
  assert.equal(t.size, 7);
});
