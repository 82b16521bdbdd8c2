import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { decodeChunkInto } from '../../src/store/chunk/index.js';
import { DecodedWindowCache } from '../../src/store/decoded-cache.js';
import { Head } from '../../src/store/head.js';
import { HotRing } from '../../src/store/hot-ring.js';
import { chunkKey, eachEntry, KeyPrefix, metaKey, readU32 } from '../../src/store/keys.js';
import type { Layout } from '../../src/store/layout.js';
import { Sealer } from '../../src/store/sealer.js';
import { SeriesIndex } from '../../src/store/series-index.js';
import { SeriesRecords } from '../../src/store/series-records.js';
import { openTempDb, type TempDb } from '../support/temp-db.js';

type Db = TempDb;

const layout: Layout = {
  archives: [{ secondsPerPoint: 10, points: 8640, retentionSeconds: 86_400 }],
  aggregation: { method: 'average', xFilesFactor: 0 },
  maxRetention: 86_400,
};
const SPAN = 1200; // a 10 s window: 120 slots
const W0 = SPAN * 100; // parity 0
const W1 = W0 + SPAN; // parity 1

/** The series records of `db`, as the engine keeps them, for series all of one layout. */
function recordsOver(db: Db, index: SeriesIndex): SeriesRecords {
  return new SeriesRecords({ db, index, layouts: [layout], layoutIndexOf: () => 0, earlierLayouts: new Map() });
}

async function openDb(t: TestContext): Promise<Db> {
  return (await openTempDb(t, 'carbonado-sealer-')).db;
}

/** A sealer over real parts, a hot ring that keeps only the newest window, and two series with open windows. */
async function setup(t: TestContext): Promise<{ db: Db; head: Head; sealer: Sealer; stats: { sealedChunks: number }; sealed: [number, number][] }> {
  const db = await openDb(t);
  const index = new SeriesIndex();
  index.add('a');
  index.add('b');
  const head = new Head();
  head.write(0, W0, 0, 0, 1.5);
  head.write(0, W0, 0, 5, -2);
  head.write(0, W1, 1, 2, 3);
  head.write(1, W1, 1, 1, 4);
  const records = recordsOver(db, index);
  const stats = { sealedChunks: 0 };
  const sealed: [number, number][] = [];
  const sealer = new Sealer({
    db, index, head, records, stats,
    ring: new HotRing(0),
    readCache: new DecodedWindowCache(1024 ** 2),
    layoutOf: () => layout,
    sealed: (id, windowStart) => sealed.push([id, windowStart]),
    pause: () => Promise.resolve(),
    closing: () => false,
  });
  return { db, head, sealer, stats, sealed };
}

function points(chunk: Uint8Array | undefined): [number, number][] {
  assert.ok(chunk, 'a chunk');
  const ts = new Uint32Array(120);
  const values = new Float64Array(120);
  const n = decodeChunkInto(chunk, ts, values);
  return Array.from({ length: n }, (_, i) => [ts[i], values[i]]);
}

test('the sweep pass seals only windows that end by their cutoff, and frees their head slots', async (t) => {
  const { head, sealer, stats, sealed } = await setup(t);
  await sealer.sealEnded(new Map([[10, W1]]));
  assert.equal(stats.sealedChunks, 1);
  assert.deepEqual(sealed, [[0, W0]], 'its rollups are due');
  assert.equal(head.windowAt(0, 0), -1);
  assert.equal(head.windowAt(0, 1), W1, 'the next window stays open');
  assert.equal(head.windowAt(1, 1), W1);
  assert.deepEqual(points(sealer.inMemory(0, W0)), [[W0, 1.5], [W0 + 50, -2]]);
  assert.equal(sealer.unwritten.length, 1);
});

test('a sealed chunk the hot ring dropped is still read from memory until its flush, which writes it with the seal mark', async (t) => {
  const { db, sealer } = await setup(t);
  sealer.seal(0, 0, 10, W0);
  sealer.seal(0, 1, 10, W1); // a newer window: the ring (no budget) drops W0
  assert.deepEqual(points(sealer.inMemory(0, W0)), [[W0, 1.5], [W0 + 50, -2]]);
  await sealer.flush(new Map([[10, W1 + SPAN]]));
  assert.equal(sealer.unwritten.length, 0);
  assert.equal(sealer.unflushed.size, 0);
  assert.equal(sealer.inMemory(0, W0), undefined, 'now read from LevelDB');
  assert.deepEqual(points(await db.get(chunkKey(0, 10, W0))), [[W0, 1.5], [W0 + 50, -2]]);
  assert.deepEqual(points(await db.get(chunkKey(0, 10, W1))), [[W1 + 20, 3]]);
  assert.equal(readU32((await db.get(metaKey('sealed:10')))!), W1 + SPAN);
  const blocks: Uint8Array[] = [];
  await eachEntry(db, KeyPrefix.seriesBlock, (key) => blocks.push(key));
  assert.equal(blocks.length, 1, 'the new series\' names go in the same flush');
});

test('the unwritten chunks of forgotten series are not written', async (t) => {
  const { db, sealer } = await setup(t);
  sealer.seal(0, 1, 10, W1);
  sealer.seal(1, 1, 10, W1);
  sealer.forget(new Set([1]));
  assert.equal(sealer.unwritten.length, 1);
  await sealer.flush(new Map());
  assert.ok(await db.get(chunkKey(0, 10, W1)));
  assert.equal(await db.get(chunkKey(1, 10, W1)), undefined);
});

test('a flush that fails leaves its chunks and new series queued, and the next flush writes them', async (t) => {
  const { db, sealer } = await setup(t);
  sealer.seal(0, 0, 10, W0);
  await db.close(); // a real write failure: LevelDB refuses a batch on a closed database
  await assert.rejects(sealer.flush(new Map([[10, W1]])));
  assert.equal(sealer.unwritten.length, 1, 'the chunk waits for the next flush');
  assert.deepEqual(points(sealer.inMemory(0, W0)), [[W0, 1.5], [W0 + 50, -2]], 'and is still read from memory');
  await db.open();
  await sealer.flush(new Map([[10, W1]]));
  assert.equal(sealer.unwritten.length, 0);
  assert.deepEqual(points(await db.get(chunkKey(0, 10, W0))), [[W0, 1.5], [W0 + 50, -2]]);
  assert.equal(readU32((await db.get(metaKey('sealed:10')))!), W1);
  // The names the failed flush took are written by the next (as a block, or as records once the
  // failed flush counted them as stored: either loads back).
  const restored: [number, string][] = [];
  await recordsOver(db, new SeriesIndex()).load((id, name) => restored.push([id, name]));
  assert.deepEqual(restored, [[0, 'a'], [1, 'b']]);
});
