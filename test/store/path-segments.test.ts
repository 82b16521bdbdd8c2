import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PathSegments } from '../../src/store/path-segments.js';

test('a name keeps one id while used; the last release frees it for reuse', () => {
  const segments = new PathSegments();
  const a = segments.add('cpu');
  segments.use(a);
  segments.use(a);
  assert.equal(segments.id('cpu'), a);
  assert.equal(segments.name(a), 'cpu');
  segments.release(a);
  assert.equal(segments.id('cpu'), a);
  segments.release(a);
  assert.equal(segments.id('cpu'), undefined);
  const b = segments.add('mem');
  assert.equal(b, a, 'the freed id is reused');
  assert.equal(segments.name(b), 'mem');
  assert.equal(segments.idLimit, 1);
});

test('many names through growth and deletion in any order are all found, and only they', () => {
  // Deletion moves entries of a probe run back; growth rehashes: every live name must stay reachable.
  const segments = new PathSegments();
  const live = new Map<string, number>();
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let round = 0; round < 50_000; round++) {
    const name = `n${random(5_000)}`;
    const id = live.get(name);
    if (id !== undefined && random(2) === 0) {
      segments.release(id);
      live.delete(name);
    } else if (id === undefined) {
      assert.equal(segments.id(name), undefined, name);
      const added = segments.add(name);
      segments.use(added);
      live.set(name, added);
    }
    if (round % 5_000 === 4_999) {
      for (let n = 0; n < 5_000; n++) assert.equal(segments.id(`n${n}`), live.get(`n${n}`), `n${n}`);
      const ids = new Set(live.values());
      assert.equal(ids.size, live.size, 'live names have distinct ids');
      for (const [name, liveId] of live) assert.equal(segments.name(liveId), name);
    }
  }
});
