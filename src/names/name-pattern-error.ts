/**
 * A series-name pattern the user wrote is invalid (a broken glob, a bad tag expression or tag
 * regex). Stages above names answer it as their own user error: the query layer as a QueryError,
 * the HTTP layer with 400 and this message, so the message must name the pattern.
 */
export class NamePatternError extends Error {
  override readonly name = 'NamePatternError';
}
