import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CarbonBatcher, type CarbonBatcherLimits } from '../../src/ingest/carbon-batcher.js';
import type { CarbonBatchMessage } from '../../src/ingest/carbon-protocol.js';
import { namesIn } from '../support/name-blocks.js';

/** A batcher whose sent batches are kept, copied (the real arrays are transferred away). */
function collecting(limits: CarbonBatcherLimits = { maxPoints: 4, maxNewNames: 3, maxNames: 100 }) {
  const sent: { seq: number; ids: number[]; timestamps: number[]; values: number[]; firstNewId: number; newNames: string[]; resetNames: boolean }[] = [];
  const transfers: ArrayBuffer[][] = [];
  const batcher = new CarbonBatcher((b: CarbonBatchMessage, transfer) => {
    transfers.push(transfer);
    sent.push({
      seq: b.seq,
      ids: [...b.ids.subarray(0, b.length)],
      timestamps: [...b.timestamps.subarray(0, b.length)],
      values: [...b.values.subarray(0, b.length)],
      firstNewId: b.firstNewId,
      newNames: namesIn(b.newNames),
      resetNames: b.resetNames,
    });
  }, limits);
  return { batcher, sent, transfers };
}

test('names are interned to dense local ids and sent once, with the batch of their first point', () => {
  const { batcher, sent } = collecting({ maxPoints: 100, maxNewNames: 100, maxNames: 100 });
  batcher.point(batcher.seriesOf('a.b'), 1, 1700000000);
  batcher.point(batcher.seriesOf('c.d'), 2, 1700000000);
  batcher.point(batcher.seriesOf('a.b'), 3, 1700000010);
  batcher.flush();
  batcher.point(batcher.seriesOf('c.d'), 4, 1700000020);
  batcher.point(batcher.seriesOf('e.f'), 5, 1700000020);
  batcher.flush();
  assert.deepEqual(sent, [
    { seq: 1, ids: [0, 1, 0], timestamps: [1700000000, 1700000000, 1700000010], values: [1, 2, 3], firstNewId: 0, newNames: ['a.b', 'c.d'], resetNames: false },
    { seq: 2, ids: [1, 2], timestamps: [1700000020, 1700000020], values: [4, 5], firstNewId: 2, newNames: ['e.f'], resetNames: false },
  ]);
});

test('a batch is sent when full or when it holds many new names; an empty one is never sent', () => {
  const { batcher, sent } = collecting({ maxPoints: 4, maxNewNames: 3, maxNames: 100 });
  batcher.flush();
  for (let i = 0; i < 5; i++) batcher.point(batcher.seriesOf('same'), i, 1700000000);
  assert.deepEqual(sent.map((b) => b.ids.length), [4]);
  assert.equal(batcher.length, 1);
  assert.equal(batcher.latestSeq(), 2, 'the point left over is in batch 2, still being filled');
  batcher.point(batcher.seriesOf('n1'), 0, 1700000000);
  batcher.point(batcher.seriesOf('n2'), 0, 1700000000);
  batcher.point(batcher.seriesOf('n3'), 0, 1700000000); // the third new name fills the new-name budget
  assert.deepEqual(sent.map((b) => b.newNames), [['same'], ['n1', 'n2', 'n3']]);
  assert.equal(batcher.length, 0);
  assert.equal(batcher.latestSeq(), 2, 'batch 2 is sent and holds the latest point');
  assert.equal(batcher.points, 8);
});

test('the sent arrays are transferred, and arrays handed back are reused', () => {
  const { batcher, sent, transfers } = collecting();
  batcher.point(batcher.seriesOf('x'), 1, 1700000000);
  batcher.flush();
  assert.equal(transfers[0].length, 6, "the points' three arrays and the new names' block's three");
  const [ids, timestamps, values] = transfers[0];
  batcher.recycle(new Uint32Array(ids), new Uint32Array(timestamps), new Float64Array(values));
  batcher.point(batcher.seriesOf('x'), 2, 1700000010);
  batcher.flush(); // filled in the arrays taken when batch 1 left
  batcher.point(batcher.seriesOf('x'), 3, 1700000020);
  batcher.flush();
  assert.notEqual(transfers[1][2], values);
  assert.equal(transfers[2][2], values, 'the recycled values buffer carries batch 3');
  assert.equal(transfers[2].length, 3, 'no new names: no block to transfer');
  assert.deepEqual(sent[2].values, [3]);
});

test('past maxNames every name is forgotten: the batch says so and local ids restart at 0', () => {
  const { batcher, sent } = collecting({ maxPoints: 100, maxNewNames: 100, maxNames: 2 });
  batcher.point(batcher.seriesOf('a'), 1, 1700000000);
  batcher.point(batcher.seriesOf('b'), 2, 1700000000);
  batcher.point(batcher.seriesOf('c'), 3, 1700000000); // a third name: the batch so far goes first, under the old ids
  batcher.point(batcher.seriesOf('a'), 4, 1700000000);
  batcher.flush();
  assert.deepEqual(sent, [
    { seq: 1, ids: [0, 1], timestamps: [1700000000, 1700000000], values: [1, 2], firstNewId: 0, newNames: ['a', 'b'], resetNames: false },
    { seq: 2, ids: [0, 1], timestamps: [1700000000, 1700000000], values: [3, 4], firstNewId: 0, newNames: ['c', 'a'], resetNames: true },
  ]);
  assert.equal(batcher.epoch, 1, 'a parser keeping local ids can tell they changed');
});

test('newSeries hands out a fresh id without a lookup; seriesOf remembers its names', () => {
  const { batcher, sent } = collecting({ maxPoints: 100, maxNewNames: 100, maxNames: 100 });
  batcher.point(batcher.newSeries('a'), 1, 1700000000);
  batcher.point(batcher.newSeries('a'), 2, 1700000000);
  batcher.point(batcher.seriesOf('b'), 3, 1700000000);
  batcher.point(batcher.seriesOf('b'), 4, 1700000000);
  batcher.flush();
  assert.deepEqual(sent.map((b) => [b.ids, b.newNames]), [[[0, 1, 2, 2], ['a', 'a', 'b']]]);
});

test('newPlainSeries hands out fresh ids like newSeries, for names given as bytes; they go out in the same block', () => {
  const { batcher, sent } = collecting({ maxPoints: 100, maxNewNames: 100, maxNames: 100 });
  const line = Buffer.from('a.b.c 1 1\n', 'latin1');
  batcher.point(batcher.newPlainSeries(line, 0, 5), 1, 1700000000);
  batcher.point(batcher.newSeries('t;k=v'), 2, 1700000000);
  batcher.point(batcher.newPlainSeries(line, 0, 5), 3, 1700000000);
  batcher.flush();
  assert.deepEqual(sent.map((b) => [b.ids, b.newNames]), [[[0, 1, 2], ['a.b.c', 't;k=v', 'a.b.c']]]);
});
