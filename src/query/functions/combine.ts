import { QueryError } from '../query-error.js';
import { newSeries, normalize, onCommonGrid, seriesTags, type Series } from '../series.js';
import { aggregateColumns, percentile, resolveAggFunc } from './agg-funcs.js';
import { formatG, pythonNumber } from './python-format.js';
import { safePow } from './python-math.js';
import type { ArgValue, FunctionContext, ParamSpec, SeriesFunction } from './registry.js';
import { aggKey, formatPathExpressions, groupBy } from './series-names.js';

const seriesList: ParamSpec = { name: 'seriesList', type: 'seriesList', required: true };
const seriesLists: ParamSpec = { name: 'seriesLists', type: 'seriesList', required: true, multiple: true };

/**
 * graphite-web's aggregate(): one series whose points aggregate the inputs' points at each time,
 * named `<func>Series(<pathExpressions>)`, with the tags all inputs share plus `aggregatedBy`.
 */
export function aggregate(context: FunctionContext, inputs: readonly Series[], func: string, xFilesFactor: number | null = null): Series[] {
  const bare = func.endsWith('Series') ? func.slice(0, -6) : func;
  const agg = resolveAggFunc(bare, func);
  const grid = normalize(inputs);
  if (!grid) return [];
  const xff = xFilesFactor ?? context.xFilesFactor;
  const values = aggregateColumns(agg, grid.columns, grid.length, xff);
  return [aggregatedSeries(inputs, bare, grid, values, xff)];
}

/** What aggregate() keeps of its inputs besides their values. */
export type AggregateInput = Pick<Series, 'pathExpression' | 'tags' | 'consolidationFunc'>;

/** aggregate()'s result series around `values` (on `grid`): its name, tags and consolidation. */
export function aggregatedSeries(
  inputs: readonly AggregateInput[],
  bareFunc: string,
  grid: { start: number; end: number; step: number },
  values: Float64Array,
  xFilesFactor: number,
): Series {
  const name = `${bareFunc}Series(${formatPathExpressions(inputs)})`;
  let tags: Record<string, string> = { ...inputs[0].tags };
  for (const s of inputs) tags = Object.fromEntries(Object.entries(tags).filter(([k, v]) => s.tags[k] === v));
  if (!('name' in tags)) tags.name = name;
  tags.aggregatedBy = bareFunc;
  const result = newSeries(name, grid.start, grid.end, grid.step, values, xFilesFactor, tags);
  // Unlike graphite-web (always average), a sum of counters still consolidates as a sum.
  const consolidation = inputs[0].consolidationFunc;
  if (inputs.every((s) => s.consolidationFunc === consolidation)) result.consolidationFunc = consolidation;
  return result;
}

const flat = (lists: ArgValue): Series[] => (lists as Series[][]).flat();

/** sumSeries and friends: aggregate() of all their series lists with one function. */
function aggregator(name: string, func: string, description: string): SeriesFunction {
  return {
    name,
    group: 'Combine',
    description,
    params: [seriesLists],
    aggregator: true,
    aggregateFunc: func,
    run: (context, [lists]) => aggregate(context, flat(lists), func),
  };
}

export const COMBINE_FUNCTIONS: SeriesFunction[] = [
  {
    name: 'aggregate',
    group: 'Combine',
    description: 'Aggregates series point by point with the given function (average, avg_zero, median, sum, min, max, diff, stddev, count, range, multiply, last).',
    params: [seriesList, { name: 'func', type: 'aggFunc', required: true }, { name: 'xFilesFactor', type: 'float' }],
    run: (context, [list, func, xff]) => aggregate(context, list as Series[], func as string, xff as number | null),
  },
  aggregator('sumSeries', 'sum', 'Adds series together point by point (short form: sum).'),
  aggregator('sum', 'sum', 'Short form of sumSeries.'),
  aggregator('averageSeries', 'average', 'Averages series point by point (short form: avg).'),
  aggregator('avg', 'average', 'Short form of averageSeries.'),
  aggregator('maxSeries', 'max', 'The maximum of the series at each point.'),
  aggregator('minSeries', 'min', 'The minimum of the series at each point.'),
  aggregator('diffSeries', 'diff', 'Subtracts series 2 through n from series 1, point by point.'),
  aggregator('stddevSeries', 'stddev', 'The standard deviation of the series at each point.'),
  aggregator('rangeOfSeries', 'rangeOf', 'The range (max - min) of the series at each point.'),
  {
    name: 'multiplySeries',
    group: 'Combine',
    description: 'Multiplies series point by point (a null in any series gives null).',
    params: [seriesLists],
    aggregator: true,
    run: (context, [lists]) => {
      const groups = lists as Series[][];
      if (groups.length === 1 && groups[0].length === 1) return groups[0];
      return aggregate(context, groups.flat(), 'multiply');
    },
  },
  {
    name: 'countSeries',
    group: 'Combine',
    description: 'A line at the number of series in the lists.',
    params: [{ name: 'seriesLists', type: 'seriesList', multiple: true }],
    aggregator: true,
    run: (context, [lists]) => {
      const groups = lists as Series[][];
      if (groups.length === 0) {
        return [{ ...constantLine(context, 0), pathExpression: 'countSeries()' }];
      }
      const all = groups.flat();
      const grid = normalize(all);
      if (!grid) return [];
      const name = `countSeries(${formatPathExpressions(all)})`;
      return [newSeries(name, grid.start, grid.end, grid.step, new Float64Array(grid.length).fill(all.length), context.xFilesFactor)];
    },
  },
  {
    name: 'group',
    group: 'Combine',
    description: 'Puts several series lists together into one.',
    params: [{ name: 'seriesLists', type: 'seriesList', multiple: true }],
    run: (_, [lists]) => flat(lists),
  },
  {
    name: 'groupByNode',
    group: 'Combine',
    description: 'Groups series by one node (or tag) and aggregates each group with the callback (an aggregation function or a function such as sumSeries); each result is named by its key.',
    params: [seriesList, { name: 'nodeNum', type: 'nodeOrTag', required: true }, { name: 'callback', type: 'aggOrSeriesFunc', default: 'average' }],
    run: (context, [list, node, callback]) => groupByNodes(context, list as Series[], callback as string, [node as number | string]),
  },
  {
    name: 'groupByNodes',
    group: 'Combine',
    description: 'Groups series by several nodes (or tags) and aggregates each group with the callback; each result is named by its key.',
    params: [seriesList, { name: 'callback', type: 'aggOrSeriesFunc', required: true }, { name: 'nodes', type: 'nodeOrTag', multiple: true }],
    run: (context, [list, callback, nodes]) => groupByNodes(context, list as Series[], callback as string, nodes as Array<number | string>),
  },
  {
    name: 'groupByTags',
    group: 'Combine',
    description: 'Groups series by tag values and aggregates each group with the callback; results are named name;tag=value.',
    params: [seriesList, { name: 'callback', type: 'aggOrSeriesFunc', required: true }, { name: 'tags', type: 'tag', required: true, multiple: true }],
    run: (context, [list, callback, tags]) => groupByTags(context, list as Series[], callback as string, tags as string[]),
  },
  {
    name: 'asPercent',
    group: 'Combine',
    description: 'Each series as a percentage of a total: the sum of the list, a single series, a matching list of series, a number, or per group when nodes are given.',
    params: [seriesList, { name: 'total', type: 'any' }, { name: 'nodes', type: 'nodeOrTag', multiple: true }],
    aggregator: true,
    run: (context, [list, total, nodes]) => asPercent(context, list as Series[], total, nodes as Array<number | string>),
  },
  {
    name: 'pct',
    group: 'Combine',
    description: 'Short form of asPercent.',
    params: [seriesList, { name: 'total', type: 'any' }, { name: 'nodes', type: 'nodeOrTag', multiple: true }],
    aggregator: true,
    run: (context, [list, total, nodes]) => asPercent(context, list as Series[], total, nodes as Array<number | string>),
  },
  {
    name: 'divideSeries',
    group: 'Combine',
    description: 'Divides each series of the first list by the single divisor series, point by point (null where the divisor is 0 or null).',
    params: [{ name: 'dividendSeriesList', type: 'seriesList', required: true }, { name: 'divisorSeries', type: 'seriesList', required: true }],
    run: (context, [dividends, divisors]) => divideSeries(context, dividends as Series[], divisors as Series[]),
  },
  {
    name: 'divideSeriesLists',
    group: 'Combine',
    description: 'Divides the first list by the second, series by series in order; the lists must be the same length.',
    params: [{ name: 'dividendSeriesList', type: 'seriesList', required: true }, { name: 'divisorSeriesList', type: 'seriesList', required: true }],
    run: (context, [dividends, divisors]) => {
      const a = dividends as Series[];
      const b = divisors as Series[];
      if (a.length !== b.length) throw new QueryError('divideSeriesLists: dividendSeriesList and divisorSeriesList must have equal length');
      return a.map((s, i) => quotient(context, s, b[i]));
    },
  },
  {
    name: 'percentileOfSeries',
    group: 'Combine',
    description: 'The n-th percentile of the series at each point; actual values unless interpolate is true.',
    params: [seriesList, { name: 'n', type: 'float', required: true }, { name: 'interpolate', type: 'boolean', default: false }],
    run: (context, [list, n, interpolate]) => {
      const inputs = list as Series[];
      if ((n as number) <= 0) throw new QueryError('percentileOfSeries: the requested percent must be greater than 0');
      const grid = normalize(inputs);
      if (!grid) return [];
      const name = `percentileOfSeries(${inputs[0].pathExpression},${formatG(n as number)})`;
      const values = new Float64Array(grid.length);
      const row = new Float64Array(grid.columns.length);
      for (let i = 0; i < grid.length; i++) {
        grid.columns.forEach((column, c) => (row[c] = i < column.length ? column[i] : NaN));
        values[i] = percentile(row, n as number, interpolate as boolean);
      }
      return [newSeries(name, grid.start, grid.end, grid.step, values, context.xFilesFactor)];
    },
  },
  {
    name: 'powSeries',
    group: 'Combine',
    description: 'Raises the first series to the power of the second, that to the power of the third, and so on, point by point (null where any point is null or Python cannot).',
    params: [{ name: 'seriesList', type: 'seriesList', required: true, multiple: true }],
    aggregator: true,
    run: (context, [lists]) => {
      const all = flat(lists);
      const grid = normalize(all);
      if (!grid) return [];
      const values = new Float64Array(grid.length);
      for (let i = 0; i < grid.length; i++) {
        let result = NaN;
        grid.columns.forEach((column, c) => {
          const v = i < column.length ? column[i] : NaN;
          result = c === 0 ? v : safePow(result, v);
        });
        values[i] = result;
      }
      return [newSeries(`powSeries(${all.map((s) => s.name).join(',')})`, grid.start, grid.end, grid.step, values, context.xFilesFactor)];
    },
  },
  {
    name: 'aggregateSeriesLists',
    group: 'Combine',
    description: 'Aggregates the two lists pairwise, first[i] with second[i], with the given function; the lists must be the same length.',
    params: [...pairParams(), { name: 'func', type: 'aggFunc', required: true }, { name: 'xFilesFactor', type: 'float' }],
    run: (context, [first, second, func, xff]) => aggregatePairs(context, first as Series[], second as Series[], func as string, xff as number | null),
  },
  pairwiseAggregator('sumSeriesLists', 'sum', 'Adds the two lists pairwise: first[i] + second[i]; the lists must be the same length.'),
  pairwiseAggregator('diffSeriesLists', 'diff', 'Subtracts the second list from the first pairwise: first[i] - second[i]; the lists must be the same length.'),
  pairwiseAggregator('multiplySeriesLists', 'multiply', 'Multiplies the two lists pairwise: first[i] * second[i]; the lists must be the same length.'),
];

/** constantLine(value): three points spanning the request, graphite-web style. */
export function constantLine(context: FunctionContext, value: number): Series {
  const step = Math.trunc((context.until - context.from) / 2);
  const series = newSeries(pythonNumber(value, Number.isInteger(value)), context.from, context.until, step, new Float64Array([value, value, value]), context.xFilesFactor);
  return series;
}

async function applyCallback(context: FunctionContext, group: Series[], callback: string): Promise<Series | undefined> {
  const result = SERIES_CALLBACKS.has(callback) ? await context.call(callback, [group]) : aggregate(context, group, callback);
  return result[0];
}

/** Names of the functions a groupBy callback may be; filled in by the registry index. */
export const SERIES_CALLBACKS = new Set<string>();

async function groupByNodes(context: FunctionContext, list: Series[], callback: string, nodes: Array<number | string>): Promise<Series[]> {
  const results: Series[] = [];
  for (const [key, group] of groupBy(list, (s) => aggKey(s, nodes))) {
    const result = await applyCallback(context, group, callback);
    if (result) results.push({ ...result, name: key });
  }
  return results;
}

async function groupByTags(context: FunctionContext, list: Series[], callback: string, tags: string[]): Promise<Series[]> {
  if (tags.length === 0) throw new QueryError('groupByTags(): no tags specified');
  let commonName = callback;
  if (!tags.includes('name')) {
    const names = new Set(list.map((s) => s.tags.name));
    if (names.size === 1) commonName = [...names][0];
  }
  const keyOf = (s: Series): string => {
    const pairs = tags.filter((t) => t !== 'name').map((t) => `${t}=${s.tags[t] ?? ''}`).sort();
    return [tags.includes('name') ? s.tags.name : commonName, ...pairs].join(';');
  };
  const results: Series[] = [];
  for (const [key, group] of groupBy(list, keyOf)) {
    const result = await applyCallback(context, group, callback);
    if (result) results.push({ ...result, name: key, pathExpression: key, tags: seriesTags(key) });
  }
  return results;
}

/** safeMul(safeDiv(a, b), 100) over two aligned arrays. */
function percentValues(a: Float64Array, b: ArrayLike<number>, length: number): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const v = i < a.length ? a[i] : NaN;
    const t = i < b.length ? b[i] : NaN;
    out[i] = t === 0 || t !== t || v !== v ? NaN : (v / t) * 100;
  }
  return out;
}

/** safeSum per row, with no xFilesFactor (asPercent's totals). */
function rowSums(series: readonly Series[]): { start: number; end: number; step: number; values: Float64Array } {
  const grid = normalize(series)!;
  const values = aggregateColumns('sum', grid.columns, grid.length, 0);
  return { start: grid.start, end: grid.end, step: grid.step, values };
}

function percentOf(context: FunctionContext, s1: Series, s2: Series): Series {
  const name = `asPercent(${s1.name},${s2.name})`;
  const grid = normalize([s1, s2])!;
  return newSeries(name, grid.start, grid.end, grid.step, percentValues(grid.columns[0], grid.columns[1], grid.length), context.xFilesFactor);
}

function missing(context: FunctionContext, name: string, like: Series): Series {
  return newSeries(name, like.start, like.end, like.step, new Float64Array(like.values.length).fill(NaN), context.xFilesFactor);
}

function asPercent(context: FunctionContext, input: Series[], total: ArgValue, nodes: Array<number | string>): Series[] {
  const list = onCommonGrid(input)?.series ?? input;
  const xff = context.xFilesFactor;
  if (nodes.length > 0) {
    const groups = groupBy(list, (s) => aggKey(s, nodes));
    const keys = [...groups.keys()];
    const totals = new Map<string, Series>();
    const sumOf = (group: Series[]): Series => {
      if (group.length === 1) return group[0];
      const { start, end, step, values } = rowSums(group);
      return newSeries(`sumSeries(${formatPathExpressions(group)})`, start, end, step, values, xff);
    };
    if (total === null) {
      for (const [key, group] of groups) totals.set(key, sumOf(group));
    } else if (Array.isArray(total)) {
      for (const [key, group] of groupBy(total as Series[], (s) => aggKey(s, nodes))) {
        totals.set(key, sumOf(group));
        if (!keys.includes(key)) keys.push(key);
      }
    } else {
      throw new QueryError('asPercent: total must be None or a seriesList when nodes are given');
    }
    const results: Series[] = [];
    for (const key of keys) {
      const group = groups.get(key);
      const totalSeries = totals.get(key);
      if (!group) {
        results.push(missing(context, `asPercent(MISSING,${totalSeries!.name})`, totalSeries!));
        continue;
      }
      for (const s of group) {
        results.push(totalSeries ? percentOf(context, s, totalSeries) : missing(context, `asPercent(${s.name},MISSING)`, s));
      }
    }
    return results;
  }
  if (list.length === 0) return [];
  let totalValues: ArrayLike<number>;
  let totalText: string;
  let series = list;
  if (total === null) {
    totalValues = rowSums(list).values;
    totalText = `sumSeries(${formatPathExpressions(list)})`;
  } else if (Array.isArray(total)) {
    const totals = total as Series[];
    if (totals.length !== 1 && totals.length !== list.length) {
      throw new QueryError(
        'asPercent second argument must be missing, a single digit, reference exactly 1 series or reference the same number of series as the first argument',
      );
    }
    if (totals.length === list.length) {
      const byName = (a: Series, b: Series): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      const left = [...list].sort(byName);
      const right = [...totals].sort(byName);
      return left.map((s, i) => percentOf(context, s, right[i]));
    }
    const grid = onCommonGrid([...list, totals[0]])!;
    series = grid.series.slice(0, list.length);
    totalValues = grid.series[list.length].values;
    totalText = totals[0].name;
  } else if (typeof total === 'number') {
    totalValues = new Float64Array(list[0].values.length).fill(total);
    totalText = pythonNumber(total, Number.isInteger(total));
  } else {
    throw new QueryError(`asPercent: total must be a number, a series list or None, not '${String(total)}'`);
  }
  return series.map((s) => {
    const length = Math.max(s.values.length, totalValues.length);
    const name = `asPercent(${s.name},${totalText || s.pathExpression})`;
    return newSeries(name, s.start, s.end, s.step, percentValues(s.values, totalValues, length), xff);
  });
}

function quotient(context: FunctionContext, dividend: Series, divisor: Series): Series {
  const grid = normalize([dividend, divisor])!;
  const [a, b] = grid.columns;
  const values = new Float64Array(grid.length);
  for (let i = 0; i < grid.length; i++) {
    const d = i < b.length ? b[i] : NaN;
    values[i] = d === 0 ? NaN : (i < a.length ? a[i] : NaN) / d;
  }
  return newSeries(`divideSeries(${dividend.name},${divisor.name})`, grid.start, grid.end, grid.step, values, context.xFilesFactor);
}

function divideSeries(context: FunctionContext, dividends: Series[], divisors: Series[]): Series[] {
  if (divisors.length === 0) {
    return dividends.map((s) => {
      const name = `divideSeries(${s.name},MISSING)`;
      return { ...s, name, pathExpression: name, values: new Float64Array(s.values.length).fill(NaN) };
    });
  }
  if (divisors.length > 1) {
    throw new QueryError(`divideSeries second argument must reference exactly 1 series (got ${divisors.length})`);
  }
  return dividends.map((s) => quotient(context, s, divisors[0]));
}

/**
 * graphite-web's aggregateSeriesLists(): aggregate() of each pair first[i], second[i], named
 * `<func>Series(<first name>,<second name>)`; the pathExpression stays aggregate()'s.
 */
function aggregatePairs(context: FunctionContext, first: Series[], second: Series[], func: string, xFilesFactor: number | null): Series[] {
  if (first.length !== second.length) throw new QueryError('seriesListFirstPos and seriesListSecondPos argument must have equal length');
  const results: Series[] = [];
  first.forEach((a, i) => {
    const [result] = aggregate(context, [a, second[i]], func, xFilesFactor);
    if (!result) return;
    const prefix = result.name.slice(0, result.name.indexOf('Series('));
    results.push({ ...result, name: `${prefix}Series(${a.name},${second[i].name})` });
  });
  return results;
}

/** The two lists of aggregateSeriesLists and its aliases (a function, so the array above can use it before this point). */
function pairParams(): ParamSpec[] {
  return [
    { name: 'seriesListFirstPos', type: 'seriesList', required: true },
    { name: 'seriesListSecondPos', type: 'seriesList', required: true },
  ];
}

/** sumSeriesLists and friends: aggregateSeriesLists() with one function. */
function pairwiseAggregator(name: string, func: string, description: string): SeriesFunction {
  return {
    name,
    group: 'Combine',
    description,
    params: pairParams(),
    aggregator: true,
    run: (context, [first, second]) => aggregatePairs(context, first as Series[], second as Series[], func, null),
  };
}
