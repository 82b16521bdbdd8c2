/**
 * An error the user caused with a query (bad target, bad time, bad parameter). The HTTP layer
 * answers it with 400 and its message, so the message must name what was wrong.
 */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}
