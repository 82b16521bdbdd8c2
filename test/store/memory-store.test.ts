import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PointBatchBuilder } from '../../src/points.js';
import { MemoryStore } from '../../src/store/memory-store.js';

const T0 = 1_700_000_000; // a multiple of 10
const farFuture = () => 4e9;

function storeWith(points: Array<[string, number, number]>, retentionSeconds = 3600, step = 10): MemoryStore {
  const store = new MemoryStore({ stepSeconds: step, retentionSeconds, now: farFuture });
  const batch = new PointBatchBuilder();
  for (const [name, t, v] of points) batch.push(store.seriesId(name), t, v);
  store.append(batch);
  return store;
}

function values(store: MemoryStore, name: string, from: number, until: number): number[] {
  const [range] = store.read([name], from, until);
  return range ? [...range.values] : [];
}

describe('MemoryStore', () => {
  it('gives each name one id and lists names', () => {
    const store = new MemoryStore({ stepSeconds: 10, retentionSeconds: 600 });
    assert.equal(store.seriesId('a.b'), 0);
    assert.equal(store.seriesId('c;k=v'), 1);
    assert.equal(store.seriesId('a.b'), 0);
    assert.equal(store.seriesCount(), 2);
    assert.deepEqual([...store.names()], ['a.b', 'c;k=v']);
  });

  it('follows whisper fetch alignment: from and until floored to the step, then one step on', () => {
    const store = storeWith([
      ['m', T0, 1],
      ['m', T0 + 10, 2],
      ['m', T0 + 20, 3],
      ['m', T0 + 30, 4],
    ]);
    const [range] = store.read(['m'], T0, T0 + 30);
    assert.equal(range.start, T0 + 10);
    assert.equal(range.end, T0 + 40);
    assert.equal(range.step, 10);
    assert.deepEqual([...range.values], [2, 3, 4]);
    // Unaligned bounds: from 5 s into a step still starts at the next step.
    const [unaligned] = store.read(['m'], T0 + 5, T0 + 25);
    assert.equal(unaligned.start, T0 + 10);
    assert.deepEqual([...unaligned.values], [2, 3]);
    // from and until in the same step still yield one step.
    const [single] = store.read(['m'], T0 + 21, T0 + 22);
    assert.equal(single.start, T0 + 30);
    assert.equal(single.end, T0 + 40);
  });

  it('floors timestamps to the step and keeps the last write', () => {
    const store = storeWith([
      ['m', T0 + 11, 1],
      ['m', T0 + 19, 2],
      ['m', T0 + 20, 3],
    ]);
    assert.deepEqual(values(store, 'm', T0, T0 + 20), [2, 3]);
  });

  it('leaves NaN where no point was written', () => {
    const store = storeWith([
      ['m', T0 + 10, 1],
      ['m', T0 + 40, 4],
    ]);
    const got = values(store, 'm', T0, T0 + 40);
    assert.equal(got.length, 4);
    assert.equal(got[0], 1);
    assert.ok(Number.isNaN(got[1]) && Number.isNaN(got[2]));
    assert.equal(got[3], 4);
  });

  it('skips unknown names and reads many series in one call', () => {
    const store = storeWith([
      ['a', T0 + 10, 1],
      ['b', T0 + 10, 2],
    ]);
    const ranges = store.read(['b', 'nope', 'a'], T0, T0 + 10);
    assert.deepEqual(
      ranges.map((r) => [r.name, [...r.values]]),
      [
        ['b', [2]],
        ['a', [1]],
      ],
    );
  });

  it('clips reads to the retention window behind the newest point', () => {
    const store = storeWith(
      [
        ['m', T0, 0],
        ['m', T0 + 100, 10],
      ],
      60,
    );
    const [range] = store.read(['m'], T0 - 1000, T0 + 100);
    assert.equal(range.start, T0 + 50);
    assert.equal(range.end, T0 + 110);
    assert.equal(range.values.length, 6);
    assert.equal(range.values[5], 10);
    // A range wholly older than the retention, or newer than the newest point, has no series.
    assert.deepEqual(store.read(['m'], T0 - 1000, T0 + 10), []);
    assert.deepEqual(store.read(['m'], T0 + 200, T0 + 300), []);
  });

  it('drops points older than the retention and far ahead of the clock', () => {
    const store = new MemoryStore({ stepSeconds: 10, retentionSeconds: 60, now: () => T0 + 100 });
    const id = store.seriesId('m');
    const batch = new PointBatchBuilder();
    batch.push(id, T0 + 100, 1);
    batch.push(id, T0 + 30, 2); // older than head - retention
    batch.push(id, T0 + 200, 3); // ten steps ahead of the clock
    batch.push(id, T0 + 110, 4); // within a step of the clock: kept
    store.append(batch);
    assert.equal(store.droppedPoints, 2);
    assert.deepEqual(values(store, 'm', T0, T0 + 110), [NaN, NaN, NaN, NaN, 1, 4]);
  });

  it('never shows a slot from an earlier lap of the ring', () => {
    const store = storeWith([['m', T0 + 10, 7]], 60);
    const later = new PointBatchBuilder();
    // 100 000 s later: same ring position, different lap.
    const lapLater = T0 + 10 + 10 * 1024 * 10;
    later.push(store.seriesId('m'), lapLater + 20, 9);
    later.push(store.seriesId('other'), lapLater + 20, 1);
    store.append(later);
    const got = values(store, 'm', lapLater - 10, lapLater + 20);
    assert.deepEqual(got.slice(0, 2).map(Number.isNaN), [true, true]);
    assert.equal(got[2], 9);
  });

  it('keeps a full week of 10 s points across chunk boundaries', () => {
    const week = 7 * 86_400;
    const store = new MemoryStore({ stepSeconds: 10, retentionSeconds: week, now: farFuture });
    const id = store.seriesId('m');
    const batch = new PointBatchBuilder();
    for (let t = T0; t <= T0 + week; t += 10) batch.push(id, t, t);
    store.append(batch);
    const [range] = store.read(['m'], T0, T0 + week);
    assert.equal(range.values.length, week / 10);
    for (let i = 0; i < range.values.length; i++) assert.equal(range.values[i], range.start + i * 10);
  });

  it('rejects a bad configuration', () => {
    assert.throws(() => new MemoryStore({ stepSeconds: 0, retentionSeconds: 60 }), /stepSeconds/);
    assert.throws(() => new MemoryStore({ stepSeconds: 10, retentionSeconds: 5 }), /retentionSeconds/);
  });
});
