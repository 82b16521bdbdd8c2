import { parseTarget } from '../expression/parser.js';
import { QueryError } from '../query-error.js';
import { derive, type Series } from '../series.js';
import { aggregateSlice, percentile, resolveAggFunc, type AggFunc } from './agg-funcs.js';
import { constantLine } from './combine.js';
import { formatG, pythonNumber } from './python-format.js';
import { pythonRegex, pythonSub } from './python-regex.js';
import type { ParamSpec, SeriesFunction } from './registry.js';

const seriesList: ParamSpec = { name: 'seriesList', type: 'seriesList', required: true };
const nFloat: ParamSpec = { name: 'n', type: 'float', required: true };
const nInteger: ParamSpec = { name: 'n', type: 'integer', required: true };

/** graphite-web's operatorFuncs: how filterSeries compares an aggregate (NaN = None) with a threshold. */
const OPERATORS: Record<string, (value: number, threshold: number) => boolean> = {
  '=': (v, t) => v === v && v === t,
  '!=': (v, t) => v !== v || v !== t,
  '>': (v, t) => v === v && v > t,
  '>=': (v, t) => v === v && v >= t,
  '<': (v, t) => v !== v || v < t,
  '<=': (v, t) => v !== v || v <= t,
};

export function filterSeries(list: Series[], func: AggFunc, operator: string, threshold: number): Series[] {
  const compare = OPERATORS[operator];
  if (!compare) throw new QueryError(`Unsupported operator: ${operator}`);
  return list.filter((s) => compare(aggregateSlice(func, s.values), threshold));
}

/** Series sorted by an aggregate, nulls counting as -inf (graphite-web's keyFunc); stable like Python's sort. */
export function sortByAggregate(list: readonly Series[], func: AggFunc, descending: boolean): Series[] {
  const keyed = list.map((s) => {
    const key = aggregateSlice(func, s.values);
    return { s, key: key === key ? key : -Infinity };
  });
  keyed.sort((a, b) => (a.key === b.key ? 0 : (a.key < b.key) !== descending ? -1 : 1));
  return keyed.map((k) => k.s);
}

function threshold(name: string, func: AggFunc, operator: string, description: string): SeriesFunction {
  return {
    name,
    group: 'Filter Series',
    description,
    params: [seriesList, nFloat],
    run: (_, [list, n]) => filterSeries(list as Series[], func, operator, n as number),
  };
}

function ranked(name: string, func: AggFunc, descending: boolean, description: string): SeriesFunction {
  return {
    name,
    group: 'Filter Series',
    description,
    params: [seriesList, nInteger],
    run: (_, [list, n]) => sortByAggregate(list as Series[], func, descending).slice(0, Math.max(0, n as number)),
  };
}

/** nPercentile's value for one series, or undefined when it has no points. */
function seriesPercentile(s: Series, n: number): number | undefined {
  const value = percentile(s.values, n, false);
  return value === value ? value : undefined;
}

export const FILTER_FUNCTIONS: SeriesFunction[] = [
  {
    name: 'removeAboveValue',
    group: 'Filter Data',
    description: 'Sets points above n to null.',
    params: [seriesList, nFloat],
    run: (_, [list, n]) =>
      (list as Series[]).map((s) => derive(s, `removeAboveValue(${s.name}, ${formatG(n as number)})`, { values: s.values.map((v) => (v > (n as number) ? NaN : v)) })),
  },
  {
    name: 'removeBelowValue',
    group: 'Filter Data',
    description: 'Sets points below n to null.',
    params: [seriesList, nFloat],
    run: (_, [list, n]) =>
      (list as Series[]).map((s) => derive(s, `removeBelowValue(${s.name}, ${formatG(n as number)})`, { values: s.values.map((v) => (v < (n as number) ? NaN : v)) })),
  },
  {
    name: 'removeAbovePercentile',
    group: 'Filter Data',
    description: "Sets points above the series' n-th percentile to null.",
    params: [seriesList, nFloat],
    run: (_, [list, n]) =>
      (list as Series[]).map((s) => {
        const name = `removeAbovePercentile(${s.name}, ${formatG(n as number)})`;
        const p = seriesPercentile(s, n as number);
        return derive(s, name, p === undefined ? {} : { values: s.values.map((v) => (v > p ? NaN : v)) });
      }),
  },
  {
    name: 'removeBelowPercentile',
    group: 'Filter Data',
    description: "Sets points below the series' n-th percentile to null.",
    params: [seriesList, nFloat],
    run: (_, [list, n]) =>
      (list as Series[]).map((s) => {
        const name = `removeBelowPercentile(${s.name}, ${formatG(n as number)})`;
        const p = seriesPercentile(s, n as number);
        return derive(s, name, p === undefined ? {} : { values: s.values.map((v) => (v < p ? NaN : v)) });
      }),
  },
  {
    name: 'nPercentile',
    group: 'Calculate',
    description: "A line at each series' n-th percentile.",
    params: [seriesList, nFloat],
    run: (_, [list, n]) => {
      if (!(n as number)) throw new QueryError('nPercentile: the requested percent must be greater than 0');
      const results: Series[] = [];
      for (const s of list as Series[]) {
        const p = seriesPercentile(s, n as number);
        if (p === undefined) continue;
        const count = Math.max(0, Math.trunc((s.end - s.start) / s.step));
        const out = derive(s, `nPercentile(${s.name}, ${formatG(n as number)})`, { values: new Float64Array(count).fill(p) });
        out.tags.nPercentile = pythonNumber(n as number, Number.isInteger(n));
        results.push(out);
      }
      return results;
    },
  },
  {
    name: 'limit',
    group: 'Filter Series',
    description: 'Only the first n series.',
    params: [seriesList, nInteger],
    run: (_, [list, n]) => (list as Series[]).slice(0, Math.max(0, n as number)),
  },
  {
    name: 'exclude',
    group: 'Filter Series',
    description: 'Removes the series whose names match a regular expression.',
    params: [seriesList, { name: 'pattern', type: 'string', required: true }],
    run: (_, [list, pattern]) => {
      const regex = pythonRegex(pattern as string);
      return (list as Series[]).filter((s) => !regex.test(s.name));
    },
  },
  {
    name: 'grep',
    group: 'Filter Series',
    description: 'Keeps only the series whose names match a regular expression.',
    params: [seriesList, { name: 'pattern', type: 'string', required: true }],
    run: (_, [list, pattern]) => {
      const regex = pythonRegex(pattern as string);
      return (list as Series[]).filter((s) => regex.test(s.name));
    },
  },
  {
    name: 'filterSeries',
    group: 'Filter Series',
    description: "Keeps the series whose aggregate compares true with a threshold, e.g. filterSeries(x, 'max', '>', 1000).",
    params: [
      seriesList,
      { name: 'func', type: 'aggFunc', required: true },
      { name: 'operator', type: 'string', required: true, options: Object.keys(OPERATORS).sort() },
      { name: 'threshold', type: 'float', required: true },
    ],
    run: (_, [list, func, operator, value]) => {
      const name = func as string;
      return filterSeries(list as Series[], resolveAggFunc(name.endsWith('Series') ? name.slice(0, -6) : name, name), operator as string, value as number);
    },
  },
  threshold('averageAbove', 'average', '>', 'Keeps the series whose average is above n.'),
  threshold('averageBelow', 'average', '<=', 'Keeps the series whose average is at most n.'),
  threshold('currentAbove', 'last', '>', 'Keeps the series whose last value is above n.'),
  threshold('currentBelow', 'last', '<=', 'Keeps the series whose last value is at most n.'),
  threshold('maximumAbove', 'max', '>', 'Keeps the series whose maximum is above n.'),
  threshold('maximumBelow', 'max', '<=', 'Keeps the series whose maximum is at most n.'),
  threshold('minimumAbove', 'min', '>', 'Keeps the series whose minimum is above n.'),
  threshold('minimumBelow', 'min', '<=', 'Keeps the series whose minimum is at most n.'),
  {
    name: 'highest',
    group: 'Filter Series',
    description: 'The n series with the highest aggregate (average by default).',
    params: [seriesList, { name: 'n', type: 'integer', default: 1 }, { name: 'func', type: 'aggFunc', default: 'average' }],
    run: (_, [list, n, func]) => sortByAggregate(list as Series[], aggFuncArg(func as string), true).slice(0, Math.max(0, n as number)),
  },
  {
    name: 'lowest',
    group: 'Filter Series',
    description: 'The n series with the lowest aggregate (average by default).',
    params: [seriesList, { name: 'n', type: 'integer', default: 1 }, { name: 'func', type: 'aggFunc', default: 'average' }],
    run: (_, [list, n, func]) => sortByAggregate(list as Series[], aggFuncArg(func as string), false).slice(0, Math.max(0, n as number)),
  },
  ranked('highestAverage', 'average', true, 'The n series with the highest average.'),
  ranked('highestCurrent', 'last', true, 'The n series with the highest last value.'),
  ranked('highestMax', 'max', true, 'The n series with the highest maximum.'),
  ranked('lowestAverage', 'average', false, 'The n series with the lowest average.'),
  ranked('lowestCurrent', 'last', false, 'The n series with the lowest last value.'),
  {
    name: 'removeEmptySeries',
    group: 'Filter Series',
    description: 'Removes series with no values (or with a known share below xFilesFactor).',
    params: [seriesList, { name: 'xFilesFactor', type: 'float' }],
    run: (_, [list, xff]) =>
      (list as Series[]).filter((s) => {
        const known = aggregateSlice('count', s.values);
        return known > 0 && s.values.length > 0 && known / s.values.length >= ((xff as number | null) ?? 0);
      }),
  },
  {
    name: 'unique',
    group: 'Filter Series',
    description: 'The series of all lists, each name once.',
    params: [{ name: 'seriesLists', type: 'seriesList', required: true, multiple: true }],
    run: (_, [lists]) => {
      const seen = new Set<string>();
      return (lists as Series[][]).flat().filter((s) => !seen.has(s.name) && (seen.add(s.name), true));
    },
  },
  {
    name: 'fallbackSeries',
    group: 'Special',
    description: 'The series list, or the fallback when the list is empty.',
    params: [seriesList, { name: 'fallback', type: 'seriesList', required: true }],
    run: (_, [list, fallback]) => ((list as Series[]).length > 0 ? (list as Series[]) : (fallback as Series[])),
  },
  {
    name: 'useSeriesAbove',
    group: 'Filter Series',
    description:
      "For each series whose maximum is above value, draws the series named by a regex search and replace on its name, e.g. useSeriesAbove(ganglia.metric1.reqs, 10, 'reqs', 'time').",
    params: [
      seriesList,
      { name: 'value', type: 'float', required: true },
      { name: 'search', type: 'string', required: true },
      { name: 'replace', type: 'string', required: true },
    ],
    run: async (context, [list, value, search, replace]) => {
      const names = (list as Series[])
        .filter((s) => aggregateSlice('max', s.values) > (value as number))
        .map((s) => pythonSub(search as string, replace as string, s.name));
      if (names.length === 0) return [];
      const found = await context.evaluate(parseTarget(`group(${names.join(',')})`), context.from, context.until);
      return found.filter((s) => s.values.length > 0);
    },
  },
  {
    name: 'mostDeviant',
    group: 'Filter Series',
    description: 'The n series with the largest variance (mean squared distance from their own average), largest first.',
    params: [seriesList, nInteger],
    run: (_, [list, n]) => {
      const deviants: Array<{ s: Series; sigma: number }> = [];
      for (const s of list as Series[]) {
        const mean = aggregateSlice('average', s.values);
        if (mean !== mean) continue;
        let squares = 0;
        for (const v of s.values) if (v === v) squares += (v - mean) ** 2;
        deviants.push({ s, sigma: squares / aggregateSlice('count', s.values) });
      }
      // Python's sort(reverse=True) is stable, so equal variances keep their order.
      deviants.sort((a, b) => (a.sigma === b.sigma ? 0 : a.sigma > b.sigma ? -1 : 1));
      return deviants.map((d) => d.s).slice(0, n as number);
    },
  },
  {
    name: 'averageOutsidePercentile',
    group: 'Filter Series',
    description: "Removes the series whose average lies strictly between the (100 - n)-th and n-th percentiles of all the series' averages.",
    params: [seriesList, nFloat],
    run: (_, [list, n]) => {
      const inputs = list as Series[];
      const high = (n as number) < 50 ? 100 - (n as number) : (n as number);
      const averages = inputs.map((s) => aggregateSlice('average', s.values));
      const lowPercentile = percentile(averages, 100 - high, false);
      const highPercentile = percentile(averages, high, false);
      return inputs.filter((_s, i) => !(lowPercentile < averages[i] && averages[i] < highPercentile));
    },
  },
  {
    name: 'removeBetweenPercentile',
    group: 'Filter Series',
    description: 'Removes the series whose every point lies strictly between the (100 - n)-th and n-th percentiles of all the series at that time.',
    params: [seriesList, nFloat],
    run: (_, [list, n]) => {
      const inputs = list as Series[];
      const high = (n as number) < 50 ? 100 - (n as number) : (n as number);
      const length = inputs.length === 0 ? 0 : Math.min(...inputs.map((s) => s.values.length));
      const lows = new Float64Array(length);
      const highs = new Float64Array(length);
      const column = new Float64Array(inputs.length);
      for (let i = 0; i < length; i++) {
        inputs.forEach((s, c) => (column[c] = s.values[i]));
        lows[i] = percentile(column, 100 - high, false);
        highs[i] = percentile(column, high, false);
      }
      return inputs.filter((s) => s.values.some((v, i) => !(i < length && lows[i] < v && v < highs[i])));
    },
  },
  {
    name: 'aggregateLine',
    group: 'Calculate',
    description: "A horizontal line at each series' aggregate (average by default) across the graph, or with the series' own time grid when keepStep is true.",
    params: [seriesList, { name: 'func', type: 'aggFunc', default: 'average' }, { name: 'keepStep', type: 'boolean', default: false }],
    run: (context, [list, func, keepStep]) =>
      (list as Series[]).map((s) => {
        const value = aggregateSlice(aggFuncArg(func as string), s.values);
        const name = `aggregateLine(${s.name}, ${value === value ? formatG(value) : 'None'})`;
        if (keepStep) return derive(s, name, { values: new Float64Array(s.values.length).fill(value) });
        return { ...constantLine(context, value), name, pathExpression: name };
      }),
  },
];

/** An aggFunc argument (graphite-web still accepts the old `sumSeries` style names). */
export function aggFuncArg(name: string): AggFunc {
  return resolveAggFunc(name.endsWith('Series') ? name.slice(0, -6) : name, name);
}

