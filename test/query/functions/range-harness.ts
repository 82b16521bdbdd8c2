/** Test support for functions that read their first argument again over another time range. */
import type { Expression } from '../../../src/query/expression/ast.js';
import { AGGREGATOR_NAMES, SERIES_FUNCTIONS } from '../../../src/query/functions/index.js';
import { bindArguments, type ArgValue, type FunctionContext } from '../../../src/query/functions/registry.js';
import type { Series } from '../../../src/query/series.js';
import { context as plainContext } from './function-harness.js';

/** What a re-read asked for: the expression (as text) and the range. */
export interface Reread {
  target: string;
  from: number;
  until: number;
}

/**
 * A request context over [from, until) whose evaluate() answers with `fetch`; every re-read is
 * recorded. context.args[0] is a path named `target`, like the evaluator's.
 */
export function rangeContext(
  from: number,
  until: number,
  fetch: (target: string, from: number, until: number) => Series[],
  target = 'x',
): { context: FunctionContext; rereads: Reread[] } {
  const rereads: Reread[] = [];
  const text = (node: Expression): string => (node.kind === 'path' ? node.path : node.kind === 'call' ? node.raw : String('value' in node ? node.value : 'None'));
  const context: FunctionContext = {
    ...plainContext,
    from,
    until,
    now: until,
    args: [{ kind: 'path', path: target, position: 0 }],
    evaluate: (expression, f, u) => {
      rereads.push({ target: text(expression), from: f, until: u });
      return Promise.resolve(fetch(text(expression), f, u));
    },
  };
  return { context, rereads };
}

/** Runs a registered function in a given context, validating its arguments as the evaluator does. */
export async function runIn(context: FunctionContext, name: string, ...args: ArgValue[]): Promise<Series[]> {
  const fn = SERIES_FUNCTIONS.get(name);
  if (!fn) throw new Error(`no function ${name}`);
  return fn.run(context, bindArguments(fn, args.map((value) => ({ value, position: 0 })), new Map(), 0, AGGREGATOR_NAMES));
}
