import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePoolConfig } from '../../src/config/pool-config.js';
import { newestSampleStart, sampleRange, sampleSeries, sampleSeriesSet, sampleWindow, type SeriesValues } from '../../src/scale/sampler.js';

function series(start: number, step: number, values: readonly number[]): SeriesValues {
  return { start, step, values: Float64Array.from(values) };
}

/** One value per 60 s starting at 0: minute m holds 100 + m. */
const PER_MINUTE = series(0, 60, Array.from({ length: 20 }, (_, m) => 100 + m));

test('the sample of minute m counts from the end of minute m on', () => {
  assert.equal(newestSampleStart(600, 60), 540);
  assert.equal(newestSampleStart(659, 60), 540);
  assert.equal(newestSampleStart(599, 60), 480);
  assert.deepEqual([...sampleSeries(PER_MINUTE, 600, 60, 3, 'average')], [107, 108, 109]);
  assert.deepEqual([...sampleSeries(PER_MINUTE, 659, 60, 3, 'average')], [107, 108, 109]);
  assert.deepEqual([...sampleSeries(PER_MINUTE, 599, 60, 3, 'average')], [106, 107, 108]);
});

test('intervals before or after the data are NaN', () => {
  const got = [...sampleSeries(PER_MINUTE, 120, 60, 4, 'average')];
  assert.ok(Number.isNaN(got[0]) && Number.isNaN(got[1]));
  assert.deepEqual(got.slice(2), [100, 101]);
  assert.ok(sampleSeries(PER_MINUTE, 5000, 60, 2, 'average').every(Number.isNaN));
});

test('finer slots are averaged (or the last taken) per interval, skipping nulls', () => {
  // 10 s slots from 0: minute 0 = 1..6, minute 1 = 10, NaN, 30, NaN, NaN, NaN.
  const fine = series(0, 10, [1, 2, 3, 4, 5, 6, 10, NaN, 30, NaN, NaN, NaN]);
  assert.deepEqual([...sampleSeries(fine, 120, 60, 2, 'average')], [3.5, 20]);
  assert.deepEqual([...sampleSeries(fine, 120, 60, 2, 'last')], [6, 30]);
});

test('a coarser slot feeds every interval it covers, once it has ended', () => {
  const coarse = series(0, 300, [7, 8]);
  assert.deepEqual([...sampleSeries(coarse, 300, 60, 5, 'average')], [7, 7, 7, 7, 7]);
  // At 540 the slot [300, 600) has not ended: its intervals have no data yet.
  const early = [...sampleSeries(coarse, 540, 60, 5, 'average')];
  assert.equal(early[0], 7);
  assert.ok(early.slice(1).every(Number.isNaN));
  assert.deepEqual([...sampleSeries(coarse, 600, 60, 6, 'average')], [7, 8, 8, 8, 8, 8]);
});

test('several series are summed or maxed per interval; NaN only where all are NaN', () => {
  const a = series(0, 60, [1, NaN, NaN]);
  const b = series(0, 60, [2, 5, NaN]);
  const summed = [...sampleSeriesSet([a, b], 180, 60, 3, 'average', 'sum')];
  assert.deepEqual(summed.slice(0, 2), [3, 5]);
  assert.ok(Number.isNaN(summed[2]));
  assert.deepEqual([...sampleSeriesSet([a, b], 120, 60, 2, 'average', 'max')], [2, 5]);
  assert.ok(sampleSeriesSet([], 120, 60, 2, 'average', 'sum').every(Number.isNaN));
});

test('sampleWindow builds the decision samples of a pool', () => {
  const config = parsePoolConfig({
    qps: 'sumSeries(web.p.*.qps)',
    instances: 4,
    capacityPerInstance: 100,
    health: [{ target: 'web.p.slow', above: 0.01 }, { target: 'web.p.5xx', above: 0.001 }],
    window: 3,
    trigger: 2,
  });
  const samples = sampleWindow(
    config,
    {
      qps: [PER_MINUTE, series(0, 60, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1])],
      instances: 4,
      health: [[series(0, 60, Array(10).fill(0.02))], []],
    },
    600,
  );
  assert.equal(samples.length, 3);
  assert.deepEqual(
    samples.map((s) => [s.t, s.qps, s.instances, s.health[0]]),
    [
      [420, 108, 4, 0.02],
      [480, 109, 4, 0.02],
      [540, 110, 4, 0.02],
    ],
  );
  assert.ok(samples.every((s) => Number.isNaN(s.health[1])));

  const counted = sampleWindow(config, { qps: [PER_MINUTE], instances: [series(0, 10, Array(60).fill(3))], health: [] }, 600);
  assert.deepEqual(
    counted.map((s) => s.instances),
    [3, 3, 3],
  );
});

test('sampleRange is the range a decision at `at` reads', () => {
  const config = parsePoolConfig({ qps: 'a', instances: 1, capacityPerInstance: 1 });
  assert.deepEqual(sampleRange(config, 659), { from: 300, until: 600 });
});
