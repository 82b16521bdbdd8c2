import { QueryError } from './query-error.js';

/**
 * graphite-web's `from`/`until` syntax (render/attime.py), parsed to Unix seconds:
 * `now`, epoch seconds, relative offsets (`-1h`, `-30s`, `-10min`, `-2d`, `-1w`, `-1mon` = 30 days,
 * `-1y` = 365 days, several units in a row: `-1h30min`), time-of-day references (`HH:MM`, `9am`,
 * `noon`, `midnight`, `teatime`) followed by a day (`today`, `yesterday`, `tomorrow`, `YYYYMMDD`,
 * `MM/DD/YY[YY]`, `jan1`, `monday`), and a reference plus an offset (`midnight-1d`, `now-2h`).
 * Spaces, `_` and `,` are ignored, as graphite-web does. A bare `m` unit is rejected, as in
 * graphite-web (it would be ambiguous between minutes and months).
 */

export interface GraphiteTimeOptions {
  /** The reference "now" in Unix seconds (graphite-web's `now` parameter or the clock). */
  now: number;
  /** IANA time zone for wall-clock references such as `midnight` or `YYYYMMDD`; default UTC. */
  tz?: string;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_SECONDS = 86_400;

/** Parses one graphite-web time expression; throws QueryError naming the bad value. */
export function parseGraphiteTime(text: string, options: GraphiteTimeOptions): number {
  const tz = options.tz ?? 'UTC';
  const s = text.trim().toLowerCase().replace(/[_, ]/g, '');
  if (/^\d+$/.test(s) && !looksLikeYyyymmdd(s)) return Number(s);
  try {
    let ref = s;
    let offset = '';
    const plus = s.indexOf('+');
    const minus = s.indexOf('-');
    const split = plus >= 0 ? plus : minus;
    if (split >= 0) {
      ref = s.slice(0, split);
      offset = s.slice(split);
    }
    return Math.floor(parseTimeReference(ref, options.now, tz) + parseTimeOffset(offset));
  } catch (error) {
    if (error instanceof TimeSyntaxError) throw new QueryError(`bad time '${text}': ${error.message}`);
    throw error;
  }
}

/** True when `tz` is a time zone this runtime knows (graphite-web ignores unknown ones). */
export function isKnownTimeZone(tz: string): boolean {
  try {
    wallClockFormatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** `YYYY-MM-DD HH:MM:SS` in `tz`, the timestamp form of graphite-web's CSV output. */
export function formatGraphiteDateTime(epochSeconds: number, tz = 'UTC'): string {
  const w = toWallClock(epochSeconds, tz);
  return `${w.year}-${pad2(w.month)}-${pad2(w.day)} ${pad2(w.hour)}:${pad2(w.minute)}:${pad2(w.second)}`;
}

/** Internal: a syntax problem, turned into a QueryError carrying the whole input. */
class TimeSyntaxError extends Error {}

function looksLikeYyyymmdd(s: string): boolean {
  return (
    s.length === 8 && Number(s.slice(0, 4)) > 1900 && Number(s.slice(4, 6)) < 13 && Number(s.slice(6)) < 32
  );
}

function parseTimeReference(ref: string, now: number, tz: string): number {
  if (ref === '' || ref === 'now') return now;
  let rest = ref;
  let hour = 0;
  let minute = 0;

  let i = rest.indexOf(':');
  if (i > 0 && i < 3) {
    hour = toInt(rest.slice(0, i), ref);
    minute = toInt(rest.slice(i + 1, i + 3), ref);
    rest = rest.slice(i + 3);
    if (rest.startsWith('am')) rest = rest.slice(2);
    else if (rest.startsWith('pm')) {
      hour = (hour + 12) % 24;
      rest = rest.slice(2);
    }
  }
  i = rest.indexOf('am');
  if (i > 0 && i < 3) {
    hour = toInt(rest.slice(0, i), ref);
    rest = rest.slice(i + 2);
  }
  i = rest.indexOf('pm');
  if (i > 0 && i < 3) {
    hour = (toInt(rest.slice(0, i), ref) + 12) % 24;
    rest = rest.slice(i + 2);
  }
  if (rest.startsWith('noon')) {
    [hour, minute, rest] = [12, 0, rest.slice(4)];
  } else if (rest.startsWith('midnight')) {
    [hour, minute, rest] = [0, 0, rest.slice(8)];
  } else if (rest.startsWith('teatime')) {
    [hour, minute, rest] = [16, 0, rest.slice(7)];
  }
  if (hour > 23 || minute > 59) throw new TimeSyntaxError(`no such time of day in '${ref}'`);

  const today = toWallClock(now, tz);
  let { year, month, day } = today;
  if (rest === 'yesterday' || rest === 'today' || rest === 'tomorrow') {
    const shift = rest === 'yesterday' ? -1 : rest === 'tomorrow' ? 1 : 0;
    ({ year, month, day } = addDays(year, month, day, shift));
  } else if (rest.split('/').length === 3) {
    const [m, d, y] = rest.split('/').map((part) => toInt(part, ref));
    year = y < 1900 ? y + 1900 : y;
    if (year < 1970) year += 100;
    [month, day] = [m, d];
  } else if (rest.length === 8 && /^\d+$/.test(rest)) {
    [year, month, day] = [Number(rest.slice(0, 4)), Number(rest.slice(4, 6)), Number(rest.slice(6))];
  } else if (MONTHS.includes(rest.slice(0, 3))) {
    month = MONTHS.indexOf(rest.slice(0, 3)) + 1;
    const digits = /\d{1,2}$/.exec(rest);
    if (!digits) throw new TimeSyntaxError('day of month required after month name');
    day = Number(digits[0]);
  } else if (WEEKDAYS.includes(rest.slice(0, 3))) {
    let back = today.weekday - WEEKDAYS.indexOf(rest.slice(0, 3));
    if (back < 0) back += 7;
    ({ year, month, day } = addDays(year, month, day, -back));
  } else if (rest !== '') {
    throw new TimeSyntaxError(`unknown day reference '${ref}'`);
  }
  if (!isValidDate(year, month, day)) throw new TimeSyntaxError(`no such date in '${ref}'`);
  return fromWallClock({ year, month, day, hour, minute, second: 0 }, tz);
}

const UNIT_SECONDS: ReadonlyArray<readonly [prefix: string, seconds: number]> = [
  ['s', 1],
  ['min', 60],
  ['h', 3600],
  ['d', DAY_SECONDS],
  ['w', 7 * DAY_SECONDS],
  ['mon', 30 * DAY_SECONDS],
  ['y', 365 * DAY_SECONDS],
];

/** `-1h30min` -> -5400; units match by prefix (`hours`, `days`, `months`), as graphite-web does. */
function parseTimeOffset(offset: string): number {
  if (offset === '') return 0;
  let sign = 1;
  let rest = offset;
  if (rest[0] === '+' || rest[0] === '-') {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  let total = 0;
  while (rest !== '') {
    const match = /^(\d*)([a-z]*)/.exec(rest)!;
    const [whole, digits, unit] = match;
    if (digits === '') throw new TimeSyntaxError(`expected a number in offset '${offset}'`);
    const entry = UNIT_SECONDS.find(([prefix]) => unit.startsWith(prefix));
    if (!entry) {
      throw new TimeSyntaxError(`invalid offset unit '${unit}' (use s, min, h, d, w, mon or y)`);
    }
    total += Number(digits) * entry[1];
    rest = rest.slice(whole.length);
  }
  return sign * total;
}

function toInt(text: string, ref: string): number {
  if (!/^\d+$/.test(text)) throw new TimeSyntaxError(`expected a number, got '${text}' in '${ref}'`);
  return Number(text);
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1 || year < 1 || year > 9999) return false;
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

function addDays(year: number, month: number, day: number, days: number) {
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClockFormatter(tz: string): Intl.DateTimeFormat {
  let formatter = formatters.get(tz);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, formatter);
  }
  return formatter;
}

function toWallClock(epochSeconds: number, tz: string): WallClock & { weekday: number } {
  const seconds = Math.floor(epochSeconds);
  if (tz === 'UTC') {
    const d = new Date(seconds * 1000);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      weekday: d.getUTCDay(),
    };
  }
  const fields: Record<string, number> = {};
  for (const part of wallClockFormatter(tz).formatToParts(seconds * 1000)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const { year, month, day, hour, minute, second } = fields;
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return { year, month, day, hour, minute, second, weekday };
}

/** Unix seconds of a wall-clock time in `tz` (two passes settle the zone offset around DST changes). */
function fromWallClock(w: WallClock, tz: string): number {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) / 1000;
  if (tz === 'UTC') return asUtc;
  const offset1 = zoneOffset(asUtc, tz);
  const guess = asUtc - offset1;
  const offset2 = zoneOffset(guess, tz);
  return offset2 === offset1 ? guess : asUtc - offset2;
}

function zoneOffset(epochSeconds: number, tz: string): number {
  const w = toWallClock(epochSeconds, tz);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) / 1000 - Math.floor(epochSeconds);
}
