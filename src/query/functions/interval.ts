import { parseGraphiteTime } from '../graphite-time.js';
import { QueryError } from '../query-error.js';

/**
 * graphite-web's parseTimeOffset() for interval arguments (`'5min'`, `'-7d'`, `'+1h'`, `'1hour'`):
 * signed seconds, a missing sign meaning +; undefined when the text is not an interval.
 */
export function parseInterval(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?\d/.test(trimmed)) return undefined;
  try {
    return parseGraphiteTime(`now${/^[+-]/.test(trimmed) ? '' : '+'}${trimmed}`, { now: 0 });
  } catch (error) {
    if (error instanceof QueryError) return undefined;
    throw error;
  }
}

/** parseInterval() for an argument already validated as an interval. */
export function intervalSeconds(text: string): number {
  const seconds = parseInterval(text);
  if (seconds === undefined) throw new QueryError(`bad interval '${text}'`);
  return seconds;
}

/**
 * intervalSeconds() for a bucket size (summarize, hitcount): graphite-web divides by it and fails
 * with a 500 on zero, and a negative one gives no buckets, so both are the caller's error here.
 */
export function bucketSeconds(text: string, fn: string): number {
  const seconds = intervalSeconds(text);
  if (!(seconds > 0)) throw new QueryError(`${fn}(): interval '${text}' must be positive`);
  return seconds;
}

/** graphite-web's parseATTime() for a `date` argument: epoch seconds, or any from/until form (UTC). */
export function dateSeconds(value: string | number, now: number): number {
  return typeof value === 'number' ? Math.trunc(value) : parseGraphiteTime(value, { now });
}
