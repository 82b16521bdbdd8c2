import { isKnownTimeZone, parseGraphiteTime } from '../query/graphite-time.js';
import { QueryError } from '../query/query-error.js';
import type { RequestParams } from './request-params.js';

export const RENDER_FORMATS = ['json', 'csv', 'raw', 'pickle', 'msgpack'] as const;
export type RenderFormat = (typeof RENDER_FORMATS)[number];

/** What a `/render` request asks for, validated. */
export interface RenderRequest {
  targets: string[];
  /** Whole Unix seconds; from < until. */
  from: number;
  until: number;
  format: RenderFormat;
  /** IANA zone for wall-clock times and CSV timestamps. */
  tz: string;
  maxDataPoints?: number;
  noNullPoints: boolean;
  /** JSONP callback name. */
  jsonp?: string;
  /** `template[name]=value` parameters for template() targets (only when some were given). */
  templateParams?: Record<string, string>;
  /** The `xFilesFactor` parameter (graphite-web's default for functions and consolidation). */
  xFilesFactor?: number;
}

const JSONP_CALLBACK = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

/**
 * Reads render parameters as graphite-web's parseOptions does: `target` (or `target[]`),
 * `from` (default -1d), `until` (default now), `now`, `tz` (unknown zones fall back to UTC),
 * `maxDataPoints` (used only when it is all digits), `noNullPoints`, `jsonp`, `format`.
 * `clockNow` is the wall clock in Unix seconds.
 */
export function parseRenderRequest(params: RequestParams, clockNow: number): RenderRequest {
  let targets = params.getAll('target');
  if (targets.length === 0) targets = params.getAll('target[]');

  const format = params.get('format') ?? 'json';
  if (!(RENDER_FORMATS as readonly string[]).includes(format)) {
    throw new QueryError(`unsupported format '${format}': use one of ${RENDER_FORMATS.join(', ')}`);
  }
  const requestedTz = params.get('tz');
  const tz = requestedTz !== undefined && isKnownTimeZone(requestedTz) ? requestedTz : 'UTC';

  // Whole seconds, as graphite-web's epoch() gives: `raw` prints the range's ends with %d, and
  // a fraction of the clock reached the answer through functions that use the range (generators).
  const wallNow = Math.floor(clockNow);
  const nowParam = params.get('now');
  const now = nowParam === undefined ? wallNow : Math.floor(parseGraphiteTime(nowParam, { now: wallNow, tz }));
  const untilParam = params.get('until');
  const fromParam = params.get('from');
  const untilTime = untilParam === undefined ? now : parseGraphiteTime(untilParam, { now, tz });
  const fromTime = parseGraphiteTime(fromParam ?? '-1d', { now, tz });
  const from = Math.floor(Math.min(fromTime, untilTime));
  const until = Math.floor(Math.max(fromTime, untilTime));
  if (from === until) throw new QueryError(`invalid empty time range: from and until are both ${from}`);

  const request: RenderRequest = { targets, from, until, format: format as RenderFormat, tz, noNullPoints: params.has('noNullPoints') };
  const maxDataPoints = params.get('maxDataPoints');
  // graphite-web ignores values that are not all digits (and fails on 0, which we ignore too).
  if (maxDataPoints !== undefined && /^\d+$/.test(maxDataPoints) && Number(maxDataPoints) > 0) {
    request.maxDataPoints = Number(maxDataPoints);
  }
  const jsonp = parseJsonpCallback(params);
  if (jsonp !== undefined) request.jsonp = jsonp;
  const templates = templateParams(params, targets);
  if (Object.keys(templates).length > 0) request.templateParams = templates;
  const xFilesFactor = params.get('xFilesFactor');
  if (xFilesFactor !== undefined) {
    const value = Number(xFilesFactor);
    if (xFilesFactor.trim() === '' || !(value >= 0 && value <= 1)) {
      throw new QueryError(`invalid xFilesFactor '${xFilesFactor}': use a number from 0 to 1`);
    }
    request.xFilesFactor = value;
  }
  return request;
}

/**
 * The `jsonp` callback name, if any (an empty one is none, as graphite-web's falsy test has it);
 * only plain (dotted) JavaScript names, so it cannot inject script.
 */
export function parseJsonpCallback(params: RequestParams): string | undefined {
  const jsonp = params.get('jsonp');
  if (jsonp === '') return undefined;
  if (jsonp !== undefined && !JSONP_CALLBACK.test(jsonp)) {
    throw new QueryError(`bad jsonp callback '${jsonp}': must be a JavaScript name`);
  }
  return jsonp;
}

/**
 * graphite-web's `template[name]=value` parameters. Only `$name` variables can use them, so the
 * targets say which names to look up.
 */
function templateParams(params: RequestParams, targets: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const target of targets) {
    for (const [, name] of target.matchAll(/\$(\w+)/g)) {
      const value = params.get(`template[${name}]`);
      if (value !== undefined) values[name] = value;
    }
  }
  return values;
}
