import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodedWindowCache } from '../../src/store/decoded-cache.js';
import { DeletedSeries } from '../../src/store/deleted-series.js';
import { Head } from '../../src/store/head.js';
import { HotRing } from '../../src/store/hot-ring.js';
import { chunkKey, metaKey, readU32, u32 } from '../../src/store/keys.js';
import type { Layout } from '../../src/store/layout.js';
import { PathTrie } from '../../src/store/path-trie.js';
import { SeriesIndex } from '../../src/store/series-index.js';
import { SeriesLifecycle, type LifecycleSources } from '../../src/store/series-lifecycle.js';
import { RECORDS_PER_BATCH } from '../../src/store/record-batch.js';
import { TagIndex } from '../../src/store/tag-index.js';
import { openTempDb, type TempDb } from '../support/temp-db.js';

type Db = TempDb;

const DAY = 86_400;
const layout: Layout = {
  archives: [{ secondsPerPoint: 10, points: 8640, retentionSeconds: DAY }],
  aggregation: { method: 'average', xFilesFactor: 0 },
  maxRetention: DAY,
};
const SPAN = 1200;

/** Expiry over real LevelDB and the given series, the rest of the engine's parts empty, never pausing. */
function lifecycleOver(db: LifecycleSources['db'], index: SeriesIndex, expiredBefore: Map<number, number>): SeriesLifecycle {
  return new SeriesLifecycle({
    db, index, expiredBefore,
    tree: new PathTrie(),
    tagIndex: new TagIndex(),
    head: new Head(),
    ring: new HotRing(0),
    readCache: new DecodedWindowCache(0),
    unflushed: new Map(),
    earlierLayouts: new Map(),
    deleted: new DeletedSeries(),
    layouts: [layout],
    lastWrite: () => 0,
    pause: () => Promise.resolve(),
  });
}

test('expiry deletes every series\' windows past retention, in several batches, then moves its mark', async (t) => {
  const { db } = await openTempDb(t, 'carbonado-lifecycle-');
  const index = new SeriesIndex();
  const series = RECORDS_PER_BATCH * 2 + 10; // several batches of deletions
  for (let i = 0; i < series; i++) index.add(`s.${i}`);
  index.delete(5); // a deleted series' id is passed over
  const old = 100 * SPAN;
  const kept = old + 2 * SPAN;
  await db.batch(
    Array.from({ length: series }, (_, id) => [
      { type: 'put' as const, key: chunkKey(id, 10, old), value: Uint8Array.of(1) },
      { type: 'put' as const, key: chunkKey(id, 10, old + SPAN), value: Uint8Array.of(2) },
      { type: 'put' as const, key: chunkKey(id, 10, kept), value: Uint8Array.of(3) },
    ]).flat(),
  );
  const expiredBefore = new Map([[10, old]]);
  const lifecycle = lifecycleOver(db, index, expiredBefore);
  // Windows before kept are past retention (one window of slack past the retention itself).
  const now = kept + DAY + SPAN;
  await lifecycle.expireWindows(now);
  assert.equal(expiredBefore.get(10), kept);
  assert.equal(readU32((await db.get(metaKey('expired:10')))!), kept);
  for (const id of [0, 4, 6, series - 1]) {
    assert.equal(await db.get(chunkKey(id, 10, old)), undefined, `series ${id}`);
    assert.equal(await db.get(chunkKey(id, 10, old + SPAN)), undefined);
    assert.deepEqual(Array.from((await db.get(chunkKey(id, 10, kept)))!), [3]);
  }
  assert.deepEqual(Array.from((await db.get(chunkKey(5, 10, old)))!), [1], 'not a series now: left alone');
});

test('expiry stopped at any of its writes (a crash) never leaves its mark ahead of windows still stored', async (t) => {
  const { db } = await openTempDb(t, 'carbonado-lifecycle-');
  const series = RECORDS_PER_BATCH + 10; // deletions in two batches, then the mark
  const old = 100 * SPAN;
  const kept = old + 2 * SPAN;
  const now = kept + DAY + SPAN;
  for (let crashAt = 1; ; crashAt++) {
    await db.clear();
    await db.batch(Array.from({ length: series }, (_, id) => ({ type: 'put' as const, key: chunkKey(id, 10, old), value: Uint8Array.of(1) })));
    await db.put(metaKey('expired:10'), u32(old));
    // Every write up to the crash lands; that one and any after it never do.
    let writes = 0;
    const crashed = new Error('crash');
    const crashing = {
      clear: db.clear.bind(db),
      put: async (key: Uint8Array, value: Uint8Array) => {
        if (++writes >= crashAt) throw crashed;
        await db.put(key, value);
      },
      batch: (ops?: unknown) => {
        if (ops) throw new Error('expected a chained batch');
        const chained = db.batch();
        const write = chained.write.bind(chained);
        chained.write = async (options?: { sync?: boolean }) => {
          if (++writes >= crashAt) throw crashed;
          await write(options ?? {});
        };
        return chained;
      },
    } as unknown as Pick<Db, 'put' | 'batch' | 'clear'>;
    const index = new SeriesIndex();
    for (let i = 0; i < series; i++) index.add(`s.${i}`);
    const lifecycle = lifecycleOver(crashing, index, new Map([[10, old]]));
    const finished = await lifecycle.expireWindows(now).then(() => true, (err: unknown) => {
      if (err !== crashed) throw err;
      return false;
    });
    const mark = readU32((await db.get(metaKey('expired:10')))!);
    const left = (await db.keys({ gte: chunkKey(0, 10, 0), lt: chunkKey(series, 0, 0) }).all()).length;
    if (mark > old) assert.equal(left, 0, `crash at write ${crashAt}: the mark moved on with ${left} windows still stored`);
    if (finished) {
      assert.equal(mark, kept);
      assert.ok(crashAt > 2, 'the deletions took more than one write');
      break;
    }
  }
});
