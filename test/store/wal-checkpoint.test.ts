import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeChunk } from '../../src/store/chunk/index.js';
import { Head } from '../../src/store/head.js';
import type { Layout } from '../../src/store/layout.js';
import { SeriesIndex } from '../../src/store/series-index.js';
import { WalCheckpoint } from '../../src/store/wal-checkpoint.js';
import { WriteAheadLog } from '../../src/store/wal.js';
import { PointBatchBuilder } from '../../src/points.js';

const layout: Layout = {
  archives: [{ secondsPerPoint: 10, points: 8640, retentionSeconds: 86_400 }],
  aggregation: { method: 'average', xFilesFactor: 0 },
  maxRetention: 86_400,
};
const W = 1200 * 100;

test('a checkpoint logs the unwritten chunks and the head again, then deletes the segments before it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-checkpoint-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { wal } = WriteAheadLog.open(dir, 0, { series() {}, points() {} });
  const old = new PointBatchBuilder(1);
  old.push(0, W - 1200, 9);
  wal.logPoints(old); // in LevelDB by now, as far as the checkpoint knows
  const keepFrom = wal.rotate();

  const index = new SeriesIndex();
  index.add('a');
  index.add('gone');
  index.add('b');
  index.delete(1);
  const head = new Head();
  head.write(0, W, 0, 3, 1.5);
  head.write(1, W, 0, 0, 99); // a deleted series' leftover: not logged
  head.write(2, W + 1200, 1, 0, -4);
  const unwritten = [{ id: 2, step: 10, start: W - 1200, value: encodeChunk(Uint32Array.of(W - 1100), Float64Array.of(7), 0, 1) }];
  const checkpoint = new WalCheckpoint({ index, head, sealer: { unwritten }, layoutOf: () => layout, pause: () => Promise.resolve() });
  await checkpoint.run(wal, keepFrom);
  wal.close();

  assert.deepEqual(readdirSync(dir), ['00000002.wal']);
  const replayed: [number, number, number][] = [];
  WriteAheadLog.open(dir, 0, {
    series() {},
    points: (b) => {
      for (let i = 0; i < b.length; i++) replayed.push([b.seriesIds[i], b.timestamps[i], b.values[i]]);
    },
  }).wal.close();
  assert.deepEqual(replayed, [[2, W - 1100, 7], [0, W + 30, 1.5], [2, W + 1200, -4]]);
});
