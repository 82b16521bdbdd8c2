import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeTimerStats,
  histogramBinName,
  TIMER_STAT_NAMES,
  thresholdStatNames,
  TimerStat,
  TimerStatsScratch,
} from '../../src/aggregate/timer-stats.js';

test('threshold names clean the percentage as Etsy does', () => {
  assert.deepEqual(thresholdStatNames(90), ['count_90', 'mean_90', 'upper_90', 'sum_90', 'sum_squares_90']);
  assert.deepEqual(thresholdStatNames(-10), ['count_top10', 'mean_top10', 'lower_top10', 'sum_top10', 'sum_squares_top10']);
  assert.deepEqual(thresholdStatNames(50.5), ['count_50_5', 'mean_50_5', 'upper_50_5', 'sum_50_5', 'sum_squares_50_5']);
  assert.deepEqual(thresholdStatNames(-99.9)[2], 'lower_top99_9');
});

test('histogram bin names replace the first dot', () => {
  assert.equal(histogramBinName(2.5), 'histogram.bin_2_5');
  assert.equal(histogramBinName(100), 'histogram.bin_100');
  assert.equal(histogramBinName('inf'), 'histogram.bin_inf');
});

function stats(samples: number[], sampleCount: number, thresholds: number[], bins: number[] = []): Float64Array {
  const out = new Float64Array(TIMER_STAT_NAMES.length + 5 * thresholds.length + bins.length);
  computeTimerStats(Float64Array.from(samples), samples.length, sampleCount, 10, thresholds, bins, out, new TimerStatsScratch());
  return out;
}

test('base statistics of unsorted samples', () => {
  const s = stats([9, 2, 4, 5, 4, 7, 4, 5], 8, []);
  assert.deepEqual(Array.from(s), [8, 0.8, 2, 9, 5, 4.5, 2, 40, 232]);
});

test('sums run in ascending order, so rounding matches Etsy bit for bit', () => {
  const s = stats([0.3, 0.1, 0.2], 3, []);
  assert.equal(s[TimerStat.sum], 0.1 + 0.2 + 0.3);
  assert.equal(s[TimerStat.sum], 0.6000000000000001);
  assert.equal(s[TimerStat.mean], 0.6000000000000001 / 3);
});

test('thresholds 90, -10 and 50.5 over eight samples', () => {
  const s = stats([2, 4, 4, 4, 5, 5, 7, 9], 8, [90, -10, 50.5]);
  assert.deepEqual(Array.from(s.subarray(9)), [
    7, 31 / 7, 7, 31, 151, // round(7.2) = 7 lowest
    1, 9, 9, 9, 81, // round(0.8) = 1 highest
    4, 3.5, 4, 14, 52, // round(4.04) = 4 lowest
  ]);
});

test('a threshold holding no sample is marked by count 0', () => {
  const s = stats([1, 2, 3], 3, [10, 90]);
  assert.equal(s[9], 0);
  assert.deepEqual(Array.from(s.subarray(14)), [3, 2, 3, 6, 14]);
});

test('one sample fills every threshold with itself', () => {
  const s = stats([7], 1, [10, -10]);
  assert.deepEqual(Array.from(s), [1, 0.1, 7, 7, 7, 7, 0, 7, 49, 1, 7, 7, 7, 49, 1, 7, 7, 7, 49]);
});

test('a top threshold covering every sample sums all of them', () => {
  const s = stats([3, 1], 2, [-90]);
  assert.deepEqual(Array.from(s.subarray(9)), [2, 2, 1, 4, 10]);
});

test('histogram bins count samples below each bound; the rest is dropped unless inf', () => {
  assert.deepEqual(Array.from(stats([10, 0.5, 3, 1, 2], 5, [], [1, 2.5, Infinity]).subarray(9)), [1, 2, 2]);
  assert.deepEqual(Array.from(stats([10, 0.5, 3, 1, 2], 5, [], [1, 5]).subarray(9)), [1, 3]);
});

test('the scratch buffers grow for large timers', () => {
  const samples = Array.from({ length: 10_000 }, (_, i) => 10_000 - i);
  const s = stats(samples, 10_000, [99]);
  assert.equal(s[TimerStat.lower], 1);
  assert.equal(s[TimerStat.upper], 10_000);
  assert.equal(s[TimerStat.sum], 50_005_000);
  assert.equal(s[9 + 2], 9_900); // upper_99
});
