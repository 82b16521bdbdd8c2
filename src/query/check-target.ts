import type { Expression } from './expression/ast.js';
import { parseTarget } from './expression/parser.js';
import { SERIES_FUNCTIONS } from './functions/index.js';
import { QueryError } from './query-error.js';

/** Calls the evaluator knows without a registry entry. */
const BUILT_IN_CALLS: ReadonlySet<string> = new Set(['seriesByTag', 'template']);

/**
 * Throws a QueryError when `target` would fail at every evaluation whatever the data: bad syntax
 * or an unknown function. For targets stored to be rendered later (the Scale API's pools), so the
 * mistake is answered when the target is given rather than logged at each evaluation.
 */
export function checkTarget(target: string): void {
  const pending: Expression[] = [parseTarget(target)];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.kind !== 'call') continue;
    if (!SERIES_FUNCTIONS.has(node.name) && !BUILT_IN_CALLS.has(node.name)) {
      throw new QueryError(`unknown function ${node.name}() (column ${node.position + 1})`);
    }
    pending.push(...node.args, ...node.kwargs.map((kwarg) => kwarg.value));
  }
}
