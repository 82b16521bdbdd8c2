import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PathTrie, splitPattern } from '../../src/store/path-trie.js';
import { TREE_BRANCH, TREE_LEAF, type TreeNodes } from '../../src/store/series-store.js';
import { blockOf } from '../support/name-blocks.js';
import { hashName } from '../../src/names/name-hash.js';

/** A find answer as plain objects. */
function listed(nodes: TreeNodes): { path: string; name: string; isLeaf: boolean; isBranch: boolean }[] {
  const list = [];
  for (let i = 0; i < nodes.length; i++) list.push({
      path: nodes.path(i),
      name: nodes.name(i),
      isLeaf: (nodes.kinds[i] & TREE_LEAF) !== 0,
      isBranch: (nodes.kinds[i] & TREE_BRANCH) !== 0,
    });
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
  assert.equal(nodes.nameIds[0], nodes.nameIds[1]);
  assert.notEqual(nodes.nameIds[1], nodes.nameIds[2]);
  for (const id of nodes.nameIds) assert.ok(id < nodes.nameIdLimit);
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

test('adds and removes in any order agree with a plain list of names (runs moved, compacted, mapped past 16 children)', () => {
  // A small deterministic generator: the same sequence on every run.
  let seed = 12345;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const t = new PathTrie();
  const names = new Set<string>();
  for (let round = 0; round < 30_000; round++) {
    // Wide levels (40 hosts, past the scan limit) and deep ones; `x-1` beside `x` orders differently node by node.
    const name = [`t${random(3)}`, `h${random(40)}`, ...(random(2) === 0 ? ['x', 'x-1'][random(2)] : []), `m${random(25)}`].join('.');
    // Phases of mostly adding and mostly removing leave moved and emptied runs behind: compaction.
    if (random(6) < (Math.floor(round / 2_500) % 2 === 1 ? 5 : 1)) {
      t.remove(name);
      names.delete(name);
    } else {
      // Half as strings, half as a carbon worker's block of bytes: the two must build one tree.
      if (random(2) === 0) t.add(name);
      else {
        const block = blockOf([name]);
        t.prefetchIn(block, 0, 1);
        t.addIn(block, 0);
      }
      names.add(name);
    }
    if (round % 1_500 !== 1_499) continue;
    assert.equal(t.size, names.size);
    for (const pattern of ['*.*.*', '*.*.*.*', 't1.*', 't1.h3*.*', '*.h1?.x.m1', 't2.{h1,h2}.*.m[0-4]']) {
      const depth = pattern.split('.').length;
      const expected = new Map<string, { leaf: boolean; branch: boolean }>();
      for (const n of names) {
        const parts = n.split('.');
        if (parts.length < depth) continue;
        const path = parts.slice(0, depth).join('.');
        const node = expected.get(path) ?? { leaf: false, branch: false };
        if (parts.length === depth) node.leaf = true;
        else node.branch = true;
        expected.set(path, node);
      }
      const matcher = new RegExp(`^${pattern.replaceAll('.', '\\.').replaceAll('*', '[^.]*').replaceAll('?', '[^.]').replace(/\{(.*?)\}/g, (_, a: string) => `(${a.replaceAll(',', '|')})`)}$`);
      const byNode = (a: string, b: string) => {
        const x = a.split('.');
        const y = b.split('.');
        for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
        return 0;
      };
      const paths = [...expected.keys()].filter((p) => matcher.test(p)).sort(byNode);
      const found = listed(t.find(pattern));
      assert.deepEqual(found.map((m) => m.path), paths, pattern);
      for (const m of found) {
        assert.deepEqual({ leaf: m.isLeaf, branch: m.isBranch }, expected.get(m.path), m.path);
        assert.equal(m.name, m.path.slice(m.path.lastIndexOf('.') + 1));
      }
      assert.deepEqual(t.match(pattern), paths.filter((p) => expected.get(p)!.leaf), pattern);
    }
  }
});

test('a parent pruned and its node reused elsewhere is not found again through the parent cache', () => {
  const trie = new PathTrie();
  trie.add('a.b.x');
  trie.add('q.r.s');
  trie.remove('a.b.x'); // frees the nodes of a, a.b and a.b.x
  trie.add('c.d.e'); // reuses them
  trie.add('a.b.y');
  trie.add('q.r.t'); // through the cache
  assert.deepEqual(trie.match('a.b.*'), ['a.b.y']);
  assert.deepEqual(trie.match('c.d.*'), ['c.d.e']);
  assert.deepEqual(trie.match('q.r.*'), ['q.r.s', 'q.r.t']);
  assert.deepEqual(trie.match('*.*.*'), ['a.b.y', 'c.d.e', 'q.r.s', 'q.r.t']);
  assert.equal(trie.size, 4);
});

test('paths with empty components and without dots keep their shape, added as strings or as bytes', () => {
  const paths = ['solo', '.lead', 'a..b', 'a..c', 'trail.', 'x.y'];
  const block = blockOf(paths);
  for (const add of [(trie: PathTrie, k: number) => trie.add(paths[k]), (trie: PathTrie, k: number) => trie.addIn(block, k)]) {
    const trie = new PathTrie();
    trie.prefetchIn(block, 0, block.count);
    for (let k = 0; k < paths.length; k++) add(trie, k);
    assert.deepEqual(trie.match('*'), ['solo']);
    assert.deepEqual(trie.match('*.*'), ['.lead', 'trail.', 'x.y']);
    assert.deepEqual(trie.match('a..*'), ['a..b', 'a..c']);
    assert.equal(trie.size, paths.length);
  }
});

test('a path whose first component is empty, added first, is one node, found and removed like any other', () => {
  const trie = new PathTrie();
  trie.add('.x');
  trie.add('.y');
  trie.addIn(blockOf(['a.']), 0);
  trie.add('b.');
  assert.deepEqual(listed(trie.find('*')).map((m) => m.path), ['', 'a', 'b'], "one '' branch");
  assert.deepEqual(trie.match('*.'), ['a.', 'b.']);
  trie.remove('.x');
  assert.deepEqual(trie.match('*.*'), ['.y', 'a.', 'b.']);
  assert.equal(trie.size, 3);
});

test('a parent whose hash is that of a descendant cached in its slot is not taken for it', () => {
  // FNV-1a steps invert: 'cb.69aaveh' was found to hash as 'cb' (meet in the middle).
  assert.equal(hashName('cb'), hashName('cb.69aaveh'));
  for (const byBytes of [false, true]) {
    const trie = new PathTrie();
    trie.add('cb.69aaveh.leaf');
    if (byBytes) trie.addIn(blockOf(['cb.x']), 0);
    else trie.add('cb.x');
    assert.deepEqual(trie.match('cb.*'), ['cb.x']);
    assert.deepEqual(trie.match('cb.*.*'), ['cb.69aaveh.leaf']);
  }
});

test('a path added as bytes finds the parent cached by a string path, and the other way round', () => {
  const trie = new PathTrie();
  trie.add('p.q.one');
  const block = blockOf(['p.q.two', 'p.q.one', 'r.s.t']);
  for (let k = 0; k < block.count; k++) trie.addIn(block, k);
  trie.add('r.s.u');
  assert.deepEqual(trie.match('*.*.*'), ['p.q.one', 'p.q.two', 'r.s.t', 'r.s.u']);
  assert.equal(trie.size, 4, 'p.q.one once');
  assert.deepEqual(listed(trie.find('*')).map((m) => m.path), ['p', 'r']);
});

test('fuzz: thousands of parents (sets of the cache shared), paths of 60-70 bytes around the cached bytes, non-ASCII parents, removals: the tree holds what was added', () => {
  let seed = 777;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const t = new PathTrie();
  const names = new Set<string>();
  for (let round = 0; round < 20_000; round++) {
    const host = random(3000);
    // Parents `a<h>.<pad>` from a few bytes to past 64; some with a non-ASCII character.
    const pad = (random(5) === 0 ? 'é' : 'p') + 'x'.repeat(host % 70);
    const name = `a${host % 13}.${pad}${host}.m${random(4)}`;
    if (random(4) === 0) {
      t.remove(name);
      names.delete(name);
    } else {
      if (random(2) === 0) t.add(name);
      else t.addIn(blockOf([name]), 0);
      names.add(name);
    }
    if (round % 4000 !== 3999) continue;
    assert.equal(t.size, names.size);
    assert.deepEqual(t.match('*.*.*'), [...names].sort((x, y) => {
      const p = x.split('.');
      const q = y.split('.');
      for (let i = 0; i < 3; i++) if (p[i] !== q[i]) return p[i] < q[i] ? -1 : 1;
      return 0;
    }));
  }
});
