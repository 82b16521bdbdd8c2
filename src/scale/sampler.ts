/**
 * Turns raw series into the decision window: one sample per sampleInterval, the newest ending at
 * or before `at`. The sample of interval [m, m+I) counts for every `at` from m+I on (issue 5), so
 * a decision at `at` never sees a half-filled interval, and asking again later with the same `at`
 * gives the same answer.
 *
 * A stored slot [s, s+step) feeds the interval it overlaps, and only once it has ended by `at`.
 * Within an interval the slots are consolidated per series: qps and health by average (a rate is
 * averaged over the minute, as Graphite's rollups do), instance counts by their last value (the
 * count now, not the minute's mean). Several series of one target are then combined: qps and
 * instances summed (the pool is the total of what the target names), health by maximum (one
 * degraded series is a degraded pool). NaN means no data, never zero.
 */
import { type DecisionSample, SampleColumns } from './decision.js';
import type { PoolConfig } from '../config/pool-config.js';

/** The part of a store's SeriesRange (or a rendered series) the sampler reads. */
export interface SeriesValues {
  /** Timestamp of values[0], seconds. */
  start: number;
  step: number;
  /** NaN where there is no point. */
  values: Float64Array;
}

export type WithinInterval = 'average' | 'last';
export type AcrossSeries = 'sum' | 'max';

/** What one pool's targets rendered to; `instances` is the fixed count when the config gives one. */
export interface PoolSeries {
  qps: readonly SeriesValues[];
  instances: number | readonly SeriesValues[];
  /** One entry per `config.health` check, in the same order. */
  health: readonly (readonly SeriesValues[])[];
}

/** Start of the newest interval that has ended by `at`. */
export function newestSampleStart(at: number, intervalSeconds: number): number {
  return Math.floor(at / intervalSeconds) * intervalSeconds - intervalSeconds;
}

/** The time range [from, until) to read for the window of a decision at `at`. */
export function sampleRange(config: PoolConfig, at: number): { from: number; until: number } {
  const interval = config.sampleIntervalSeconds;
  const newest = newestSampleStart(at, interval);
  return { from: newest - (config.window - 1) * interval, until: newest + interval };
}

/** One value per interval, oldest first: `count` intervals, the newest ending at or before `at`. */
export function sampleSeries(series: SeriesValues, at: number, intervalSeconds: number, count: number, within: WithinInterval): Float64Array {
  const out = new Float64Array(count);
  const newest = newestSampleStart(at, intervalSeconds);
  for (let k = 0; k < count; k++) out[k] = intervalValue(series, newest - (count - 1 - k) * intervalSeconds, intervalSeconds, at, within);
  return out;
}

/** One series consolidated over [from, from + intervalSeconds): the slots overlapping it that ended by `at`; NaN: none. */
function intervalValue(series: SeriesValues, from: number, intervalSeconds: number, at: number, within: WithinInterval): number {
  const { start, step, values } = series;
  const until = from + intervalSeconds;
  const first = Math.max(0, Math.floor((from - start) / step));
  const last = Math.min(values.length - 1, Math.ceil((until - start) / step) - 1);
  let sum = 0;
  let n = 0;
  let lastValue = NaN;
  for (let i = first; i <= last; i++) {
    const value = values[i];
    if (Number.isNaN(value) || start + (i + 1) * step > at) continue;
    sum += value;
    n++;
    lastValue = value;
  }
  return n === 0 ? NaN : within === 'last' ? lastValue : sum / n;
}

/** Samples of several series combined per interval; NaN only where every series is NaN. */
export function sampleSeriesSet(
  series: readonly SeriesValues[],
  at: number,
  intervalSeconds: number,
  count: number,
  within: WithinInterval,
  across: AcrossSeries,
): Float64Array {
  const out = new Float64Array(count);
  sampleSeriesSetInto(series, at, intervalSeconds, within, across, out);
  return out;
}

/** sampleSeriesSet() into `out`, one sample per element: no allocation, for decisions replayed by the dozen. */
function sampleSeriesSetInto(
  series: readonly SeriesValues[],
  at: number,
  intervalSeconds: number,
  within: WithinInterval,
  across: AcrossSeries,
  out: Float64Array,
): void {
  const count = out.length;
  out.fill(NaN);
  const newest = newestSampleStart(at, intervalSeconds);
  for (let s = 0; s < series.length; s++) {
    for (let k = 0; k < count; k++) {
      const value = intervalValue(series[s], newest - (count - 1 - k) * intervalSeconds, intervalSeconds, at, within);
      if (Number.isNaN(value)) continue;
      const prior = out[k];
      out[k] = Number.isNaN(prior) ? value : across === 'sum' ? prior + value : Math.max(prior, value);
    }
  }
}

/** The decision window of one pool at `at` into `out`, which holds `config.window` samples of `config.health.length` checks. */
export function sampleWindowInto(config: PoolConfig, series: PoolSeries, at: number, out: SampleColumns): void {
  const interval = config.sampleIntervalSeconds;
  const count = out.length;
  sampleSeriesSetInto(series.qps, at, interval, 'average', 'sum', out.qps);
  if (typeof series.instances === 'number') out.instances.fill(series.instances);
  else sampleSeriesSetInto(series.instances, at, interval, 'last', 'sum', out.instances);
  for (let i = 0; i < out.health.length; i++) sampleSeriesSetInto(series.health[i] ?? [], at, interval, 'average', 'max', out.health[i]);
  const newest = newestSampleStart(at, interval);
  for (let k = 0; k < count; k++) out.t[k] = newest - (count - 1 - k) * interval;
}

/** The decision window of one pool at `at`, oldest first, `config.window` samples long. */
export function sampleWindow(config: PoolConfig, series: PoolSeries, at: number): DecisionSample[] {
  const window = new SampleColumns(config.window, config.health.length);
  sampleWindowInto(config, series, at, window);
  const samples: DecisionSample[] = [];
  for (let k = 0; k < window.length; k++) {
    samples.push({ t: window.t[k], qps: window.qps[k], instances: window.instances[k], health: window.health.map((h) => h[k]) });
  }
  return samples;
}
