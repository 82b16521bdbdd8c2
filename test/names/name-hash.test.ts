import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describePath, describeWalkedPath, FNV_OFFSET, FNV_PRIME, hashName, hashNameBytes, PATH_FIELDS, PathField } from '../../src/names/name-hash.js';

test('a name hashes alike as a string and as ASCII bytes, whole or in part', () => {
  const name = 'cb.host_07.metric_0012345';
  const bytes = Buffer.from(`  ${name} 1 2`, 'latin1');
  assert.equal(hashNameBytes(bytes, 2, 2 + name.length), hashName(name));
  assert.equal(hashNameBytes(bytes, 5, 12), hashName(name, 3, 10));
  assert.equal(hashName(name, 3, 10), hashName('host_07'));
  assert.notEqual(hashName('metric_0012345'), hashName('metric_0012346'));
});

test('describePath gives the hashes of the whole path, of its parent and of its last component, and the last dot', () => {
  const out = new Int32Array(3 * PATH_FIELDS).fill(99);
  const bytes = Buffer.from('xx a.b.leaf_1 single .lead', 'latin1');
  describePath(bytes, 3, 13, out, PATH_FIELDS);
  const at = PATH_FIELDS;
  assert.equal(out[at + PathField.whole], hashName('a.b.leaf_1'));
  assert.equal(out[at + PathField.lastDot], 6, 'an offset into the bytes');
  assert.equal(out[at + PathField.parent], hashName('a.b'));
  assert.equal(out[at + PathField.leaf], hashName('leaf_1'));
  describePath(bytes, 14, 20, out, 0);
  assert.equal(out[PathField.lastDot], -1, 'no dot');
  assert.equal(out[PathField.whole], hashName('single'));
  assert.equal(out[PathField.leaf], hashName('single'));
  describePath(bytes, 21, 26, out, 2 * PATH_FIELDS);
  assert.equal(out[2 * PATH_FIELDS + PathField.lastDot], 21);
  assert.equal(out[2 * PATH_FIELDS + PathField.parent], hashName(''));
  assert.deepEqual([...out.subarray(at, at + PATH_FIELDS)], [hashName('a.b.leaf_1'), 6, hashName('a.b'), hashName('leaf_1')], 'the next call wrote only its own fields');
});

test('describeWalkedPath, given a walk of the path, writes what describePath does', () => {
  const bytes = Buffer.from('x a.b.leaf_1 single .lead trailing. a..b', 'latin1');
  const ranges: [number, number][] = [[2, 12], [13, 19], [20, 25], [26, 35], [36, 40], [2, 2]];
  for (const [start, end] of ranges) {
    let state = FNV_OFFSET;
    let dot = -1;
    let parent = FNV_OFFSET;
    for (let i = start; i < end; i++) {
      if (bytes[i] === 0x2e) {
        dot = i;
        parent = state;
      }
      state = Math.imul(state ^ bytes[i], FNV_PRIME);
    }
    const walked = new Int32Array(PATH_FIELDS + 1).fill(7);
    describeWalkedPath(bytes, start, end, state, dot, parent, walked, 1);
    const expected = new Int32Array(PATH_FIELDS + 1).fill(7);
    describePath(bytes, start, end, expected, 1);
    assert.deepEqual(walked, expected, bytes.toString('latin1', start, end));
  }
});
