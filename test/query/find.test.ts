import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findInStore, findNodes, type FoundNodes } from '../../src/query/find.js';
import { PathTrie } from '../../src/store/path-trie.js';
import { QueryError } from '../../src/query/query-error.js';

const names = ['a.b.c', 'a.b.d', 'a.x', 'a.x.y', 'b.q', 'a.z;k=v', 'c'];

const summary = (query: string) => findNodes(names, query).map((n) => `${n.path}:${n.isLeaf ? 'leaf' : 'branch'}`);

describe('findNodes', () => {
  it('rejects a bad pattern with a QueryError naming it', () => {
    assert.throws(() => findNodes(names, 'a.[z-a]'), (error: unknown) => error instanceof QueryError && error.message.includes("'a.[z-a]'"));
  });

  it('lists the children of a path, branch before leaf for the same path', () => {
    assert.deepEqual(summary('a.*'), ['a.b:branch', 'a.x:branch', 'a.x:leaf']);
  });

  it('lists the top level', () => {
    assert.deepEqual(summary('*'), ['a:branch', 'b:branch', 'c:leaf']);
  });

  it('matches plain paths and deeper globs, sorted by node name', () => {
    assert.deepEqual(summary('a.b'), ['a.b:branch']);
    assert.deepEqual(summary('*.*.{d,c}'), ['a.b.c:leaf', 'a.b.d:leaf']);
    assert.deepEqual(summary('a.b.c'), ['a.b.c:leaf']);
  });

  it('finds nothing for paths deeper than any series, and leaves tagged series out', () => {
    assert.deepEqual(summary('a.b.c.d'), []);
    assert.deepEqual(summary('a.z'), []);
  });

  it('names nodes by their last component', () => {
    assert.deepEqual(
      findNodes(names, 'a.b.*').map((n) => n.name),
      ['c', 'd'],
    );
  });
});

describe('findInStore', () => {
  it('answers from the metric tree exactly as findNodes does from the names', () => {
    // No sibling is a prefix of another plus a character below '.' (`web`, `web-1`): there the tree's
    // order (node by node) and findNodes' (whole path strings) differ, as they always have.
    const tree: string[] = [];
    for (const a of ['web', 'web1', 'db']) {
      for (const b of ['h1', 'h1x', 'h2', 'h10']) tree.push(`${a}.${b}.cpu`, `${a}.${b}.cpu.user`, `${a}.${b}.mem`);
      tree.push(`${a}.h2`);
    }
    const trie = new PathTrie();
    for (const name of tree) trie.add(name);
    const store = { names: () => tree, find: (pattern: string) => trie.find(pattern) };
    const plain = (nodes: FoundNodes) => Array.from({ length: nodes.length }, (_, i) => ({ path: nodes.path(i), name: nodes.name(i), isLeaf: nodes.isLeaf(i) }));
    const expected = (query: string, leavesOnly: boolean) =>
      findNodes(tree, query).filter((node) => node.isLeaf || !leavesOnly).map(({ path, name, isLeaf }) => ({ path, name, isLeaf }));
    for (const query of ['*', '*.*', '*.*.*', '*.*.cpu', '*.h2', 'web*.h1*', '*.*.{cpu,mem}', '*.*.*.*', 'db.h2', 'nope.*']) {
      for (const leavesOnly of [false, true]) {
        assert.deepEqual(plain(findInStore(store, query, leavesOnly)), expected(query, leavesOnly), `${query} leavesOnly=${leavesOnly}`);
        assert.deepEqual(plain(findInStore({ names: () => tree }, query, leavesOnly)), expected(query, leavesOnly), `${query} from names`);
      }
    }
  });
});
