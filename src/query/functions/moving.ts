import type { Expression } from '../expression/ast.js';
import { QueryError } from '../query-error.js';
import { derive, type Series } from '../series.js';
import { aggregateSlice, type AggFunc } from './agg-funcs.js';
import { aggFuncArg } from './filters.js';
import { intervalSeconds, parseInterval } from './interval.js';
import type { ArgValue, FunctionContext, ParamSpec, SeriesFunction } from './registry.js';

const seriesList: ParamSpec = { name: 'seriesList', type: 'seriesList', required: true };
const windowSize: ParamSpec = { name: 'windowSize', type: 'intOrInterval', required: true, suggestions: [5, 7, 10, '1min', '5min', '10min', '30min', '1hour'] };
const xFilesFactor: ParamSpec = { name: 'xFilesFactor', type: 'float' };

/**
 * graphite-web's movingWindow(): each point aggregates the windowSize points *before* it. The
 * data is read again from windowSize earlier so the first points have a full window; a window in
 * time is fetched up front with the rest of the request, a window in points once the step is known.
 */
async function movingWindow(context: FunctionContext, list: Series[], size: ArgValue, funcName: string, xff: number | null): Promise<Series[]> {
  if (list.length === 0) return [];
  const func = aggFuncArg(funcName);
  const byTime = typeof size === 'string';
  const previewSeconds = byTime ? Math.abs(intervalSeconds(size)) : Math.max(...list.map((s) => s.step)) * Math.trunc(size as number);
  const preview = await context.evaluate(context.args[0], context.from - previewSeconds, context.until);
  const tagName = `moving${funcName.charAt(0).toUpperCase()}${funcName.slice(1).toLowerCase()}`;
  return preview.map((s) => {
    const windowPoints = byTime ? Math.floor(previewSeconds / s.step) : Math.trunc(size as number);
    const name = byTime ? `${tagName}(${s.name},"${size as string}")` : `${tagName}(${s.name},${String(size)})`;
    const values = windowValues(s.values, windowPoints, func, xff ?? s.xFilesFactor);
    const out = derive(s, name, { start: s.start + previewSeconds, values });
    out.tags[tagName] = String(size);
    return out;
  });
}

/** out[j] = func(values[i - w, i)) for i = w + j, when enough of the window is known. */
function windowValues(values: Float64Array, w: number, func: AggFunc, xff: number): Float64Array {
  const out = new Float64Array(Math.max(0, values.length - w)).fill(NaN);
  if (w <= 0) return out;
  const sliding = func === 'sum' || func === 'average';
  let sum = 0;
  let known = 0;
  for (let i = 0; i < values.length; i++) {
    if (i >= w) {
      if (known > 0 && known / w >= xff) {
        out[i - w] = sliding ? (func === 'sum' ? sum : sum / known) : aggregateSlice(func, values, i - w, i);
      }
      const leaving = values[i - w];
      if (leaving === leaving) {
        sum -= leaving;
        known--;
      }
    }
    const v = values[i];
    if (v === v) {
      sum += v;
      known++;
    }
  }
  return out;
}

/** A window given as time is known before reading, so its longer range joins the up-front fetch. */
function prefetchWindow(args: readonly Expression[], from: number, until: number): Array<[number, number]> {
  const node = args[1];
  if (node?.kind !== 'string') return [];
  const seconds = parseInterval(node.value);
  return seconds === undefined ? [] : [[from - Math.abs(seconds), until]];
}

function moving(name: string, func: string, description: string): SeriesFunction {
  return {
    name,
    group: 'Calculate',
    description,
    params: [seriesList, windowSize, xFilesFactor],
    prefetchRanges: prefetchWindow,
    run: (context, [list, size, xff]) => movingWindow(context, list as Series[], size, func, xff as number | null),
  };
}

export const MOVING_FUNCTIONS: SeriesFunction[] = [
  {
    name: 'movingWindow',
    group: 'Calculate',
    description: "Each point is an aggregate (average by default) of the windowSize points before it; windowSize is a number of points or a time like '5min'.",
    params: [seriesList, windowSize, { name: 'func', type: 'aggFunc', default: 'average' }, xFilesFactor],
    prefetchRanges: prefetchWindow,
    run: (context, [list, size, func, xff]) => movingWindow(context, list as Series[], size, func as string, xff as number | null),
  },
  moving('movingAverage', 'average', "The average of the windowSize points (or time, like '5min') before each point."),
  moving('movingMedian', 'median', "The median of the windowSize points (or time, like '5min') before each point."),
  moving('movingSum', 'sum', "The sum of the windowSize points (or time, like '5min') before each point."),
  moving('movingMin', 'min', "The minimum of the windowSize points (or time, like '5min') before each point."),
  moving('movingMax', 'max', "The maximum of the windowSize points (or time, like '5min') before each point."),
  {
    name: 'exponentialMovingAverage',
    group: 'Calculate',
    description:
      "The exponential moving average: ema = c * value + (1 - c) * previous ema, with c = 2 / (windowSize + 1) (a time windowSize like '1min' counts its seconds), seeded with the average of the first window.",
    params: [seriesList, windowSize],
    prefetchRanges: prefetchWindow,
    run: (context, [list, size]) => exponentialMovingAverage(context, list as Series[], size),
  },
  {
    name: 'stdev',
    group: 'Calculate',
    description: 'The standard deviation of the last `points` points (this one included) at each point; null where the known share of the window is below windowTolerance.',
    params: [seriesList, { name: 'points', type: 'integer', required: true }, { name: 'windowTolerance', type: 'float', default: 0.1 }],
    run: (_, [list, points, tolerance]) => {
      if ((points as number) <= 0) throw new QueryError(`stdev: points must be a positive number of points (got ${points as number})`);
      return (list as Series[]).map((s) => {
        const out = derive(s, `stdev(${s.name},${points as number})`, { values: movingStdev(s.values, points as number, tolerance as number) });
        out.tags.stdev = String(points);
        return out;
      });
    },
  },
];

/** Python's round(x, 6). */
const round6 = (x: number): number => (Number.isFinite(x) ? Number(x.toFixed(6)) : x);

/**
 * graphite-web's exponentialMovingAverage(): the data is read again from the window earlier; the
 * first output point is the window's average (0 if it has none), then one point per later input.
 */
async function exponentialMovingAverage(context: FunctionContext, list: Series[], size: ArgValue): Promise<Series[]> {
  if (list.length === 0) return [];
  const byTime = typeof size === 'string';
  const previewSeconds = byTime ? Math.abs(intervalSeconds(size)) : Math.max(...list.map((s) => s.step)) * Math.trunc(size as number);
  const constant = 2 / ((byTime ? previewSeconds : Math.trunc(size as number)) + 1);
  const preview = await context.evaluate(context.args[0], context.from - previewSeconds, context.until);
  return preview.map((s) => {
    const windowPoints = byTime ? Math.floor(previewSeconds / s.step) : Math.trunc(size as number);
    const name = byTime ? `exponentialMovingAverage(${s.name},"${size as string}")` : `exponentialMovingAverage(${s.name},${String(size)})`;
    const values = new Float64Array(1 + Math.max(0, s.values.length - windowPoints));
    let ema = aggregateSlice('average', s.values, 0, Math.min(windowPoints, s.values.length)) || 0;
    values[0] = round6(ema);
    for (let i = Math.max(0, windowPoints); i < s.values.length; i++) {
      const v = s.values[i];
      if (v !== v) {
        values[i - windowPoints + 1] = NaN;
        continue;
      }
      ema = constant * v + (1 - constant) * ema;
      values[i - windowPoints + 1] = round6(ema);
    }
    const out = derive(s, name, { start: s.start + previewSeconds, values });
    out.tags.exponentialMovingAverage = String(size);
    return out;
  });
}

/**
 * graphite-web's stdev(): running sums over the last `points` values, sqrt(n * sumOfSquares - sum²) / n,
 * added and dropped in its order so the floating-point results agree.
 */
function movingStdev(values: Float64Array, points: number, tolerance: number): Float64Array {
  const out = new Float64Array(values.length).fill(NaN);
  let known = 0;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const dropped = i < points ? NaN : values[i - points];
    const v = values[i];
    if (dropped === dropped) {
      known--;
      sum -= dropped;
      squares -= dropped ** 2;
    }
    if (v === v) {
      known++;
      sum += v;
      squares += v ** 2;
    }
    if (known > 0 && known / points >= tolerance) out[i] = Math.sqrt(known * squares - sum ** 2) / known;
  }
  return out;
}
