import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeriesIndex } from '../../src/store/series-index.js';
import { hashName, hashNameBytes } from '../../src/names/name-hash.js';
import { seededUint32 } from '../support/seeded-random.js';

test('fuzz: adds (as strings and bytes), deletions, revivals and restores over another id agree with a Map; hashOf is the name\'s hash, the empty name included', () => {
  const next = seededUint32(91);
  const index = new SeriesIndex();
  const byName = new Map<string, number>();
  const byId = new Map<number, string>();
  const pool = ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'a.b.c.d', 'é', 'é.x', 'x;t=1', ...Array.from({ length: 200 }, (_, i) => `cb.h${i % 7}.m${i}`)];
  for (let round = 0; round < 20_000; round++) {
    const name = pool[next() % pool.length];
    const op = next() % 4;
    if (op === 0 && byName.has(name)) {
      const id = byName.get(name)!;
      assert.equal(index.hashOf(id), hashName(name), `hashOf(${id}) ${JSON.stringify(name)}`);
      index.delete(id);
      byName.delete(name);
      byId.delete(id);
    } else if (op === 1) {
      // A replayed or revived series: a new id restored with the name, which may be under another id still (then found under the new one).
      const id = index.idLimit + (next() % 2);
      index.restore(id, name);
      byName.set(name, id);
      byId.set(id, name);
    } else if (!byName.has(name)) {
      const ascii = /^[\x00-\x7f]*$/.test(name);
      let id: number;
      if (ascii && next() % 2 === 0) {
        const bytes = Buffer.from(`zz${name}q`, 'latin1');
        id = index.addBytes(bytes, 2, 2 + name.length, hashNameBytes(bytes, 2, 2 + name.length));
      } else id = index.add(name);
      byName.set(name, id);
      byId.set(id, name);
    }
    if (round % 1000 !== 999) continue;
    assert.equal(index.size, byName.size);
    for (const candidate of pool) assert.equal(index.get(candidate), byName.get(candidate), JSON.stringify(candidate));
    for (const [id, n] of byId) {
      assert.equal(index.name(id), n);
      assert.equal(index.hashOf(id), hashName(n));
    }
  }
});

test('a name restored under a new id is found there, and deleting the old id leaves it', () => {
  const index = new SeriesIndex();
  const old = index.add('');
  const other = index.add('a.b');
  index.restore(5, '');
  assert.equal(index.get(''), 5);
  index.delete(old);
  assert.equal(index.get(''), 5);
  assert.equal(index.hashOf(5), hashName(''));
  index.delete(5);
  assert.equal(index.get(''), undefined);
  assert.equal(index.get('a.b'), other);
  assert.deepEqual([...index.takeUnsaved()], [old, other]);
  assert.deepEqual([...index.takeUnsaved()], []);
});
