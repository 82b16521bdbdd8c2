/**
 * Graphite 1.1 tagged series names: `metric;tag=value;...` (and the OpenMetrics form
 * `metric{tag="value",...}` that carbon also accepts), parsed, validated and normalised exactly as
 * carbon's `TaggedSeries.parse(path).path` does before a point is cached:
 * - tag names are non-empty and contain none of `;!^=`; values are non-empty, contain no `;` and do
 *   not start with `~`;
 * - a repeated tag keeps its last value; a tag called `name` is replaced by the metric;
 * - the `name` tag is the metric with leading `~` removed (it must not end up empty);
 * - the normalised path is the name followed by the `;tag=value` strings in code point order.
 */

/** A series name that Graphite would refuse; the message says which part and why. */
export class GraphiteTagError extends Error {
  override readonly name = 'GraphiteTagError';
}

export interface TaggedSeries {
  /** The metric part as sent (before the first `;` or `{`). */
  readonly metric: string;
  /** Every tag, including `name` (the metric without leading `~`), as graphite-web's TaggedSeries.tags. */
  readonly tags: ReadonlyMap<string, string>;
  /** The normalised series name: `name;tag=value...`, tags sorted. */
  readonly path: string;
}

/** Characters a tag name may not contain (carbon's `prohibitedTagChars`). */
const PROHIBITED_TAG_CHARS = ';!^=';

/** Why `tag=value` is not a valid Graphite tag, or null when it is. */
export function tagProblem(tag: string, value: string): string | null {
  if (tag.length === 0) return 'tag may not be empty';
  if (value.length === 0) return `value for tag "${tag}" may not be empty`;
  for (const char of PROHIBITED_TAG_CHARS) {
    if (tag.includes(char)) return `character "${char}" is not allowed in tag "${tag}"`;
  }
  if (value.includes(';')) return `character ";" is not allowed in value "${value}" of tag "${tag}"`;
  if (value.charCodeAt(0) === 0x7e /* ~ */) return `tag values may not start with "~" (tag "${tag}")`;
  return null;
}

/** Parses and validates a series name; throws GraphiteTagError when Graphite would refuse it. */
export function parseTaggedSeries(path: string): TaggedSeries {
  const isOpenMetrics = path.endsWith('"}') && path.includes('{');
  const raw = isOpenMetrics ? parseOpenMetricsTags(path) : parseCarbonTags(path);
  const tags = new Map<string, string>();
  for (const [tag, value] of raw.tags) {
    const problem = tagProblem(tag, value);
    if (problem !== null) throw new GraphiteTagError(`${problem} in "${path}"`);
    tags.set(tag, value);
  }
  let start = 0;
  while (start < raw.metric.length && raw.metric.charCodeAt(start) === 0x7e /* ~ */) start++;
  if (start === raw.metric.length) throw new GraphiteTagError(`metric name "${raw.metric}" is empty once leading "~" are removed`);
  const name = raw.metric.slice(start);
  tags.set('name', name);
  return { metric: raw.metric, tags, path: formatTaggedSeries(tags) };
}

/**
 * The normalised form of a series name. Plain names without `;`, a leading `~` or the OpenMetrics
 * form come back unchanged (the common case, no allocation); throws GraphiteTagError.
 */
export function normaliseSeriesName(path: string): string {
  if (path.endsWith('"}') && path.includes('{')) return parseTaggedSeries(path).path;
  if (path.length === 0) throw new GraphiteTagError('metric name is empty');
  if (path.charCodeAt(0) !== 0x7e /* ~ */ && isNormalCarbonPath(path)) return path;
  let normalised = rewrittenNames.get(path);
  if (normalised === undefined) {
    normalised = parseTaggedSeries(path).path;
    if (rewrittenNames.size >= REWRITTEN_NAMES_LIMIT) rewrittenNames.clear();
    rewrittenNames.set(path, normalised);
  }
  return normalised;
}

/**
 * Whether the name in bytes[start, end) is plain: untagged, so that normaliseSeriesName gives it
 * back unchanged (no `;`, no leading `~`, not the OpenMetrics form). Lets the carbon worker send a
 * new name as its bytes without making its string.
 */
export function isPlainPath(bytes: Uint8Array, start: number, end: number): boolean {
  if (end <= start || bytes[start] === 0x7e /* ~ */) return false;
  if (end - start >= 2 && bytes[end - 2] === 0x22 /* " */ && bytes[end - 1] === 0x7d /* } */) return false;
  for (let i = start; i < end; i++) if (bytes[i] === 0x3b /* ; */) return false;
  return true;
}

/** Names whose normal form differs (tags not sorted): senders repeat them, and parsing is the costly part. */
const rewrittenNames = new Map<string, string>();
const REWRITTEN_NAMES_LIMIT = 100_000;

/**
 * True when a carbon-form path is already valid and normalised (tags sorted, none repeated, no
 * `name` tag), checked in place without allocating: senders usually send the same form every time.
 */
function isNormalCarbonPath(path: string): boolean {
  let segmentEnd = path.indexOf(';');
  if (segmentEnd === -1) return true;
  if (segmentEnd === 0) return false;
  let previousStart = -1;
  let previousEq = -1;
  let previousEnd = -1;
  while (segmentEnd < path.length) {
    const start = segmentEnd + 1;
    segmentEnd = path.indexOf(';', start);
    if (segmentEnd === -1) segmentEnd = path.length;
    const eq = path.indexOf('=', start);
    if (eq <= start || eq >= segmentEnd - 1) return false; // no tag, no "=" or empty value
    for (let i = start; i < eq; i++) {
      const c = path.charCodeAt(i);
      if (c === 0x21 /* ! */ || c === 0x5e /* ^ */) return false;
    }
    if (path.charCodeAt(eq + 1) === 0x7e /* ~ */) return false;
    if (eq - start === 4 && path.startsWith('name', start)) return false;
    if (previousStart >= 0) {
      if (compareRanges(path, previousStart, previousEnd, start, segmentEnd) >= 0) return false;
      if (previousEq - previousStart === eq - start && path.startsWith(path.slice(start, eq), previousStart)) return false;
    }
    previousStart = start;
    previousEq = eq;
    previousEnd = segmentEnd;
  }
  return true;
}

/** compareCodePoints on two ranges of one string. */
function compareRanges(s: string, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const n = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < n; i++) {
    const x = s.charCodeAt(aStart + i);
    const y = s.charCodeAt(bStart + i);
    if (x !== y) return compareUnits(x, y);
  }
  return aEnd - aStart - (bEnd - bStart);
}

/** Surrogates (U+D800..U+DFFF) encode code points above every BMP character. */
function compareUnits(x: number, y: number): number {
  const xs = x >= 0xd800 && x <= 0xdfff;
  const ys = y >= 0xd800 && y <= 0xdfff;
  if (xs !== ys) return xs ? 1 : -1;
  return x - y;
}

/** `name` followed by every other tag as `;tag=value`, sorted as Python sorts those strings. */
export function formatTaggedSeries(tags: ReadonlyMap<string, string>): string {
  const parts: string[] = [];
  for (const [tag, value] of tags) if (tag !== 'name') parts.push(`;${tag}=${value}`);
  parts.sort(compareCodePoints);
  return (tags.get('name') ?? '') + parts.join('');
}

/**
 * Code point order (Python's str order). JavaScript's default sort compares UTF-16 units, which
 * puts characters above U+FFFF before U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return compareUnits(x, y);
  }
  return a.length - b.length;
}

interface RawTags {
  metric: string;
  tags: [string, string][];
}

/** `metric;tag=value;...`: every segment after the first needs a `=` and a non-empty tag. */
function parseCarbonTags(path: string): RawTags {
  const segments = path.split(';');
  const metric = segments[0];
  if (metric.length === 0) throw new GraphiteTagError(`no metric name in "${path}"`);
  const tags: [string, string][] = [];
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i];
    const eq = segment.indexOf('=');
    if (eq <= 0) throw new GraphiteTagError(`invalid tag segment "${segment}" in "${path}" (expected tag=value)`);
    tags.push([segment.slice(0, eq), segment.slice(eq + 1)]);
  }
  return { metric, tags };
}

/**
 * `metric{tag="value",...}`, as graphite-web's parse_openmetrics: exactly one `{`; values are
 * double-quoted with `\"` and `\\` escapes; segments are separated by `,` (or `:,`, which carbon's
 * pattern also accepts).
 */
function parseOpenMetricsTags(path: string): RawTags {
  const open = path.indexOf('{');
  if (path.indexOf('{', open + 1) !== -1) throw new GraphiteTagError(`more than one "{" in "${path}"`);
  const metric = path.slice(0, open);
  if (metric.length === 0) throw new GraphiteTagError(`no metric name in "${path}"`);
  const body = path.slice(open + 1, path.length - 1);
  const tags: [string, string][] = [];
  let i = 0;
  while (i < body.length) {
    const eq = body.indexOf('=', i);
    if (eq <= i || body.charCodeAt(eq + 1) !== 0x22 /* " */) {
      throw new GraphiteTagError(`invalid tag segment "${body.slice(i)}" in "${path}" (expected tag="value")`);
    }
    let value = '';
    let j = eq + 2;
    for (; j < body.length; j++) {
      const c = body.charCodeAt(j);
      if (c === 0x22) break;
      if (c === 0x5c /* \ */) {
        const next = body.charCodeAt(j + 1);
        if (next !== 0x22 && next !== 0x5c) break;
        value += body[j + 1];
        j++;
      } else {
        value += body[j];
      }
    }
    if (j >= body.length || body.charCodeAt(j) !== 0x22 || value.length === 0) {
      throw new GraphiteTagError(`invalid tag segment "${body.slice(i)}" in "${path}" (unterminated or empty value)`);
    }
    j++;
    if (body.charCodeAt(j) === 0x3a /* : */ && body.charCodeAt(j + 1) === 0x2c) j += 2;
    else if (body.charCodeAt(j) === 0x2c /* , */) j++;
    else if (j !== body.length) throw new GraphiteTagError(`invalid tag segment "${body.slice(i)}" in "${path}" (expected "," after the value)`);
    tags.push([body.slice(i, eq), value]);
    i = j;
  }
  return { metric, tags };
}
