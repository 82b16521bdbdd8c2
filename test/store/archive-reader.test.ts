import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArchiveReader, type ArchiveSources } from '../../src/store/archive-reader.js';
import { encodeChunk } from '../../src/store/chunk/index.js';
import { DecodedWindowCache } from '../../src/store/decoded-cache.js';
import { Head } from '../../src/store/head.js';
import { chunkKey } from '../../src/store/keys.js';
import type { Layout } from '../../src/store/layout.js';

const T = 7200 * 20; // a window start of both archives
const layout: Layout = {
  archives: [
    { secondsPerPoint: 10, points: 8640, retentionSeconds: 86_400 },
    { secondsPerPoint: 60, points: 1440, retentionSeconds: 86_400 },
  ],
  aggregation: { method: 'average', xFilesFactor: 0 },
  maxRetention: 86_400,
};
const chunk = (t: number, value: number): Uint8Array => encodeChunk(Uint32Array.of(t), Float64Array.of(value), 0, 1);
const key = (bytes: Uint8Array): string => bytes.join(',');

/** Series 0: window T-1200 only in LevelDB, T in the hot ring, T+1200 open in the head. */
function reader(): { archives: ArchiveReader; stored: Map<string, Uint8Array>; cache: DecodedWindowCache } {
  const head = new Head();
  head.write(0, T + 1200, ((T + 1200) / 1200) & 1, 2, 5);
  const stored = new Map([[key(chunkKey(0, 10, T - 1200)), chunk(T - 1200 + 30, 2)]]);
  const cache = new DecodedWindowCache(1024 ** 2);
  const sources: ArchiveSources = {
    db: { getMany: async (keys: Uint8Array[]) => keys.map((k) => stored.get(key(k))) } as ArchiveSources['db'],
    head,
    readCache: cache,
    rollupDone: new Map(),
    earlierLayouts: new Map(),
    layoutOf: () => layout,
    sealedInMemory: (id, start) => (id === 0 && start === T ? chunk(T + 10, 1) : undefined),
  };
  return { archives: new ArchiveReader(sources), stored, cache };
}

test('reads one range from LevelDB, the hot ring and the head, then the sealed windows again from the decoded cache', async () => {
  const { archives, stored, cache } = reader();
  const expected = new Float64Array(360).fill(NaN);
  expected[3] = 2;
  expected[121] = 1;
  expected[242] = 5;
  const range = [{ id: 0, archive: 0, from: T - 1200, until: T + 2400 }];
  const sources: Float64Array[] = [];
  const offsets: number[] = [];
  assert.equal(archives.windowsInMemory(range, cache, sources, offsets), false);
  assert.deepEqual((await archives.readArchives(range, true))[0], expected);
  stored.clear();
  assert.deepEqual((await archives.readArchives(range, true))[0], expected);
  assert.equal(archives.windowsInMemory(range, cache, sources, offsets), true);
  assert.deepEqual([sources[1][offsets[1] + 1], sources[2][offsets[2] + 2]], [1, 5]);
});

test('a coarser window not rolled up yet is computed from the finer archive with the series aggregation', async () => {
  const { archives } = reader();
  const [values] = await archives.readArchives([{ id: 0, archive: 1, from: T, until: T + 1500 }]);
  assert.deepEqual([values[0], values[1], values[20], values[24]], [1, NaN, 5, NaN]);
});
