import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PathTrie, splitPattern, type TrieMatch } from '../../src/store/path-trie.js';

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
  const view = ({ path, name, isLeaf, isBranch }: TrieMatch) => ({ path, name, isLeaf, isBranch });
  assert.deepEqual(t.find('web.*').map(view), [
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

test('find answers with read-only views of the tree: a caller cannot change it through them', () => {
  const t = trie('a.b', 'a.c.d');
  const [b] = t.find('a.b');
  assert.throws(() => {
    (b as { isLeaf: boolean }).isLeaf = false;
  }, TypeError);
  assert.deepEqual(t.match('a.*'), ['a.b']);
});

test('find and match come out in path order, level by level, however names were added', () => {
  const names = ['b.y.2', 'a.z.1', 'b.x.1', 'a.z', 'c.q', 'a.y.3', 'b.x.0', 'a.y.1'];
  const t = trie(...names);
  assert.deepEqual(t.match('*.*.*'), ['a.y.1', 'a.y.3', 'a.z.1', 'b.x.0', 'b.x.1', 'b.y.2']);
  assert.deepEqual(
    t.find('*.*').map((m) => `${m.path}:${m.isLeaf ? 'L' : ''}${m.isBranch ? 'B' : ''}`),
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
