import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { eachEntry, KeyPrefix, seriesIdFromKey, seriesKey } from '../../src/store/keys.js';
import type { Layout } from '../../src/store/layout.js';
import type { Archive } from '../../src/store/retention/index.js';
import { SeriesIndex } from '../../src/store/series-index.js';
import { RECORDS_PER_BATCH, RecordBatch } from '../../src/store/record-batch.js';
import { SeriesRecords } from '../../src/store/series-records.js';
import { openTempDb, type TempDb } from '../support/temp-db.js';

type Db = TempDb;

const fine: Layout = {
  archives: [{ secondsPerPoint: 10, points: 8640, retentionSeconds: 86_400 }],
  aggregation: { method: 'average', xFilesFactor: 0 },
  maxRetention: 86_400,
};
const coarse: Layout = {
  archives: [{ secondsPerPoint: 60, points: 1440, retentionSeconds: 86_400 }],
  aggregation: { method: 'sum', xFilesFactor: 0 },
  maxRetention: 86_400,
};

/** SeriesRecords over a real LevelDB, with the engine's state it reads kept here: layout index per id. */
interface Side {
  db: Db;
  index: SeriesIndex;
  layoutOf: Map<number, number>;
  earlierLayouts: Map<number, (readonly Archive[])[]>;
  records: SeriesRecords;
}

function side(db: Db, layouts: Layout[] = [fine, coarse]): Side {
  const index = new SeriesIndex();
  const layoutOf = new Map<number, number>();
  const earlierLayouts = new Map<number, (readonly Archive[])[]>();
  const records = new SeriesRecords({ db, index, layouts, layoutIndexOf: (id) => layoutOf.get(id) ?? 0, earlierLayouts });
  return { db, index, layoutOf, earlierLayouts, records };
}

/** writeUnsaved() of what the index has not saved, into a batch of its own; returns the batch, whose last records are left unwritten. */
async function queueUnsaved(writer: Side): Promise<RecordBatch> {
  const batch = new RecordBatch(writer.db);
  await writer.records.writeUnsaved(writer.index.takeUnsaved(), batch);
  return batch;
}

/** writeUnsaved() and the caller's final write. */
async function saveUnsaved(writer: Side): Promise<void> {
  await (await queueUnsaved(writer)).write(true);
}

const openDb = (t: TestContext): Promise<{ db: Db; dir: string }> => openTempDb(t, 'carbonado-records-');

/** Key prefix -> ids (or first ids, for blocks) stored under it. */
async function stored(db: Db): Promise<Map<number, number[]>> {
  const byPrefix = new Map<number, number[]>();
  for (const prefix of [KeyPrefix.series, KeyPrefix.layout, KeyPrefix.seriesBlock]) {
    const ids: number[] = [];
    await eachEntry(db, prefix, (key) => ids.push(seriesIdFromKey(key)));
    byPrefix.set(prefix, ids);
  }
  return byPrefix;
}

/** Loads into a fresh side; returns what it restored and with which layout index. */
async function load(db: Db, layouts?: Layout[]): Promise<{ loaded: Side; restored: [number, string][] }> {
  const loaded = side(db, layouts);
  const restored: [number, string][] = [];
  await loaded.records.load((id, name) => {
    restored.push([id, name]);
    loaded.index.restore(id, name);
    loaded.layoutOf.set(id, name.startsWith('coarse.') ? 1 : 0);
  });
  return { loaded, restored };
}

test('new series go into one block, left to the caller\'s batch, and load back with their names', async (t) => {
  const { db } = await openDb(t);
  const writer = side(db);
  const names = ['a.b.c', 'coarse.x', 'x;k=vé', 'a.b.d'];
  for (const name of names) {
    const id = writer.index.add(name);
    writer.layoutOf.set(id, name.startsWith('coarse.') ? 1 : 0);
  }
  const batch = await queueUnsaved(writer);
  assert.equal(batch.length, 1, 'one block record');
  assert.deepEqual((await stored(db)).get(KeyPrefix.seriesBlock), [], 'nothing written yet: the last batch is the caller\'s');
  await batch.write();
  assert.deepEqual((await stored(db)).get(KeyPrefix.seriesBlock), [0]);
  const { loaded, restored } = await load(db);
  assert.deepEqual(restored, names.map((name, id) => [id, name]));
  assert.equal(loaded.earlierLayouts.size, 0);
  assert.deepEqual([...loaded.index.takeUnsaved()], [], 'stored under their current layouts: nothing to rewrite');
});

test('a series stored before gets a 01 record, which supersedes its block entry; a tombstone hides it', async (t) => {
  const { db } = await openDb(t);
  const writer = side(db);
  for (const name of ['kept', 'renamed', 'deleted']) writer.index.add(name);
  await saveUnsaved(writer);
  // Id 1 written again (its record changed): below the stored bound, so not in a new block.
  writer.index.restore(1, 'renamed.again');
  writer.index.markUnsaved(1);
  const batch = await queueUnsaved(writer);
  assert.equal(batch.length, 1, 'one record');
  batch.put(seriesKey(2), new Uint8Array(0));
  await batch.write();
  const keys = await stored(db);
  assert.deepEqual(keys.get(KeyPrefix.series), [1, 2], 'a 01 record for id 1, beside the tombstone');
  assert.deepEqual(keys.get(KeyPrefix.seriesBlock), [0], 'no block besides the first');
  const { restored } = await load(db);
  assert.deepEqual(restored, [[1, 'renamed.again'], [0, 'kept']]);
});

test('ids below one noted as stored are never put into a block', async (t) => {
  const { db } = await openDb(t);
  const writer = side(db);
  for (const name of ['a', 'b', 'c']) writer.index.add(name);
  writer.records.noteStored(1); // as after a deletion of id 1 wrote its tombstone
  await saveUnsaved(writer);
  const keys = await stored(db);
  assert.deepEqual(keys.get(KeyPrefix.series), [0, 1]);
  assert.deepEqual(keys.get(KeyPrefix.seriesBlock), [2]);
});

test('a series with earlier layouts is stored as a bare name and a 04 record, and loads them back', async (t) => {
  const { db } = await openDb(t);
  const writer = side(db);
  const id = writer.index.add('moved');
  writer.earlierLayouts.set(id, [coarse.archives]);
  await saveUnsaved(writer);
  const keys = await stored(db);
  assert.deepEqual(keys.get(KeyPrefix.series), [id]);
  assert.deepEqual(keys.get(KeyPrefix.layout), [id]);
  const { loaded, restored } = await load(db);
  assert.deepEqual(restored, [[id, 'moved']]);
  assert.deepEqual(loaded.earlierLayouts.get(id), [coarse.archives]);
  assert.deepEqual([...loaded.index.takeUnsaved()], []);
});

test('a record stored under a layout the schema no longer gives keeps it as an earlier layout, to be rewritten', async (t) => {
  const { db } = await openDb(t);
  const writer = side(db);
  writer.index.add('schema.changed');
  await saveUnsaved(writer);
  // Reopened with the series now under a 60 s schema.
  const { loaded } = await load(db, [coarse, fine]);
  assert.deepEqual(loaded.earlierLayouts.get(0), [fine.archives]);
  assert.deepEqual([...loaded.index.takeUnsaved()], [0]);
});

test('many records are written in batches of RECORDS_PER_BATCH, the rest left to the caller', async (t) => {
  const { db } = await openDb(t);
  const writer = side(db);
  const count = RECORDS_PER_BATCH * 2 + 10;
  for (let i = 0; i < count; i++) writer.index.add(`s.${i}`);
  writer.records.noteStored(count); // all "stored before": one 01 record each
  const batch = await queueUnsaved(writer);
  assert.equal(batch.length, 10);
  assert.equal((await stored(db)).get(KeyPrefix.series)!.length, RECORDS_PER_BATCH * 2);
  await batch.write();
  const { restored } = await load(db);
  assert.equal(restored.length, count);
  assert.deepEqual(restored.at(-1), [count - 1, `s.${count - 1}`]);
});

test('new series past a block go into blocks of ascending first ids, in any order given, the last block left to the caller', async (t) => {
  const { db } = await openDb(t);
  const writer = side(db);
  const count = 2500; // three blocks of up to 1024
  for (let i = 0; i < count; i++) writer.index.add(`n.${i}`);
  const unsaved = writer.index.takeUnsaved();
  // Reversed, and one id twice: blocks must still hold each id once, in ascending order.
  const given = [...unsaved].reverse();
  given.push(7);
  const batch = new RecordBatch(db);
  await writer.records.writeUnsaved(given, batch);
  assert.equal(batch.length, 1, 'the last block is queued, not written');
  assert.deepEqual((await stored(db)).get(KeyPrefix.seriesBlock), [0, 1024]);
  await batch.write();
  assert.deepEqual((await stored(db)).get(KeyPrefix.seriesBlock), [0, 1024, 2048]);
  const { restored } = await load(db);
  assert.deepEqual(restored, [...unsaved].map((id) => [id, `n.${id}`]));
});
