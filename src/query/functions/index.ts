import { QueryError } from '../query-error.js';
import { ALIAS_FUNCTIONS } from './aliases.js';
import { COMBINE_FUNCTIONS, SERIES_CALLBACKS } from './combine.js';
import { COMBINE_BY_NAME_FUNCTIONS } from './combine-by-name.js';
import { FILTER_FUNCTIONS } from './filters.js';
import { FORECAST_FUNCTIONS } from './forecast.js';
import { GENERATOR_FUNCTIONS } from './generators.js';
import { MOVING_FUNCTIONS } from './moving.js';
import { functionInfo, type FunctionInfo, type SeriesFunction } from './registry.js';
import { SORT_FUNCTIONS } from './sorts.js';
import { STYLE_FUNCTIONS } from './style.js';
import { SUMMARIZE_FUNCTIONS } from './summarize.js';
import { TIME_SHIFT_FUNCTIONS } from './time-shifts.js';
import { TRANSFORM_FUNCTIONS } from './transform.js';

/** seriesByTag is resolved by the evaluator against the store's tag index; this entry describes it. */
const SERIES_BY_TAG: SeriesFunction = {
  name: 'seriesByTag',
  group: 'Special',
  description:
    "The series matching all tag expressions: tag=value, tag!=value, tag=~regex, tag!=~regex (regexes anchored at the start; an expression matching '' also matches series without the tag).",
  params: [{ name: 'tagExpressions', type: 'string', required: true, multiple: true }],
  run: () => {
    throw new QueryError('seriesByTag() takes tag expressions as strings');
  },
};

/** Every render function by name. To add one: write its SeriesFunction in its family's file and list it there. */
export const SERIES_FUNCTIONS: ReadonlyMap<string, SeriesFunction> = new Map(
  [
    ...ALIAS_FUNCTIONS,
    ...COMBINE_FUNCTIONS,
    ...TRANSFORM_FUNCTIONS,
    ...FILTER_FUNCTIONS,
    ...SORT_FUNCTIONS,
    ...MOVING_FUNCTIONS,
    ...SUMMARIZE_FUNCTIONS,
    ...STYLE_FUNCTIONS,
    SERIES_BY_TAG,
    ...GENERATOR_FUNCTIONS,
    ...COMBINE_BY_NAME_FUNCTIONS,
    ...FORECAST_FUNCTIONS,
    ...TIME_SHIFT_FUNCTIONS,
  ].map((fn) => [fn.name, fn]),
);

for (const name of SERIES_FUNCTIONS.keys()) SERIES_CALLBACKS.add(name);

/** Functions usable as groupByNode/groupByTags callbacks besides the aggregation names (graphite-web's `aggregator` flag). */
export const AGGREGATOR_NAMES: ReadonlySet<string> = new Set([...SERIES_FUNCTIONS.values()].filter((fn) => fn.aggregator).map((fn) => fn.name));

/** graphite-web's /functions answer: every function's description, optionally only one group or grouped by group. */
export function describeFunctions(options: { group?: string; grouped?: boolean } = {}): Record<string, FunctionInfo> | Record<string, Record<string, FunctionInfo>> {
  const aggregators = [...AGGREGATOR_NAMES];
  const flat: Record<string, FunctionInfo> = {};
  const grouped: Record<string, Record<string, FunctionInfo>> = {};
  for (const [name, fn] of [...SERIES_FUNCTIONS].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (options.group !== undefined && options.group !== fn.group) continue;
    const info = functionInfo(name, fn, aggregators);
    if (options.grouped) (grouped[fn.group] ??= {})[name] = info;
    else flat[name] = info;
  }
  return options.grouped ? grouped : flat;
}

/** One function's /functions/<name> entry, or undefined when there is no such function. */
export function describeFunction(name: string): FunctionInfo | undefined {
  const fn = SERIES_FUNCTIONS.get(name);
  return fn && functionInfo(name, fn, [...AGGREGATOR_NAMES]);
}

export type { ArgValue, FunctionContext, FunctionInfo, ParamSpec, ParamType, SeriesFunction } from './registry.js';
