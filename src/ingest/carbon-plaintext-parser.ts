/**
 * Graphite's plaintext protocol: `path value timestamp` lines, fields separated by runs of spaces
 * or tabs (Python's `line.strip().split()` in carbon's MetricLineReceiver). Differences from carbon,
 * all of which make a line bad instead of storing something odd: NaN and infinite values (carbon
 * drops NaN silently and stores infinities), negative timestamps other than `-1`, timestamps past
 * 2^32 - 1 (usually milliseconds sent by mistake), names longer than `maxNameLength` bytes, names
 * that are not valid UTF-8, and tagged names Graphite 1.1 would refuse (carbon stores those
 * unnormalised). A timestamp of `-1`, `N` or `n` means now; fractional timestamps are truncated.
 */
import { GraphiteTagError, normaliseSeriesName } from './graphite-tags.js';

export interface CarbonSink {
  point(name: string, value: number, timestamp: number): void;
}

/** Running totals a parser adds to; the caller owns and reports them. */
export interface CarbonParseCounters {
  /** Lines (plaintext) or entries (pickle) seen, bad ones included. */
  lines: number;
  badLines: number;
}

export interface CarbonPlaintextOptions {
  /** Longest accepted series name in bytes, before tag normalisation. Default 1024. */
  maxNameLength?: number;
  /** The current Unix time in seconds, for `-1`/`N` timestamps. Default: the system clock. */
  now?: () => number;
}

/** Largest timestamp a PointBatch (Uint32Array) can hold. */
export const MAX_TIMESTAMP = 0xffffffff;

/** Bad lines are reported with at most this many characters, as carbon logs them. */
const REPORTED_LINE_CHARS = 400;

const CR = 0x0d;
const LF = 0x0a;

/** Space, tab, LF, vertical tab, form feed, CR: what ends a field (Python's split() whitespace). */
function isFieldEnd(c: number): boolean {
  return c === 0x20 || (c <= CR && c >= 0x09);
}

/** Whitespace between fields: a field end other than the line's LF. */
function isBlank(c: number): boolean {
  return c !== LF && isFieldEnd(c);
}

/** 10^0 .. 10^22, exactly representable: the range where digits / 10^k rounds correctly. */
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Mantissas up to this many digits are exact in a double (2^53 > 10^15). */
const EXACT_MANTISSA_DIGITS = 15;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/**
 * A decimal number as Python's `float()` reads it (`1`, `-2.5`, `.5`, `5.`, `1e3`, `+7`), or NaN.
 * Short plain decimals are converted here without allocating (exact: an integer below 2^53
 * divided by an exact power of ten rounds once); anything else goes through Number().
 * `inf`, `nan` and Python's `1_000` are NaN here: callers treat them as bad input.
 */
export function parseDecimal(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  const sign = bytes[i];
  if (sign === 0x2d /* - */ || sign === 0x2b /* + */) {
    negative = sign === 0x2d;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  let sawDot = false;
  for (; i < end; i++) {
    const c = bytes[i];
    if (c >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      digits++;
      if (sawDot) fractionDigits++;
    } else if (c === 0x2e /* . */ && !sawDot) {
      sawDot = true;
    } else {
      break;
    }
  }
  if (i === end) {
    if (digits === 0) return NaN;
    if (digits <= EXACT_MANTISSA_DIGITS) {
      const magnitude = fractionDigits === 0 ? mantissa : mantissa / EXACT_POWERS_OF_TEN[fractionDigits];
      return negative ? -magnitude : magnitude;
    }
  }
  return parseDecimalSlow(bytes, start, end);
}

/** Exponents, long mantissas: Number() after checking the text is a plain decimal (no hex, no `Infinity`). */
function parseDecimalSlow(bytes: Uint8Array, start: number, end: number): number {
  let text = '';
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    const ok = (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x2b || c === 0x65 || c === 0x45;
    if (!ok) return NaN;
    text += String.fromCharCode(c);
  }
  return Number(text);
}

/** Timestamp field in whole seconds (truncated, as carbon's int()); `N`/`n` give -1, which means now. */
function parseTimestamp(bytes: Uint8Array, start: number, end: number): number {
  if (end - start === 1 && (bytes[start] === 0x4e /* N */ || bytes[start] === 0x6e /* n */)) return -1;
  return Math.trunc(parseDecimal(bytes, start, end));
}

/**
 * Raw name bytes → normalised name string, so a name seen before costs a hash and a compare
 * instead of a decode, a tag parse and a new string. Open addressing with linear probing, sized to
 * the name set (lookups are memory-bound: a small table stays in cache); at its largest it is
 * emptied when half full, a bounded cost for name sets larger than it. ASCII names only.
 */
class NameCache {
  private hashes = new Uint32Array(0);
  /** Per slot: raw name at 2*slot, normalised name at 2*slot+1 (one cache line); '' when empty. */
  private names: string[] = [];
  private mask = 0;
  private size = 0;

  constructor(
    initialSlots: number,
    private readonly maxSlots: number,
  ) {
    this.allocate(initialSlots);
  }

  /** The cached normalised name for these bytes, or undefined. */
  get(bytes: Uint8Array, start: number, end: number, hash: number): string | undefined {
    const length = end - start;
    const names = this.names;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const raw = names[2 * slot];
      if (raw === '') return undefined;
      if (this.hashes[slot] !== hash || raw.length !== length) continue;
      let i = 0;
      while (i < length && raw.charCodeAt(i) === bytes[start + i]) i++;
      if (i === length) return names[2 * slot + 1];
    }
  }

  /** Adds a name that get() just missed. */
  add(hash: number, raw: string, normalised: string): void {
    if (this.size >= (this.mask + 1) >>> 1) {
      if (this.mask + 1 < this.maxSlots) this.grow();
      else this.allocate(this.mask + 1);
    }
    this.insert(hash, raw, normalised);
  }

  private insert(hash: number, raw: string, normalised: string): void {
    let slot = hash & this.mask;
    while (this.names[2 * slot] !== '') slot = (slot + 1) & this.mask;
    this.hashes[slot] = hash;
    this.names[2 * slot] = raw;
    this.names[2 * slot + 1] = normalised;
    this.size++;
  }

  private allocate(slots: number): void {
    this.hashes = new Uint32Array(slots);
    this.names = new Array<string>(2 * slots).fill('');
    this.mask = slots - 1;
    this.size = 0;
  }

  private grow(): void {
    const { hashes, names } = this;
    this.allocate(hashes.length * 2);
    for (let slot = 0; slot < hashes.length; slot++) {
      if (names[2 * slot] !== '') this.insert(hashes[slot], names[2 * slot], names[2 * slot + 1]);
    }
  }
}

/** The name cache starts small and holds up to 64k distinct names before it starts over. */
const NAME_CACHE_INITIAL_SLOTS = 1 << 10;
const NAME_CACHE_MAX_SLOTS = 1 << 17;

export class CarbonPlaintextParser {
  private readonly maxNameLength: number;
  private readonly clock: () => number;
  private readonly onBadLine: ((line: string, reason: string) => void) | undefined;
  private readonly names = new NameCache(NAME_CACHE_INITIAL_SLOTS, NAME_CACHE_MAX_SLOTS);

  constructor(options: CarbonPlaintextOptions = {}, onBadLine?: (line: string, reason: string) => void) {
    this.maxNameLength = options.maxNameLength ?? 1024;
    this.clock = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.onBadLine = onBadLine;
  }

  /**
   * Parses the lines in `bytes[start, end)`. The range must hold complete lines; a last line
   * without its `\n` counts as complete (a UDP datagram). Bad lines are counted, reported and skipped.
   */
  parse(bytes: Uint8Array, start: number, end: number, sink: CarbonSink, counters: CarbonParseCounters): void {
    let now = -1; // read once per call, and only if a line asks for it
    let lineStart = start;
    while (lineStart < end) {
      counters.lines++;
      // Fields: [nameStart, nameEnd) [valueStart, valueEnd) [timeStart, timeEnd); one pass, the
      // name hashed on the way for the name cache. Most bytes are not separators: test > 0x20 first.
      let i = lineStart;
      while (i < end && isBlank(bytes[i])) i++;
      const nameStart = i;
      let ascii = 0; // OR of the name bytes: >= 0x80 means non-ASCII
      let hash = 0;
      for (; i < end; i++) {
        const c = bytes[i];
        if (c <= 0x20 && isFieldEnd(c)) break;
        ascii |= c;
        hash = (Math.imul(hash, 31) + c) | 0;
      }
      const nameEnd = i;
      while (i < end && isBlank(bytes[i])) i++;
      const valueStart = i;
      while (i < end && !(bytes[i] <= 0x20 && isFieldEnd(bytes[i]))) i++;
      const valueEnd = i;
      while (i < end && isBlank(bytes[i])) i++;
      const timeStart = i;
      while (i < end && !(bytes[i] <= 0x20 && isFieldEnd(bytes[i]))) i++;
      const timeEnd = i;
      while (i < end && isBlank(bytes[i])) i++;
      let lineEnd = i;
      const extraFields = i < end && bytes[i] !== LF;
      if (extraFields) {
        lineEnd = bytes.indexOf(LF, i);
        if (lineEnd === -1 || lineEnd > end) lineEnd = end;
      }

      let problem: string | null = null;
      if (nameStart === lineEnd) problem = 'empty line';
      else if (timeStart === timeEnd || extraFields) problem = 'expected 3 fields: path value timestamp';
      else if (nameEnd - nameStart > this.maxNameLength) problem = `name longer than ${this.maxNameLength} bytes`;

      let value = 0;
      let timestamp = 0;
      if (problem === null) {
        value = parseDecimal(bytes, valueStart, valueEnd);
        if (!Number.isFinite(value)) problem = 'value is not a finite number';
      }
      if (problem === null) {
        timestamp = parseTimestamp(bytes, timeStart, timeEnd);
        if (timestamp === -1) {
          if (now === -1) now = this.clock();
          timestamp = now;
        }
        if (Number.isNaN(timestamp)) problem = 'timestamp is not a number';
        else if (timestamp < 0) problem = 'negative timestamp';
        else if (timestamp > MAX_TIMESTAMP) problem = 'timestamp past 2106 (milliseconds instead of seconds?)';
      }
      let name = '';
      if (problem === null) {
        const decoded = this.name(bytes, nameStart, nameEnd, ascii < 0x80, hash >>> 0);
        if (decoded === null) problem = this.nameProblem;
        else name = decoded;
      }

      if (problem === null) sink.point(name, value, timestamp);
      else this.reject(bytes, lineStart, lineEnd, problem, counters);
      lineStart = lineEnd + 1;
    }
  }

  /** Why the last name() call returned null. */
  private nameProblem = '';

  /** The normalised name for these bytes, or null (reason in nameProblem). */
  private name(bytes: Uint8Array, start: number, end: number, ascii: boolean, hash: number): string | null {
    if (ascii) {
      const cached = this.names.get(bytes, start, end, hash);
      if (cached !== undefined) return cached;
    }
    let raw: string;
    if (ascii) {
      raw = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
    } else {
      try {
        raw = utf8.decode(bytes.subarray(start, end));
      } catch {
        this.nameProblem = 'name is not valid UTF-8';
        return null;
      }
    }
    let name: string;
    try {
      name = normaliseSeriesName(raw);
    } catch (err) {
      if (!(err instanceof GraphiteTagError)) throw err;
      this.nameProblem = err.message;
      return null;
    }
    if (ascii) this.names.add(hash, raw, name);
    return name;
  }

  private reject(bytes: Uint8Array, lineStart: number, lineEnd: number, reason: string, counters: CarbonParseCounters): void {
    counters.badLines++;
    if (this.onBadLine === undefined) return;
    let end = lineEnd;
    if (end > lineStart && bytes[end - 1] === CR) end--;
    const text = lenientUtf8.decode(bytes.subarray(lineStart, Math.min(end, lineStart + REPORTED_LINE_CHARS * 4)));
    this.onBadLine(text.length > REPORTED_LINE_CHARS ? `${text.slice(0, REPORTED_LINE_CHARS)}...` : text, reason);
  }
}
