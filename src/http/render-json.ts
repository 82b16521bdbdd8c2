import type { RenderedSeries } from '../query/render.js';
import { consolidate } from '../query/series.js';
import { AsciiWriter, MAX_INTEGER_BYTES, writeInteger } from './ascii-writer.js';
import { DecimalCounter } from './decimal-counter.js';
import { MAX_FLOAT_BYTES, pythonJsonString, writePythonJsonFloat } from './python-json.js';

export interface JsonRenderOptions {
  maxDataPoints?: number;
  noNullPoints: boolean;
  /** JSONP callback name: the answer is wrapped in `callback(...)`. */
  jsonp?: string;
}

/** A series' points after maxDataPoints consolidation: values[i] is at start + i * step. */
export interface ConsolidatedPoints {
  start: number;
  step: number;
  values: Float64Array;
}

/** Room for one `[value, timestamp], ` in most answers; the writer grows for longer ones. */
const BYTES_PER_POINT = 24;

/**
 * graphite-web's JSON render output as ASCII bytes, one piece per series so a large answer can be
 * streamed: `[{"target": "a.b", "tags": {"name": "a.b"}, "datapoints": [[1.0, 1700000000], [null, 1700000010]]}]`.
 * With noNullPoints, null points are left out and series left empty are dropped.
 */
export function* renderJsonPieces(series: readonly RenderedSeries[], options: JsonRenderOptions): Generator<Uint8Array> {
  let longest = 0;
  for (const s of series) longest = Math.max(longest, s.values.length);
  // Each piece starts in a buffer of this size, so a series is written without regrowing it.
  const out = new AsciiWriter(256 + longest * BYTES_PER_POINT);
  const answer = new JsonAnswer(series, options, out);
  for (let i = 0; i < series.length; i++) {
    if (answer.writeSeries(i)) yield out.take();
  }
  answer.writeEnd();
  yield out.take();
}

/** The whole answer in one buffer: for small answers, which need no streaming. */
export function renderJsonBytes(series: readonly RenderedSeries[], options: JsonRenderOptions): Uint8Array {
  let points = 0;
  for (const s of series) points += s.values.length;
  const out = new AsciiWriter(256 + points * BYTES_PER_POINT);
  const answer = new JsonAnswer(series, options, out);
  for (let i = 0; i < series.length; i++) answer.writeSeries(i);
  answer.writeEnd();
  return out.take();
}

/** The whole JSON text; for tests. */
export function renderJson(series: readonly RenderedSeries[], options: JsonRenderOptions): string {
  return Buffer.from(renderJsonBytes(series, options)).toString('latin1');
}

/** One answer being written: the opening bracket goes with the first series, the closing one at the end. */
class JsonAnswer {
  private readonly timeRange: number;
  private started = false;
  private first = true;

  constructor(
    private readonly series: readonly RenderedSeries[],
    private readonly options: JsonRenderOptions,
    private readonly out: AsciiWriter,
  ) {
    let earliest = Infinity;
    let latest = -Infinity;
    for (const s of series) {
      earliest = Math.min(earliest, s.start);
      latest = Math.max(latest, s.end);
    }
    this.timeRange = latest - earliest;
  }

  /** Writes series[index]; false when noNullPoints dropped it and nothing was written. */
  writeSeries(index: number): boolean {
    const s = this.series[index];
    const { maxDataPoints, noNullPoints } = this.options;
    const points = maxDataPoints === undefined ? s : consolidateForMaxDataPoints(s, maxDataPoints, this.timeRange);
    const count = pointCount(points, s.end);
    if (noNullPoints && !hasKnownValue(points.values, count)) return false;
    const out = this.out;
    this.writeStart();
    out.text(this.first ? '{"target": ' : ', {"target": ');
    this.first = false;
    out.text(pythonJsonString(s.target));
    out.text(', "tags": {');
    let firstTag = true;
    for (const key in s.tags) {
      out.text(firstTag ? '' : ', ');
      out.text(pythonJsonString(key));
      out.text(': ');
      out.text(pythonJsonString(s.tags[key]));
      firstTag = false;
    }
    out.text('}, "datapoints": [');
    writeDatapoints(out, points, count, noNullPoints);
    out.text(']}');
    return true;
  }

  writeEnd(): void {
    this.writeStart();
    this.out.text(']');
    if (this.options.jsonp !== undefined) this.out.text(')');
  }

  private writeStart(): void {
    if (this.started) return;
    this.started = true;
    if (this.options.jsonp !== undefined) this.out.text(`${this.options.jsonp}(`);
    this.out.text('[');
  }
}

/** How many points to write: graphite-web zips the values with range(start, end + 1, step), the shorter one wins. */
function pointCount(points: ConsolidatedPoints, end: number): number {
  const { start, step, values } = points;
  return Math.min(values.length, step > 0 ? Math.max(0, Math.floor((end - start) / step) + 1) : 0);
}

function hasKnownValue(values: Float64Array, count: number): boolean {
  for (let i = 0; i < count; i++) if (values[i] === values[i]) return true;
  return false;
}

/** Room for one `, [value, timestamp]`. */
const MAX_POINT_BYTES = 5 + MAX_FLOAT_BYTES + MAX_INTEGER_BYTES;

/** `[v, ts], ...` for the first `count` points, null points left out with noNullPoints. */
function writeDatapoints(out: AsciiWriter, points: ConsolidatedPoints, count: number, noNullPoints: boolean): void {
  const { start, step, values } = points;
  // Whole timestamps (all of them in practice) are counted up in decimal rather than each formatted.
  const counter =
    start >= 0 && step > 0 && Number.isSafeInteger(start) && Number.isSafeInteger(step) && Number.isSafeInteger(start + count * step)
      ? new DecimalCounter(start, step)
      : undefined;
  let written = 0;
  for (let i = 0; i < count; i++) {
    const value = values[i];
    if (!noNullPoints || value === value) {
      const bytes = out.room(MAX_POINT_BYTES);
      let at = out.length;
      if (written > 0) {
        bytes[at++] = COMMA;
        bytes[at++] = SPACE;
      }
      bytes[at++] = OPEN_BRACKET;
      at = writePythonJsonFloat(bytes, at, value);
      bytes[at++] = COMMA;
      bytes[at++] = SPACE;
      at = counter ? counter.write(bytes, at) : writeInteger(bytes, at, start + i * step);
      bytes[at++] = CLOSE_BRACKET;
      out.advance(at);
      written++;
    }
    counter?.advance();
  }
}

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const SPACE = 0x20;

/**
 * maxDataPoints consolidation, done better than graphite-web (see docs/consolidation.md): when a
 * series has more points than asked for, runs of valuesPerPoint points are merged into buckets
 * aligned to multiples of the bucket width (valuesPerPoint * step), so a refresh that moves the
 * time range never moves the buckets, and each bucket is merged with the series' consolidation
 * function (its storage aggregation method unless consolidateBy changed it) instead of always
 * averaging; a bucket with a known share below the series' xFilesFactor is null.
 * `timeRange` is the span of all series in the answer, as graphite-web uses.
 */
export function consolidateForMaxDataPoints(
  series: Pick<RenderedSeries, 'start' | 'step' | 'values' | 'consolidationFunc' | 'xFilesFactor'>,
  maxDataPoints: number,
  timeRange: number,
): ConsolidatedPoints {
  const { start, step, values } = series;
  const func = series.consolidationFunc ?? 'average';
  const xFilesFactor = series.xFilesFactor ?? 0;
  if (maxDataPoints === 1) {
    if (values.length <= 1) return series;
    return { start, step: step * values.length, values: Float64Array.of(consolidate(func, values, 0, values.length, values.length, xFilesFactor)) };
  }
  const numberOfDataPoints = timeRange / step;
  if (!(maxDataPoints < numberOfDataPoints)) return series;
  const valuesPerPoint = Math.ceil(numberOfDataPoints / maxDataPoints);
  if (valuesPerPoint <= 1 || values.length === 0) return series;
  const width = valuesPerPoint * step;
  const first = Math.floor(start / width) * width;
  const buckets = Math.floor((start + (values.length - 1) * step - first) / width) + 1;
  const out = new Float64Array(buckets);
  for (let b = 0; b < buckets; b++) {
    const from = Math.max(0, Math.ceil((first + b * width - start) / step));
    const to = Math.min(values.length, Math.ceil((first + (b + 1) * width - start) / step));
    out[b] = consolidate(func, values, from, to, valuesPerPoint, xFilesFactor);
  }
  return { start: first, step: width, values: out };
}
