import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PathTrie, splitPattern } from '../../src/store/path-trie.js';

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
  assert.deepEqual(t.find('web.*'), [
    { path: 'web.a', name: 'a', isLeaf: true, isBranch: true },
    { path: 'web.b', name: 'b', isLeaf: false, isBranch: true },
  ]);
});

test('remove prunes empty branches and keeps the rest', () => {
  const t = trie('a.b.c', 'a.b.d', 'a.x');
  t.remove('a.b.c');
  assert.deepEqual(t.match('a.b.*'), ['a.b.d']);
  t.remove('a.b.d');
  assert.deepEqual(t.find('a.*').map((m) => m.path), ['a.x']);
  t.remove('a.nope');
  assert.equal(t.size, 1);
});

test('patterns split on dots outside braces and brackets', () => {
  assert.deepEqual(splitPattern('a.{b.c,d}.e'), ['a', '{b.c,d}', 'e']);
  assert.deepEqual(splitPattern('a.[.].b'), ['a', '[.]', 'b']);
});
