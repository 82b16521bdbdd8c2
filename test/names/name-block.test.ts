import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockBuffers, isPlainName, NameBlockBuilder, nameInBlock } from '../../src/names/name-block.js';
import { describePath, hashName, PATH_FIELDS, PathField } from '../../src/names/name-hash.js';

test('a block holds plain names as bytes with their hashes, and other names as UTF-8, in order', () => {
  const builder = new NameBlockBuilder();
  const line = Buffer.from('cb.host_01.metric_1 1 2\n', 'latin1');
  builder.addPlain(line, 0, 19);
  builder.addString('a.b;env=prod');
  builder.addString('ünï.cöde');
  builder.addString('plain.from.string');
  builder.addString('');
  const block = builder.take();
  assert.equal(block.count, 5);
  assert.deepEqual(Array.from({ length: 5 }, (_, k) => nameInBlock(block, k)), ['cb.host_01.metric_1', 'a.b;env=prod', 'ünï.cöde', 'plain.from.string', '']);
  assert.deepEqual(Array.from({ length: 5 }, (_, k) => isPlainName(block, k)), [true, false, false, true, true]);
  const at = 3 * PATH_FIELDS;
  assert.equal(block.paths[at + PathField.whole], hashName('plain.from.string'));
  assert.equal(block.paths[at + PathField.parent], hashName('plain.from'));
  assert.equal(block.paths[at + PathField.leaf], hashName('string'));
  assert.equal(block.paths[at + PathField.lastDot], block.starts[3] + 'plain.from'.length, 'an offset into the block');
  assert.equal(blockBuffers(block).length, 3);
  // The builder starts a new block, and an empty one has nothing to transfer.
  const empty = builder.take();
  assert.equal(empty.count, 0);
  assert.deepEqual(blockBuffers(empty), []);
  builder.addString('next.one');
  assert.equal(nameInBlock(builder.take(), 0), 'next.one');
  assert.equal(nameInBlock(block, 0), 'cb.host_01.metric_1', 'the block taken before is untouched');
});

test('a block grows past its first arrays', () => {
  const builder = new NameBlockBuilder();
  const names = Array.from({ length: 3000 }, (_, i) => (i % 11 === 0 ? `wïde.${i}` : `series.host_${i % 10}.m_${'x'.repeat(i % 40)}${i}`));
  for (const name of names) builder.addString(name);
  const block = builder.take();
  assert.deepEqual(Array.from({ length: block.count }, (_, k) => nameInBlock(block, k)), names);
  for (let k = 0; k < names.length; k++) {
    assert.equal(isPlainName(block, k), k % 11 !== 0);
    if (k % 11 === 0) continue;
    const [whole, lastDot, parent, leaf] = block.paths.subarray(k * PATH_FIELDS, (k + 1) * PATH_FIELDS);
    const dot = names[k].lastIndexOf('.');
    assert.deepEqual([whole, lastDot, parent, leaf], [hashName(names[k]), block.starts[k] + dot, hashName(names[k], 0, dot), hashName(names[k], dot + 1)], names[k]);
  }
});

test('a plain name added with its hashes (the parser walked them) makes the same block as without', () => {
  const line = Buffer.from('xx cb.host_01.metric_1 1 2\nnodots 3 4\n', 'latin1');
  const ranges: [number, number][] = [[3, 22], [27, 33]];
  const described = new NameBlockBuilder();
  const plain = new NameBlockBuilder();
  described.addString('first.from.string');
  plain.addString('first.from.string');
  const path = new Int32Array(PATH_FIELDS);
  for (const [start, end] of ranges) {
    describePath(line, start, end, path, 0);
    described.addPlain(line, start, end, path);
    plain.addPlain(line, start, end);
  }
  const a = described.take();
  const b = plain.take();
  assert.deepEqual(a.paths, b.paths);
  assert.deepEqual(a.starts, b.starts);
  assert.equal(a.paths[PATH_FIELDS + PathField.lastDot], a.starts[1] + 'cb.host_01'.length, 'the dot rebased into the block');
  assert.equal(a.paths[2 * PATH_FIELDS + PathField.lastDot], -1);
});
