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
import type { DecisionSample } from './decision.js';
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
  const { start, step, values } = series;
  const newest = newestSampleStart(at, intervalSeconds);
  for (let k = 0; k < count; k++) {
    const from = newest - (count - 1 - k) * intervalSeconds;
    const until = from + intervalSeconds;
    // Slots overlapping [from, until) that ended by `at`.
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
    out[k] = n === 0 ? NaN : within === 'last' ? lastValue : sum / n;
  }
  return out;
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
  const out = new Float64Array(count).fill(NaN);
  for (const one of series) {
    const sampled = sampleSeries(one, at, intervalSeconds, count, within);
    for (let k = 0; k < count; k++) {
      const value = sampled[k];
      if (Number.isNaN(value)) continue;
      const prior = out[k];
      out[k] = Number.isNaN(prior) ? value : across === 'sum' ? prior + value : Math.max(prior, value);
    }
  }
  return out;
}

/** The decision window of one pool at `at`, oldest first, `config.window` samples long. */
export function sampleWindow(config: PoolConfig, series: PoolSeries, at: number): DecisionSample[] {
  const interval = config.sampleIntervalSeconds;
  const count = config.window;
  const qps = sampleSeriesSet(series.qps, at, interval, count, 'average', 'sum');
  const instances =
    typeof series.instances === 'number'
      ? new Float64Array(count).fill(series.instances)
      : sampleSeriesSet(series.instances, at, interval, count, 'last', 'sum');
  const health = config.health.map((_, i) => sampleSeriesSet(series.health[i] ?? [], at, interval, count, 'average', 'max'));
  const newest = newestSampleStart(at, interval);
  const samples: DecisionSample[] = [];
  for (let k = 0; k < count; k++) {
    samples.push({
      t: newest - (count - 1 - k) * interval,
      qps: qps[k],
      instances: instances[k],
      health: health.map((h) => h[k]),
    });
  }
  return samples;
}
