import type { RenderedSeries } from '../query/render.js';
import { pythonJsonFloat, pythonJsonString } from './python-json.js';

export interface JsonRenderOptions {
  maxDataPoints?: number;
  noNullPoints: boolean;
}

/** A series' points after maxDataPoints consolidation: values[i] is at start + i * step. */
export interface ConsolidatedPoints {
  start: number;
  step: number;
  values: Float64Array;
}

/**
 * graphite-web's JSON render output, one piece per series so a large answer can be streamed:
 * `[{"target": "a.b", "tags": {"name": "a.b"}, "datapoints": [[1.0, 1700000000], [null, 1700000010]]}]`.
 * With noNullPoints, null points are left out and series left empty are dropped.
 */
export function* renderJsonPieces(series: readonly RenderedSeries[], options: JsonRenderOptions): Generator<string> {
  let earliest = Infinity;
  let latest = -Infinity;
  for (const s of series) {
    earliest = Math.min(earliest, s.start);
    latest = Math.max(latest, s.end);
  }
  const timeRange = latest - earliest;
  let first = true;
  yield '[';
  for (const s of series) {
    const points = options.maxDataPoints === undefined ? s : consolidateForMaxDataPoints(s, options.maxDataPoints, timeRange);
    const datapoints = formatDatapoints(points, s.end, options.noNullPoints);
    if (datapoints === undefined) continue;
    let tags = '';
    for (const key in s.tags) tags += `${tags === '' ? '' : ', '}${pythonJsonString(key)}: ${pythonJsonString(s.tags[key])}`;
    yield `${first ? '' : ', '}{"target": ${pythonJsonString(s.target)}, "tags": {${tags}}, "datapoints": [${datapoints}]}`;
    first = false;
  }
  yield ']';
}

/** The whole JSON text; for tests and small answers. */
export function renderJson(series: readonly RenderedSeries[], options: JsonRenderOptions): string {
  return [...renderJsonPieces(series, options)].join('');
}

/** `[v, ts], ...` up to `end` inclusive, or undefined when noNullPoints leaves nothing. */
function formatDatapoints(points: ConsolidatedPoints, end: number, noNullPoints: boolean): string | undefined {
  const { start, step, values } = points;
  // graphite-web zips the values with range(start, end + 1, step): the shorter one wins.
  const count = Math.min(values.length, step > 0 ? Math.max(0, Math.floor((end - start) / step) + 1) : 0);
  let out = '';
  let written = 0;
  for (let i = 0; i < count; i++) {
    const value = values[i];
    if (noNullPoints && value !== value) continue;
    out += `${written === 0 ? '' : ', '}[${pythonJsonFloat(value)}, ${start + i * step}]`;
    written++;
  }
  return noNullPoints && written === 0 ? undefined : out;
}

/**
 * graphite-web's maxDataPoints handling in its JSON view: when a series has more points than
 * asked for, average runs of valuesPerPoint values (NaN where a run has none), with the start
 * nudged to a multiple of the new step so refreshes do not jitter. Like graphite-web, it drops
 * one value fewer than the nudge covers; we keep that so answers match Graphite's.
 * `timeRange` is the span of all series in the answer, as graphite-web uses.
 */
export function consolidateForMaxDataPoints(
  series: Pick<RenderedSeries, 'start' | 'step' | 'values'>,
  maxDataPoints: number,
  timeRange: number,
): ConsolidatedPoints {
  const { step } = series;
  let { start, values } = series;
  let valuesPerPoint: number;
  if (maxDataPoints === 1) {
    valuesPerPoint = values.length;
  } else {
    const numberOfDataPoints = timeRange / step;
    if (!(maxDataPoints < numberOfDataPoints)) return series;
    valuesPerPoint = Math.ceil(numberOfDataPoints / maxDataPoints);
    const secondsPerPoint = valuesPerPoint * step;
    const nudge = secondsPerPoint + (start % step) - (start % secondsPerPoint);
    start += nudge;
    values = values.subarray(Math.min(values.length, Math.max(0, Math.floor(nudge / step) - 1)));
  }
  if (valuesPerPoint <= 1) return { start, step, values };

  const out = new Float64Array(Math.ceil(values.length / valuesPerPoint));
  for (let bucket = 0; bucket < out.length; bucket++) {
    let sum = 0;
    let count = 0;
    const end = Math.min(values.length, (bucket + 1) * valuesPerPoint);
    for (let i = bucket * valuesPerPoint; i < end; i++) {
      const v = values[i];
      if (v === v) {
        sum += v;
        count++;
      }
    }
    out[bucket] = count === 0 ? NaN : sum / count;
  }
  return { start, step: step * valuesPerPoint, values: out };
}
