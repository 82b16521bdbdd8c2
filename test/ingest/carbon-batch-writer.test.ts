import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CarbonBatchWriter } from '../../src/ingest/carbon-batch-writer.js';
import type { CarbonBatchMessage } from '../../src/ingest/carbon-protocol.js';
import type { PointBatch, PointWriter } from '../../src/points.js';
import { REJECTED_SERIES } from '../../src/store/series-store.js';
import { blockOf } from '../support/name-blocks.js';
import { openTempEngine } from '../support/temp-engine.js';

/** A batch as the worker would send it: local ids, one new name per first-seen id. */
function batch(seq: number, points: [number, number, number][], firstNewId: number, newNames: string[], resetNames = false): CarbonBatchMessage {
  return {
    type: 'batch',
    seq,
    length: points.length,
    ids: Uint32Array.from(points, (p) => p[0]),
    timestamps: Uint32Array.from(points, (p) => p[1]),
    values: Float64Array.from(points, (p) => p[2]),
    resetNames,
    firstNewId,
    newNames: blockOf(newNames),
  };
}

/** Appends a whole batch, as many slices as it takes (one here: no slice limit). */
function appendAll(writer: CarbonBatchWriter, b: CarbonBatchMessage): void {
  assert.equal(writer.appendNext(b, Infinity), true);
}

/** Hands out ids 100, 101...; refuses names in `refuse`; records every seriesId call and appended point. */
class RecordingWriter implements PointWriter {
  readonly asked: string[] = [];
  readonly appended: [number, number, number][] = [];
  readonly refuse = new Set<string>();
  private readonly ids = new Map<string, number>();
  seriesId(name: string): number {
    this.asked.push(name);
    if (this.refuse.has(name)) return REJECTED_SERIES;
    let id = this.ids.get(name);
    if (id === undefined) this.ids.set(name, (id = 100 + this.ids.size));
    return id;
  }
  readonly appends: number[] = [];
  append(b: PointBatch): void {
    this.appends.push(b.length);
    for (let i = 0; i < b.length; i++) this.appended.push([b.seriesIds[i], b.timestamps[i], b.values[i]]);
  }
}

test('a batch is appended in slices of at most the given points, its names taken once', () => {
  const store = new RecordingWriter();
  const writer = new CarbonBatchWriter(store);
  const first = batch(1, [[0, 10, 1], [1, 10, 2], [2, 10, 3], [0, 20, 4], [1, 20, 5]], 0, ['a', 'b', 'c']);
  assert.equal(writer.appendNext(first, 2), false);
  assert.equal(writer.appendNext(first, 2), false);
  assert.equal(writer.appendNext(first, 2), true);
  const second = batch(2, [[3, 30, 6], [2, 30, 7]], 3, ['d']);
  assert.equal(writer.appendNext(second, 2), true);
  assert.deepEqual(store.appends, [2, 2, 1, 2]);
  assert.deepEqual(store.asked, ['a', 'b', 'c', 'd']);
  assert.deepEqual(store.appended, [[100, 10, 1], [101, 10, 2], [102, 10, 3], [100, 20, 4], [101, 20, 5], [103, 30, 6], [102, 30, 7]]);
});

test('local ids map to series ids, each name asked of the store once', () => {
  const store = new RecordingWriter();
  const writer = new CarbonBatchWriter(store);
  appendAll(writer, batch(1, [[0, 10, 1], [1, 10, 2], [0, 20, 3]], 0, ['a', 'b']));
  appendAll(writer, batch(2, [[1, 30, 4], [2, 30, 5]], 2, ['c']));
  assert.deepEqual(store.asked, ['a', 'b', 'c']);
  assert.deepEqual(store.appended, [[100, 10, 1], [101, 10, 2], [100, 20, 3], [101, 30, 4], [102, 30, 5]]);
});

test('a name the series limit refused is asked again at each point, and kept once taken', () => {
  const store = new RecordingWriter();
  store.refuse.add('full');
  const writer = new CarbonBatchWriter(store);
  appendAll(writer, batch(1, [[0, 10, 1], [0, 20, 2]], 0, ['full']));
  assert.deepEqual(store.asked, ['full', 'full'], 'one store call per refused point, so the store counts each');
  assert.deepEqual(store.appended, [[REJECTED_SERIES, 10, 1], [REJECTED_SERIES, 20, 2]]);
  store.refuse.clear();
  appendAll(writer, batch(2, [[0, 30, 3], [0, 40, 4]], 1, []));
  assert.deepEqual(store.asked, ['full', 'full', 'full']);
  assert.deepEqual(store.appended.slice(2), [[100, 30, 3], [100, 40, 4]]);
});

test('after the worker forgot its names, local ids mean the names sent with the reset', () => {
  const store = new RecordingWriter();
  const writer = new CarbonBatchWriter(store);
  appendAll(writer, batch(1, [[0, 10, 1], [1, 10, 2]], 0, ['a', 'b']));
  appendAll(writer, batch(2, [[0, 20, 3], [1, 20, 4]], 0, ['b', 'c'], true));
  assert.deepEqual(store.appended.slice(2), [[101, 20, 3], [102, 20, 4]]);
});

test('a series deleted from the store while the worker holds its local id comes back with only the new points', async (t) => {
  const { store } = await openTempEngine(t);
  const writer = new CarbonBatchWriter(store);
  const now = Math.floor(Date.now() / 1000);
  const t0 = now - (now % 10) - 600;
  appendAll(writer, batch(1, [[0, t0, 1], [1, t0, 2]], 0, ['del.me', 'del.kept']));
  assert.equal(await store.deleteSeries(['del.me']), 1);
  assert.deepEqual([...store.names()], ['del.kept']);
  appendAll(writer, batch(2, [[0, t0 + 10, 3], [1, t0 + 10, 4]], 2, []));
  assert.deepEqual([...store.names()].sort(), ['del.kept', 'del.me']);
  const [me] = await store.read(['del.me'], t0 - 10, t0 + 20);
  assert.deepEqual([...me.values].filter((v) => !Number.isNaN(v)), [3], 'the deleted point stays deleted');
  const [kept] = await store.read(['del.kept'], t0 - 10, t0 + 20);
  assert.deepEqual([...kept.values].filter((v) => !Number.isNaN(v)), [2, 4]);
});

test('with the real store at its series limit, a refused name is taken once a deletion makes room', async (t) => {
  const { store } = await openTempEngine(t, { maxSeries: 1 });
  const writer = new CarbonBatchWriter(store);
  const now = Math.floor(Date.now() / 1000);
  const t0 = now - (now % 10) - 600;
  appendAll(writer, batch(1, [[0, t0, 1], [1, t0, 2], [1, t0 + 10, 3]], 0, ['limit.a', 'limit.b']));
  assert.equal(store.stats.droppedSeriesLimit, 2, 'both points of the refused series are counted');
  await store.deleteSeries(['limit.a']);
  appendAll(writer, batch(2, [[1, t0 + 20, 4]], 2, []));
  assert.deepEqual([...store.names()], ['limit.b']);
  const [b] = await store.read(['limit.b'], t0 - 10, t0 + 30);
  assert.deepEqual([...b.values].filter((v) => !Number.isNaN(v)), [4]);
});

test('a slice resolves at most the given new names, and takes known points past them', () => {
  const store = new RecordingWriter();
  const writer = new CarbonBatchWriter(store);
  const first = batch(1, [[0, 10, 1], [1, 10, 2], [0, 20, 3], [2, 10, 4]], 0, ['a', 'b', 'c']);
  assert.equal(writer.appendNext(first, 100, 1), false);
  assert.equal(writer.appendNext(first, 100, 1), false);
  assert.equal(writer.appendNext(first, 100, 1), true);
  assert.deepEqual(store.appends, [1, 2, 1]);
  assert.deepEqual(store.asked, ['a', 'b', 'c']);
  assert.deepEqual(store.appended, [[100, 10, 1], [101, 10, 2], [100, 20, 3], [102, 10, 4]]);
});

test('a name refused in one batch is asked again in the next, by its local id', () => {
  const store = new RecordingWriter();
  store.refuse.add('b');
  const writer = new CarbonBatchWriter(store);
  appendAll(writer, batch(1, [[0, 10, 1], [1, 10, 2]], 0, ['a', 'b']));
  store.refuse.clear();
  appendAll(writer, batch(2, [[2, 20, 3], [1, 20, 4], [1, 30, 5]], 2, ['c']));
  assert.deepEqual(store.asked, ['a', 'b', 'c', 'b']);
  assert.deepEqual(store.appended.slice(2), [[101, 20, 3], [102, 20, 4], [102, 30, 5]]);
});

test('a batch of thousands of new names, as a worker sends them, makes each one series the store finds by its string', async (t) => {
  const { store } = await openTempEngine(t);
  const writer = new CarbonBatchWriter(store);
  const now = Math.floor(Date.now() / 1000);
  const t0 = now - (now % 10) - 600;
  const names = Array.from({ length: 5000 }, (_, i) => `many.host_${i % 7}.m${i}`);
  const b = batch(1, names.map((_, i) => [i, t0, i]), 0, names);
  // In slices, so prefetches run ahead of the lookups in several steps.
  while (!writer.appendNext(b, 700, 300));
  assert.equal(store.seriesCount(), names.length);
  const ids = new Set(names.map((name) => store.seriesId(name)));
  assert.equal(ids.size, names.length);
  assert.equal(store.seriesCount(), names.length, 'no name was made twice');
  assert.deepEqual(store.match('many.host_3.*').length, names.filter((_, i) => i % 7 === 3).length);
});
