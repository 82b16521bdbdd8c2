import type { SeriesRange } from '../store/series-store.js';
import { pathPart } from '../names/glob.js';

/** How a series' points are merged when it is consolidated (normalize(), maxDataPoints). */
export const CONSOLIDATION_FUNCS = ['sum', 'average', 'avg_zero', 'min', 'max', 'first', 'last', 'absmax', 'absmin'] as const;
export type ConsolidationFunc = (typeof CONSOLIDATION_FUNCS)[number];

/**
 * One series of a series list, graphite-web's TimeSeries on a typed array: values[i] is the point
 * at start + i * step, NaN is null. Functions never write into `values`: a series that changes
 * gets a new array, so fetched arrays can be shared between targets without copying.
 */
export interface Series {
  name: string;
  /** Graphite tags; `name` is the path. Values are strings, as graphite-web's Tags stores them. */
  tags: Record<string, string>;
  /** The expression the series came from (`a.*.b`), or its own name once a function renamed it. */
  pathExpression: string;
  start: number;
  /** graphite-web's end: points are read up to min(values.length, (end - start) / step + 1). */
  end: number;
  step: number;
  values: Float64Array;
  consolidationFunc: ConsolidationFunc;
  xFilesFactor: number;
  /** Always 1: normalize() consolidates eagerly into a new array (kept for pickle output). */
  valuesPerPoint: number;
}

/** A storage aggregation method as a consolidation function: the same rule, applied at read time. */
export function consolidationForAggregation(method: string): ConsolidationFunc {
  return (CONSOLIDATION_FUNCS as readonly string[]).includes(method) ? (method as ConsolidationFunc) : 'average';
}

/** consolidateBy's names (graphite-web accepts `avg` for average). */
export function parseConsolidationFunc(name: string): ConsolidationFunc | undefined {
  if (name === 'avg') return 'average';
  return (CONSOLIDATION_FUNCS as readonly string[]).includes(name) ? (name as ConsolidationFunc) : undefined;
}

/** A fetched series as graphite-web's fetchData makes it; the values array is shared, not copied. */
export function seriesFromRange(range: SeriesRange, pathExpression: string, xFilesFactor: number): Series {
  return {
    name: range.name,
    tags: seriesTags(range.name),
    pathExpression,
    start: range.start,
    end: range.end,
    step: range.step,
    values: range.values,
    consolidationFunc: consolidationForAggregation(range.aggregationMethod),
    xFilesFactor,
    valuesPerPoint: 1,
  };
}

/** graphite-web reads tags out of a new series' name unless the name looks like a function call. */
const FUNCTION_NAME = /^[a-z]+[(].+[)]$/is;

/** A series built from scratch (constantLine, aggregates): its tags are its name's, or just `name`. */
export function newSeries(
  name: string,
  start: number,
  end: number,
  step: number,
  values: Float64Array,
  xFilesFactor: number,
  tags: Record<string, string> = FUNCTION_NAME.test(name) ? { name } : seriesTags(name),
): Series {
  return { name, tags, pathExpression: name, start, end, step, values, consolidationFunc: 'average', xFilesFactor, valuesPerPoint: 1 };
}

/**
 * graphite-web's `series.copy(name=..., values=...)`: a renamed copy whose pathExpression is the
 * new name; `changes` overrides anything else (values, start, tags, ...).
 */
export function derive(series: Series, name: string, changes: Partial<Series> = {}): Series {
  return { ...series, tags: { ...series.tags }, name, pathExpression: name, ...changes };
}

/** Graphite's tags of a normalised series name: `a.b;k=v` -> `{k: 'v', name: 'a.b'}`, `a.b` -> `{name: 'a.b'}`. */
export function seriesTags(name: string): Record<string, string> {
  const tags: Record<string, string> = {};
  const segments = name.split(';');
  for (let i = 1; i < segments.length; i++) {
    const eq = segments[i].indexOf('=');
    if (eq > 0) tags[segments[i].slice(0, eq)] = segments[i].slice(eq + 1);
  }
  // graphite-web strips leading `~` from the name tag (its sanitize_name_as_tag_value).
  const path = pathPart(name);
  tags.name = path.replace(/^~+/, '') || path;
  return tags;
}

/** Series lists on one time grid: column c holds series c's values at start + i * step. */
export interface NormalizedColumns {
  series: Series[];
  start: number;
  end: number;
  step: number;
  length: number;
  columns: Float64Array[];
}

/**
 * graphite-web's normalize(): brings series of different steps to the least common multiple of
 * their steps, consolidating each with its own consolidation function and xFilesFactor. Unlike
 * graphite-web (which pairs points by index from each series' own start), points are placed by
 * timestamp on a grid aligned to multiples of the common step, so mixed-step inputs line up.
 * Series already on the grid are used as they are (no copy).
 */
export function normalize(seriesList: readonly Series[]): NormalizedColumns | undefined {
  if (seriesList.length === 0) return undefined;
  let step = seriesList[0].step;
  let sameGrid = true;
  const first = seriesList[0];
  for (const s of seriesList) {
    step = lcm(step, s.step);
    if (s.step !== first.step || s.start !== first.start || s.values.length !== first.values.length) sameGrid = false;
  }
  if (sameGrid) {
    return {
      series: [...seriesList],
      start: first.start,
      end: Math.max(...seriesList.map((s) => s.end)),
      step,
      length: first.values.length,
      columns: seriesList.map((s) => s.values),
    };
  }
  let minStart = Infinity;
  let maxEnd = -Infinity;
  for (const s of seriesList) {
    minStart = Math.min(minStart, s.start);
    maxEnd = Math.max(maxEnd, s.start + s.values.length * s.step);
  }
  const start = Math.floor(minStart / step) * step;
  const length = Math.max(0, Math.ceil((maxEnd - start) / step));
  const columns = seriesList.map((s) => consolidateOnGrid(s, start, step, length));
  return { series: [...seriesList], start, end: start + length * step, step, length, columns };
}

/** One series' values on the grid [start, start + length * step), consolidated per grid point. */
function consolidateOnGrid(series: Series, start: number, step: number, length: number): Float64Array {
  if (series.step === step && series.start === start && series.values.length === length) return series.values;
  const out = new Float64Array(length).fill(NaN);
  const perPoint = step / series.step;
  const { values } = series;
  let bucket = -1;
  let from = 0;
  for (let i = 0; i <= values.length; i++) {
    const b = i < values.length ? Math.floor((series.start + i * series.step - start) / step) : -2;
    if (b !== bucket) {
      if (bucket >= 0 && bucket < length) out[bucket] = consolidate(series.consolidationFunc, values, from, i, perPoint, series.xFilesFactor);
      bucket = b;
      from = i;
    }
  }
  return out;
}

/**
 * Merges values[from, to) into one point with a consolidation function: NaN when no value is
 * known or the known share of `slots` points is below xFilesFactor (graphite-web's rule).
 */
export function consolidate(
  func: ConsolidationFunc,
  values: Float64Array,
  from: number,
  to: number,
  slots: number,
  xFilesFactor: number,
): number {
  let known = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let firstValue = NaN;
  let lastValue = NaN;
  let absmax = NaN;
  let absmin = NaN;
  for (let i = from; i < to; i++) {
    const v = values[i];
    if (v !== v) continue;
    if (known === 0) firstValue = v;
    known++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    lastValue = v;
    if (!(Math.abs(v) <= Math.abs(absmax))) absmax = v;
    if (!(Math.abs(v) >= Math.abs(absmin))) absmin = v;
  }
  if (known === 0 || known / slots < xFilesFactor) return NaN;
  switch (func) {
    case 'sum':
      return sum;
    case 'average':
      return sum / known;
    case 'avg_zero':
      return sum / Math.max(slots, to - from);
    case 'min':
      return min;
    case 'max':
      return max;
    case 'first':
      return firstValue;
    case 'last':
      return lastValue;
    case 'absmax':
      return absmax;
    case 'absmin':
      return absmin;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Least common multiple of two steps (graphite-web's lcm). */
export function lcm(a: number, b: number): number {
  if (a === b) return a;
  return (a / gcd(a, b)) * b;
}

/** The series of a list moved onto their common grid (graphite-web's normalize() side effect). */
export function onCommonGrid(seriesList: readonly Series[]): { grid: NormalizedColumns; series: Series[] } | undefined {
  const grid = normalize(seriesList);
  if (!grid) return undefined;
  const series = seriesList.map((s, i) =>
    grid.columns[i] === s.values ? s : { ...s, start: grid.start, end: grid.end, step: grid.step, values: grid.columns[i] },
  );
  return { grid, series };
}
