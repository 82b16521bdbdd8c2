import { NamePatternError } from '../names/name-pattern-error.js';

/**
 * An error the user caused with a query (bad target, bad time, bad parameter). The HTTP layer
 * answers it with 400 and its message, so the message must name what was wrong.
 */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}

/** A bad series-name pattern from the names layer as a QueryError, the query layer's one user error; anything else as it is. */
export function queryErrorFrom(error: unknown): unknown {
  return error instanceof NamePatternError ? new QueryError(error.message, { cause: error }) : error;
}
