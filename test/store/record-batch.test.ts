import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chunkKey, metaKey, u32 } from '../../src/store/keys.js';
import { RecordBatch } from '../../src/store/record-batch.js';
import { RECORDS_PER_BATCH } from '../../src/store/record-batch.js';
import { openTempDb, type TempDb } from '../support/temp-db.js';

type Db = TempDb;

/** The binding hands out Buffers: compared as plain bytes. */
const bytes = (b: Uint8Array | undefined): number[] | undefined => (b === undefined ? undefined : Array.from(b));

async function openDb(t: TestContext): Promise<Db> {
  return (await openTempDb(t, 'carbonado-record-batch-')).db;
}

test('chunks and records queued in a batch land in LevelDB under their keys only when it is written', async (t) => {
  const db = await openDb(t);
  const batch = new RecordBatch(db);
  // Views of one large buffer, as the hot ring hands out.
  const slab = new Uint8Array(1024);
  slab.fill(7, 0, 40);
  slab.fill(8, 40, 100);
  batch.putChunk(3, 10, 1200, slab.subarray(0, 40));
  batch.putChunk(0x01020304, 600, 0xfffffe00, slab.subarray(40, 100));
  batch.put(metaKey('sealed:10'), u32(2400));
  assert.equal(batch.length, 3);
  assert.equal(await db.get(chunkKey(3, 10, 1200)), undefined, 'nothing before the write');
  await batch.write(true);
  assert.equal(batch.length, 0);
  assert.deepEqual(bytes(await db.get(chunkKey(3, 10, 1200))), bytes(new Uint8Array(40).fill(7)));
  assert.deepEqual(bytes(await db.get(chunkKey(0x01020304, 600, 0xfffffe00))), bytes(new Uint8Array(60).fill(8)));
  assert.deepEqual(bytes(await db.get(metaKey('sealed:10'))), bytes(u32(2400)));

  batch.deleteChunk(3, 10, 1200);
  await batch.write();
  assert.equal(await db.get(chunkKey(3, 10, 1200)), undefined);
  assert.ok(await db.get(chunkKey(0x01020304, 600, 0xfffffe00)), 'a deletion takes only its own key');
  await batch.write(true); // nothing queued: no write, and no error
});

test('a batch is full at RECORDS_PER_BATCH records, and keys stay intact across many batches', async (t) => {
  const db = await openDb(t);
  const batch = new RecordBatch(db);
  const value = Uint8Array.of(1, 2, 3);
  const count = RECORDS_PER_BATCH * 90; // more keys than one arena buffer holds
  for (let id = 0; id < count; id++) {
    batch.putChunk(id, 10, 1200, value);
    assert.equal(batch.full, batch.length >= RECORDS_PER_BATCH);
    if (batch.full) await batch.write();
  }
  await batch.write(true);
  const keys = await db.keys().all();
  assert.equal(keys.length, count);
  assert.deepEqual(bytes(keys[0]), bytes(chunkKey(0, 10, 1200)));
  assert.deepEqual(bytes(keys[count - 1]), bytes(chunkKey(count - 1, 10, 1200)));
});

test('batches of a chunk or two take no key space of their own (a merge of late points makes one per round)', async (t) => {
  const db = await openDb(t);
  const before = process.memoryUsage().arrayBuffers;
  for (let round = 0; round < 400; round++) {
    const batch = new RecordBatch(db);
    batch.putChunk(round, 10, 1200, Uint8Array.of(1));
    batch.deleteChunk(round, 10, 0);
    await batch.write();
  }
  const grown = process.memoryUsage().arrayBuffers - before;
  // 256 KiB a batch would be 100 MiB here.
  assert.ok(grown < 8 * 1024 * 1024, `array buffers grew by ${grown} bytes`);
  const keys = await db.keys().all();
  assert.equal(keys.length, 400);
  assert.deepEqual(bytes(keys[399]), bytes(chunkKey(399, 10, 1200)));
});
