/** Test support: run one render function on hand-made series, as the evaluator would. */
import { AGGREGATOR_NAMES, SERIES_FUNCTIONS } from '../../../src/query/functions/index.js';
import { bindArguments, type ArgValue, type FunctionContext } from '../../../src/query/functions/registry.js';
import { newSeries, type Series } from '../../../src/query/series.js';

/** A series of points every `step` seconds from `start`; null is NaN. */
export function series(name: string, values: Array<number | null>, start = 0, step = 10, pathExpression = name): Series {
  const s = newSeries(name, start, start + values.length * step, step, Float64Array.from(values, (v) => (v === null ? NaN : v)), 0);
  return { ...s, pathExpression };
}

/** The points of a series with NaN shown as null, for deepEqual. */
export function points(s: Series): Array<number | null> {
  return [...s.values].map((v) => (v !== v ? null : v));
}

export const context: FunctionContext = {
  from: 0,
  until: 100,
  now: 100,
  xFilesFactor: 0,
  args: [],
  evaluate: () => Promise.reject(new Error('this test does not re-fetch')),
  call: (name, args) => run(name, ...args),
};

/** Runs a registered function with positional arguments, validating them as the evaluator does. */
export async function run(name: string, ...args: ArgValue[]): Promise<Series[]> {
  const fn = SERIES_FUNCTIONS.get(name);
  if (!fn) throw new Error(`no function ${name}`);
  const bound = bindArguments(fn, args.map((value) => ({ value, position: 0 })), new Map(), 0, AGGREGATOR_NAMES);
  return fn.run(context, bound);
}
