import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AggregatorFlushReply } from '../../src/aggregate/aggregator-worker.js';
import type { PointBatch, PointWriter } from '../../src/points.js';
import { FlushWriter } from '../../src/pipeline/flush-writer.js';

/** Records every append (copied) and numbers names from 100. */
class RecordingWriter implements PointWriter {
  readonly names: string[] = [];
  readonly appends: { seriesIds: number[]; timestamps: number[]; values: number[] }[] = [];
  seriesId(name: string): number {
    this.names.push(name);
    return 99 + this.names.length;
  }
  append(batch: PointBatch): void {
    this.appends.push({
      seriesIds: Array.from(batch.seriesIds.subarray(0, batch.length)),
      timestamps: Array.from(batch.timestamps.subarray(0, batch.length)),
      values: Array.from(batch.values.subarray(0, batch.length)),
    });
  }
}

function reply(points: number, newNames: number): AggregatorFlushReply {
  return {
    type: 'flushed',
    id: 1,
    newNames: Array.from({ length: newNames }, (_, i) => `m${i}`),
    firstNewId: 0,
    ids: Uint32Array.from({ length: points }, (_, i) => i % newNames),
    values: Float64Array.from({ length: points }, (_, i) => i),
    length: points,
    metricCount: newNames,
    records: 0,
    flushMs: 0,
  };
}

test('a large flush reaches the store whole and in order, in chunks, letting the event loop run between them', async () => {
  const store = new RecordingWriter();
  const writer = new FlushWriter(store, 1);
  const points = 50_000;
  let turns = 0;
  const ticker = setInterval(() => turns++, 0);
  const busyMs = await writer.write([reply(points, 1000)], 1_700_000_000);
  clearInterval(ticker);
  assert.ok(store.appends.length > 1, 'written in several appends');
  assert.ok(turns > 0, 'other work ran while the flush was written');
  assert.ok(busyMs >= 0);
  const all = store.appends.flatMap((a) => a.values);
  assert.deepEqual(all, Array.from({ length: points }, (_, i) => i));
  assert.ok(store.appends.every((a) => a.timestamps.every((t) => t === 1_700_000_000)));
  assert.deepEqual(store.appends.flatMap((a) => a.seriesIds).slice(0, 3), [100, 101, 102]);
  assert.equal(store.names.length, 1000, 'each new name resolved once');
});

test('an unpaced flush (shutdown) is written before write() first yields', async () => {
  const store = new RecordingWriter();
  const writer = new FlushWriter(store, 1);
  const pending = writer.write([reply(50_000, 10)], 1, false);
  assert.equal(store.appends.flatMap((a) => a.values).length, 50_000);
  await pending;
});
