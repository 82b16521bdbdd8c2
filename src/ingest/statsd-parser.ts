/**
 * StatsD line parser: turns datagram bytes into samples for a sink, working on the bytes so that
 * the common line (plain ASCII name, no tags, numeric value) costs no allocation at all.
 *
 * Grammar, per `\n`-separated line (a trailing `\r`, space or tab is ignored; empty lines skipped):
 *
 *   line    = name ':' part (':' part)*
 *   part    = value ('|' type ('|' section)*)?      a part without a type (DogStatsD 1.1 packing,
 *                                                   `n:1:2|ms`) takes the type of the next typed part
 *   type    = 'c' | 'ms' | 'h' | 'd' | 'g' | 's'
 *   section = '@' rate | '#' tags | 'c:' container | 'e:' external | 'T' timestamp
 *   tags    = tag (',' tag)*,  tag = key (':' value)?          (runs to the next '|', may hold ':')
 *
 * Etsy packing (`n:1|c:2|ms`) is the same grammar with every part typed. DogStatsD tags apply to
 * the whole line; container, external-data and timestamp sections are skipped.
 *
 * Names are normalised as Etsy StatsD's key sanitising does (whitespace runs -> `_`, `/` -> `-`,
 * anything else outside `[a-zA-Z0-9_.-]` dropped), then Graphite tags in the name (`n;k=v`) and
 * DogStatsD tags (`|#k:v`, `|#k` meaning `k=true`) are merged and written back sorted by key,
 * `n;k=v;k2=v2`; for a repeated key the last one wins, DogStatsD tags coming after name tags.
 * Non-ASCII whitespace is dropped rather than turned into `_` (we sanitise bytes, not characters).
 *
 * A line is accepted or rejected as a whole: if any part of a multi-value line is malformed, no
 * record of that line is emitted (Etsy StatsD would keep the parts before the bad one; all-or-
 * nothing makes a bad line's effect easy to state and to count).
 */
import { MetricKind, NAME_HASH_SEED, RecordFlags, nameHash, nameHashFinish, nameHashStep } from './statsd-record.js';

export interface StatsdSink {
  /**
   * One parsed sample. `input` is the array given to `parse`: its bytes are the caller's, so a
   * sink may keep ranges of it for as long as the caller leaves them unchanged. The set member is
   * `input[setStart, setEnd)` (empty for other kinds). The name, already normalised, is
   * `nameBytes[nameStart, nameEnd)`, and `hash` is `nameHash` of exactly those bytes: `nameBytes` is
   * `input` when the name is used as sent, else parser scratch that is only valid during the call.
   */
  record(
    kind: MetricKind,
    flags: number,
    hash: number,
    value: number,
    sampleRate: number,
    nameBytes: Uint8Array,
    nameStart: number,
    nameEnd: number,
    input: Uint8Array,
    setStart: number,
    setEnd: number,
  ): void;
}

/** Plain mutable counters owned by the caller; `lines` counts every non-empty line, good or bad. */
export interface ParseCounters {
  lines: number;
  badLines: number;
}

export interface StatsdParserOptions {
  /** Longest accepted name in bytes, after normalisation (tags included). */
  maxNameLength: number;
}

const DEFAULT_OPTIONS: StatsdParserOptions = { maxNameLength: 1024 };

/** A record's name and set member share a u16-sized record, so both have a hard ceiling. */
const MAX_NAME_LENGTH_LIMIT = 32768;
const MAX_SET_MEMBER_BYTES = 4096;
/** How much of a bad line reaches the log callback. */
const BAD_LINE_LOG_CHARS = 200;

const NEWLINE = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;
const PIPE = 0x7c;
const AT = 0x40;
const HASH = 0x23;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const COMMA = 0x2c;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;
const UNDERSCORE = 0x5f;
const DIGIT_0 = 0x30;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const LOWER_C = 0x63;
const UPPER_T = 0x54;

/** 1 for bytes a sanitised name keeps as they are: `[a-zA-Z0-9_.-]`. */
const NAME_BYTE = new Uint8Array(256);
/** 1 for the bytes JavaScript's `\s` matches in ASCII. */
const WHITESPACE_BYTE = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  const letter = (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
  const digit = b >= DIGIT_0 && b <= 0x39;
  NAME_BYTE[b] = letter || digit || b === UNDERSCORE || b === DOT || b === MINUS ? 1 : 0;
  WHITESPACE_BYTE[b] = b === SPACE || (b >= TAB && b <= CR) ? 1 : 0;
}

/** Powers of ten that doubles hold exactly (10^22 is the last). */
const EXACT_POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** A decimal mantissa of at most this many digits is an exact double (10^15 < 2^53). */
const MAX_EXACT_DIGITS = 15;

const TRUE_BYTES = new TextEncoder().encode('true');
const lineDecoder = new TextDecoder('utf-8');

/** Why a line was rejected; 0 means it was accepted. Messages are built only when logged. */
const Bad = {
  None: 0,
  NoColon: 1,
  EmptyName: 2,
  MissingType: 3,
  UnknownType: 4,
  BadValue: 5,
  BadRate: 6,
  NameTooLong: 7,
  SetMemberTooLong: 8,
  BadTag: 9,
  UnknownSection: 10,
  TwoTagSections: 11,
} as const;
type Bad = (typeof Bad)[keyof typeof Bad];

/**
 * Parses a decimal float (`[+-]? digits [. digits] [e [+-] digits]`, or `.5`) from
 * bytes[start, end); NaN for anything else, including empty input, hex, `NaN`, `Infinity` and
 * overflow. Returns exactly what Number() returns for the same text: short mantissas with small
 * exponents need one correctly rounded multiply or divide; everything else goes to Number().
 */
export function parseDecimal(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end) {
    const sign = bytes[i];
    if (sign === MINUS) {
      negative = true;
      i++;
    } else if (sign === PLUS) i++;
  }
  let mantissa = 0;
  let digits = 0;
  let exponent = 0;
  let sawDigit = false;
  let exact = true;
  for (; i < end; i++) {
    const d = bytes[i] - DIGIT_0;
    if (d < 0 || d > 9) break;
    sawDigit = true;
    if (mantissa === 0 && d === 0) continue;
    if (digits < MAX_EXACT_DIGITS) {
      mantissa = mantissa * 10 + d;
      digits++;
    } else if (d === 0) exponent++;
    else exact = false;
  }
  if (i < end && bytes[i] === DOT) {
    for (i++; i < end; i++) {
      const d = bytes[i] - DIGIT_0;
      if (d < 0 || d > 9) break;
      sawDigit = true;
      if (mantissa === 0 && d === 0) exponent--;
      else if (digits < MAX_EXACT_DIGITS) {
        mantissa = mantissa * 10 + d;
        digits++;
        exponent--;
      } else if (d !== 0) exact = false;
    }
  }
  if (!sawDigit) return NaN;
  if (i < end && (bytes[i] === LOWER_E || bytes[i] === UPPER_E)) {
    i++;
    let expNegative = false;
    if (i < end && (bytes[i] === MINUS || bytes[i] === PLUS)) expNegative = bytes[i++] === MINUS;
    let expDigits = 0;
    let written = 0;
    for (; i < end; i++) {
      const d = bytes[i] - DIGIT_0;
      if (d < 0 || d > 9) break;
      if (written < 100000) written = written * 10 + d;
      expDigits++;
    }
    if (expDigits === 0) return NaN;
    exponent += expNegative ? -written : written;
  }
  if (i !== end) return NaN;
  if (mantissa === 0) return negative ? -0 : 0;
  if (exact && exponent >= -22 && exponent <= 22) {
    const magnitude = exponent >= 0 ? mantissa * EXACT_POW10[exponent] : mantissa / EXACT_POW10[-exponent];
    return negative ? -magnitude : magnitude;
  }
  return parseDecimalSlow(bytes, start, end);
}

/** Long mantissas and large exponents: the grammar is already checked, so Number() is exact. */
function parseDecimalSlow(bytes: Uint8Array, start: number, end: number): number {
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]);
  const value = Number(text);
  return Number.isFinite(value) ? value : NaN;
}

/** Bytes of a one- or two-letter type to its kind, or -1. */
function kindOfType(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length === 1) {
    switch (bytes[start]) {
      case 0x63: // c
        return MetricKind.Counter;
      case 0x67: // g
        return MetricKind.Gauge;
      case 0x73: // s
        return MetricKind.Set;
      case 0x68: // h
      case 0x64: // d
        return MetricKind.Timer;
    }
    return -1;
  }
  if (length === 2 && bytes[start] === 0x6d && bytes[start + 1] === 0x73) return MetricKind.Timer; // ms
  return -1;
}

/**
 * Writes the Etsy-sanitised form of src[start, end) into dst at `at` (dst must have room for
 * end - start bytes) and returns the new end. Semicolons and equals signs are dropped too: the
 * caller handles them as tag structure before sanitising the pieces.
 */
function sanitizeInto(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): number {
  let inWhitespace = false;
  for (let i = start; i < end; i++) {
    const b = src[i];
    if (WHITESPACE_BYTE[b] === 1) {
      if (!inWhitespace) dst[at++] = UNDERSCORE;
      inWhitespace = true;
      continue;
    }
    inWhitespace = false;
    if (NAME_BYTE[b] === 1) dst[at++] = b;
    else if (b === SLASH) dst[at++] = MINUS;
  }
  return at;
}

function indexOfByte(bytes: Uint8Array, byte: number, start: number, end: number): number {
  for (let i = start; i < end; i++) if (bytes[i] === byte) return i;
  return -1;
}

function growInt32(array: Int32Array<ArrayBuffer>, minLength: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(Math.max(minLength, array.length * 2));
  grown.set(array);
  return grown;
}

export class StatsdParser {
  private readonly maxNameLength: number;
  private readonly onBadLine: ((line: string, reason: string) => void) | undefined;

  // Per-line scratch for the parts of a multi-value line, filled before anything is emitted.
  private partCapacity = 16;
  private valueStart = new Int32Array(this.partCapacity);
  private valueEnd = new Int32Array(this.partCapacity);
  private kinds = new Uint8Array(this.partCapacity);
  private flags = new Uint8Array(this.partCapacity);
  private values = new Float64Array(this.partCapacity);
  private rates = new Float64Array(this.partCapacity);

  // Slow-path scratch: the normalised name, and sanitised tag keys/values before sorting.
  private nameBuffer = new Uint8Array(2048);
  private tagBytes = new Uint8Array(2048);
  private tagKeyStart = new Int32Array(16);
  private tagKeyEnd = new Int32Array(16);
  private tagValueStart = new Int32Array(16);
  private tagValueEnd = new Int32Array(16);
  private tagOrder = new Int32Array(16);
  private tagCount = 0;
  private tagBytesUsed = 0;
  private normalisedLength = 0;

  /** The array last parsed, and a view of it for reading the name a word at a time. */
  private viewBytes: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.viewBytes.buffer);

  /** The bytes a rejection refers to (unknown type, bad tag, ...), for its message. */
  private badDetailStart = 0;
  private badDetailEnd = 0;

  constructor(options: Partial<StatsdParserOptions> = {}, onBadLine?: (line: string, reason: string) => void) {
    const maxNameLength = options.maxNameLength ?? DEFAULT_OPTIONS.maxNameLength;
    if (!Number.isInteger(maxNameLength) || maxNameLength < 1 || maxNameLength > MAX_NAME_LENGTH_LIMIT) {
      throw new RangeError(`maxNameLength must be an integer from 1 to ${MAX_NAME_LENGTH_LIMIT}, got ${maxNameLength}`);
    }
    this.maxNameLength = maxNameLength;
    this.onBadLine = onBadLine;
  }

  /** Parses every `\n`-separated line of bytes[start, end) into `sink`, counting into `counters`. */
  parse(bytes: Uint8Array, start: number, end: number, sink: StatsdSink, counters: ParseCounters): void {
    const view = this.viewOf(bytes);
    let lineStart = start;
    while (lineStart < end) {
      // Name first: hash it (nameHash's steps) while looking for the ':' or the line's end, and
      // note whether it can be used as it is. Four name bytes at a time while they last; the word
      // holding the ':' (or a newline) ends that. The search for the newline then covers only the
      // few bytes after the ':', not the whole line.
      let hash = NAME_HASH_SEED;
      let p = lineStart;
      for (; p + 4 <= end; p += 4) {
        const word = view.getInt32(p, true);
        const named = NAME_BYTE[word & 0xff] & NAME_BYTE[(word >>> 8) & 0xff] & NAME_BYTE[(word >>> 16) & 0xff] & NAME_BYTE[word >>> 24];
        if (named === 0) break;
        hash = nameHashStep(hash, word);
      }
      let plainName = true;
      for (; p < end; p++) {
        const b = bytes[p];
        if (NAME_BYTE[b] === 0) {
          if (b === COLON || b === NEWLINE) break;
          plainName = false;
        }
        hash = nameHashStep(hash, b); // only used when the name is plain: then these are its last 0-3 bytes
      }
      const colon = p < end && bytes[p] === COLON ? p : -1;
      let newline = p;
      while (newline < end && bytes[newline] !== NEWLINE) newline++;
      let lineEnd = newline;
      while (lineEnd > lineStart) {
        const last = bytes[lineEnd - 1];
        if (last !== CR && last !== SPACE && last !== TAB) break;
        lineEnd--;
      }
      if (lineEnd > lineStart) {
        counters.lines++;
        // A ':' is never trailing whitespace, so a line that has one keeps it after trimming.
        const bad =
          colon < 0
            ? Bad.NoColon
            : colon === lineStart
              ? Bad.EmptyName
              : this.parseLine(bytes, lineStart, lineEnd, colon, plainName ? nameHashFinish(hash, colon - lineStart) : -1, sink);
        if (bad !== Bad.None) {
          counters.badLines++;
          if (this.onBadLine !== undefined) this.reportBadLine(bytes, lineStart, lineEnd, bad);
        }
      }
      lineStart = newline + 1;
    }
  }

  /**
   * One non-empty line whose name ends at `nameEnd` (its ':'); `plainHash` is the name's nameHash
   * when it is plain (used as sent), else -1. Emits its records and returns Bad.None, or emits
   * nothing and says why.
   */
  private parseLine(bytes: Uint8Array, start: number, end: number, nameEnd: number, plainHash: number, sink: StatsdSink): Bad {
    let p = nameEnd;
    // Parts: value ranges first; kinds, values and rates once a part's type is known.
    let parts = 0;
    let untypedFrom = 0;
    let tagsStart = -1;
    let tagsEnd = -1;
    p++;
    for (;;) {
      const valueStart = p;
      while (p < end) {
        const b = bytes[p];
        if (b === PIPE || b === COLON) break;
        p++;
      }
      if (parts === this.partCapacity) this.growParts();
      this.valueStart[parts] = valueStart;
      this.valueEnd[parts] = p;
      parts++;
      if (p === end) return Bad.MissingType;
      if (bytes[p] === COLON) {
        p++;
        continue;
      }

      const typeStart = ++p;
      while (p < end) {
        const b = bytes[p];
        if (b === PIPE || b === COLON) break;
        p++;
      }
      const kind = kindOfType(bytes, typeStart, p);
      if (kind < 0) return this.badDetail(Bad.UnknownType, typeStart, p);

      let rate = 1;
      while (p < end && bytes[p] === PIPE) {
        const sectionStart = ++p;
        if (p === end) break;
        const first = bytes[p];
        if (first === AT) {
          while (p < end && bytes[p] !== PIPE && bytes[p] !== COLON) p++;
          rate = parseDecimal(bytes, sectionStart + 1, p);
          if (!(rate > 0 && rate <= 1)) return this.badDetail(Bad.BadRate, sectionStart, p);
        } else if (first === HASH) {
          if (tagsStart >= 0) return Bad.TwoTagSections;
          while (p < end && bytes[p] !== PIPE) p++;
          tagsStart = sectionStart + 1;
          tagsEnd = p;
        } else if (
          first === UPPER_T ||
          ((first === LOWER_C || first === LOWER_E) && p + 1 < end && bytes[p + 1] === COLON)
        ) {
          while (p < end && bytes[p] !== PIPE) p++;
        } else if (first !== PIPE) {
          while (p < end && bytes[p] !== PIPE && bytes[p] !== COLON) p++;
          return this.badDetail(Bad.UnknownSection, sectionStart, p);
        }
      }

      const bad = this.typeParts(bytes, untypedFrom, parts, kind, rate);
      if (bad !== Bad.None) return bad;
      untypedFrom = parts;
      if (p === end) break;
      p++; // the ':' before the next part
    }

    // Name: the bytes as sent when nothing needs changing, else a normalised copy.
    let nameBytes = bytes;
    let nameStart = start;
    let nameStop = nameEnd;
    let hash = plainHash;
    if (plainHash >= 0 && tagsStart < 0) {
      if (nameEnd - start > this.maxNameLength) return Bad.NameTooLong;
    } else {
      const bad = this.normaliseName(bytes, start, nameEnd, tagsStart, tagsEnd);
      if (bad !== Bad.None) return bad;
      nameBytes = this.nameBuffer;
      nameStart = 0;
      nameStop = this.normalisedLength;
      if (nameStop > this.maxNameLength) return Bad.NameTooLong;
      hash = nameHash(nameBytes, 0, nameStop);
    }

    for (let k = 0; k < parts; k++) {
      const kind = this.kinds[k] as MetricKind;
      if (kind === MetricKind.Set) {
        sink.record(kind, RecordFlags.None, hash, 0, 1, nameBytes, nameStart, nameStop, bytes, this.valueStart[k], this.valueEnd[k]);
      } else {
        sink.record(kind, this.flags[k], hash, this.values[k], this.rates[k], nameBytes, nameStart, nameStop, bytes, 0, 0);
      }
    }
    return Bad.None;
  }

  /** Gives parts [from, to) their kind and rate, and checks and converts their values. */
  private typeParts(bytes: Uint8Array, from: number, to: number, kind: number, rate: number): Bad {
    for (let k = from; k < to; k++) {
      const valueStart = this.valueStart[k];
      const valueEnd = this.valueEnd[k];
      this.kinds[k] = kind;
      if (kind === MetricKind.Set) {
        if (valueEnd === valueStart) return Bad.BadValue;
        if (valueEnd - valueStart > MAX_SET_MEMBER_BYTES) return Bad.SetMemberTooLong;
        continue;
      }
      const value = parseDecimal(bytes, valueStart, valueEnd);
      if (value !== value) return this.badDetail(Bad.BadValue, valueStart, valueEnd);
      this.values[k] = value;
      if (kind === MetricKind.Gauge) {
        const sign = bytes[valueStart];
        this.flags[k] = sign === PLUS || sign === MINUS ? RecordFlags.GaugeDelta : RecordFlags.None;
        this.rates[k] = 1; // a sample rate means nothing for a gauge
      } else {
        this.flags[k] = RecordFlags.None;
        this.rates[k] = rate;
      }
    }
    return Bad.None;
  }

  /**
   * Slow path: writes `base;k=v;...` (sanitised, tags sorted, last duplicate wins) into
   * nameBuffer and sets normalisedLength.
   */
  private normaliseName(bytes: Uint8Array, start: number, end: number, tagsStart: number, tagsEnd: number): Bad {
    const rawLength = end - start + (tagsStart >= 0 ? tagsEnd - tagsStart : 0);
    // A one-byte DogStatsD tag `k` grows to `;k=true`: 7x is the worst case.
    const bound = 7 * rawLength + 16;
    if (this.nameBuffer.length < bound) this.nameBuffer = new Uint8Array(bound);
    if (this.tagBytes.length < bound) this.tagBytes = new Uint8Array(bound);
    this.tagCount = 0;
    this.tagBytesUsed = 0;

    let baseEnd = indexOfByte(bytes, SEMICOLON, start, end);
    if (baseEnd < 0) baseEnd = end;
    const baseLength = sanitizeInto(bytes, start, baseEnd, this.nameBuffer, 0);
    if (baseLength === 0) return Bad.EmptyName;

    // Graphite tags: `;k=v` segments, the value required; empty segments (`;;`) are skipped.
    for (let segment = baseEnd + 1; segment < end; ) {
      let segmentEnd = indexOfByte(bytes, SEMICOLON, segment, end);
      if (segmentEnd < 0) segmentEnd = end;
      if (segmentEnd > segment) {
        const equals = indexOfByte(bytes, EQUALS, segment, segmentEnd);
        if (equals < 0 || equals + 1 === segmentEnd || !this.addTag(bytes, segment, equals, equals + 1, segmentEnd)) {
          return this.badDetail(Bad.BadTag, segment, segmentEnd);
        }
      }
      segment = segmentEnd + 1;
    }

    // DogStatsD tags: `k:v` or bare `k` (= true), comma-separated; empty entries are skipped.
    if (tagsStart >= 0) {
      for (let entry = tagsStart; entry < tagsEnd; ) {
        let entryEnd = indexOfByte(bytes, COMMA, entry, tagsEnd);
        if (entryEnd < 0) entryEnd = tagsEnd;
        if (entryEnd > entry) {
          const colon = indexOfByte(bytes, COLON, entry, entryEnd);
          const keyEnd = colon < 0 ? entryEnd : colon;
          const valueStart = colon < 0 ? entryEnd : colon + 1;
          if (!this.addTag(bytes, entry, keyEnd, valueStart, entryEnd)) {
            return this.badDetail(Bad.BadTag, entry, entryEnd);
          }
        }
        entry = entryEnd + 1;
      }
    }

    this.normalisedLength = this.writeSortedTags(baseLength);
    return Bad.None;
  }

  /**
   * Sanitises one tag into tagBytes. An empty value stands for `true` (DogStatsD `|#k`); false if
   * the key, or a non-empty value, sanitises to nothing.
   */
  private addTag(bytes: Uint8Array, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number): boolean {
    const n = this.tagCount;
    if (n === this.tagKeyStart.length) this.growTags();
    const tags = this.tagBytes;
    const keyAt = this.tagBytesUsed;
    const keyStop = sanitizeInto(bytes, keyStart, keyEnd, tags, keyAt);
    if (keyStop === keyAt) return false;
    let valueStop: number;
    if (valueEnd === valueStart) {
      tags.set(TRUE_BYTES, keyStop);
      valueStop = keyStop + TRUE_BYTES.length;
    } else {
      valueStop = sanitizeInto(bytes, valueStart, valueEnd, tags, keyStop);
      if (valueStop === keyStop) return false;
    }
    this.tagKeyStart[n] = keyAt;
    this.tagKeyEnd[n] = keyStop;
    this.tagValueStart[n] = keyStop;
    this.tagValueEnd[n] = valueStop;
    this.tagBytesUsed = valueStop;
    this.tagCount = n + 1;
    return true;
  }

  /** Appends `;k=v` for each distinct key in key order (last duplicate wins); returns the length. */
  private writeSortedTags(at: number): number {
    const n = this.tagCount;
    const order = this.tagOrder;
    // Insertion sort: few tags, and it is stable, so equal keys stay in arrival order.
    for (let i = 0; i < n; i++) {
      let j = i;
      while (j > 0 && this.compareKeys(order[j - 1], i) > 0) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = i;
    }
    const out = this.nameBuffer;
    const tags = this.tagBytes;
    for (let i = 0; i < n; i++) {
      const tag = order[i];
      if (i + 1 < n && this.compareKeys(tag, order[i + 1]) === 0) continue;
      out[at++] = SEMICOLON;
      for (let b = this.tagKeyStart[tag], e = this.tagKeyEnd[tag]; b < e; b++) out[at++] = tags[b];
      out[at++] = EQUALS;
      for (let b = this.tagValueStart[tag], e = this.tagValueEnd[tag]; b < e; b++) out[at++] = tags[b];
    }
    return at;
  }

  private compareKeys(a: number, b: number): number {
    const tags = this.tagBytes;
    const aStart = this.tagKeyStart[a];
    const bStart = this.tagKeyStart[b];
    const aLength = this.tagKeyEnd[a] - aStart;
    const bLength = this.tagKeyEnd[b] - bStart;
    const common = Math.min(aLength, bLength);
    for (let i = 0; i < common; i++) {
      const diff = tags[aStart + i] - tags[bStart + i];
      if (diff !== 0) return diff;
    }
    return aLength - bLength;
  }

  /** A DataView of `bytes`, kept while the caller keeps parsing the same array (a receiver's drain buffer). */
  private viewOf(bytes: Uint8Array): DataView {
    if (bytes !== this.viewBytes) {
      this.viewBytes = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.view;
  }

  private badDetail(bad: Bad, start: number, end: number): Bad {
    this.badDetailStart = start;
    this.badDetailEnd = end;
    return bad;
  }

  private reportBadLine(bytes: Uint8Array, start: number, end: number, bad: Bad): void {
    const truncated = end - start > BAD_LINE_LOG_CHARS;
    const line = lineDecoder.decode(bytes.subarray(start, truncated ? start + BAD_LINE_LOG_CHARS : end));
    this.onBadLine!(truncated ? `${line}...` : line, this.reasonText(bytes, bad));
  }

  private reasonText(bytes: Uint8Array, bad: Bad): string {
    const detail = (): string =>
      lineDecoder.decode(bytes.subarray(this.badDetailStart, Math.min(this.badDetailEnd, this.badDetailStart + 40)));
    switch (bad) {
      case Bad.NoColon:
        return "no ':' after the name";
      case Bad.EmptyName:
        return 'empty name';
      case Bad.MissingType:
        return "missing '|type'";
      case Bad.UnknownType:
        return `unknown type '${detail()}'`;
      case Bad.BadValue:
        return 'bad value';
      case Bad.BadRate:
        return 'sample rate must be in (0, 1]';
      case Bad.NameTooLong:
        return `name too long (max ${this.maxNameLength} bytes)`;
      case Bad.SetMemberTooLong:
        return `set member too long (max ${MAX_SET_MEMBER_BYTES} bytes)`;
      case Bad.BadTag:
        return `bad tag '${detail()}'`;
      case Bad.UnknownSection:
        return `unknown section '${detail()}'`;
      case Bad.TwoTagSections:
        return 'more than one tag section';
      default:
        return 'malformed';
    }
  }

  private growParts(): void {
    const capacity = this.partCapacity * 2;
    this.valueStart = growInt32(this.valueStart, capacity);
    this.valueEnd = growInt32(this.valueEnd, capacity);
    const kinds = new Uint8Array(capacity);
    kinds.set(this.kinds);
    this.kinds = kinds;
    const flags = new Uint8Array(capacity);
    flags.set(this.flags);
    this.flags = flags;
    const values = new Float64Array(capacity);
    values.set(this.values);
    this.values = values;
    const rates = new Float64Array(capacity);
    rates.set(this.rates);
    this.rates = rates;
    this.partCapacity = capacity;
  }

  private growTags(): void {
    const capacity = this.tagKeyStart.length * 2;
    this.tagKeyStart = growInt32(this.tagKeyStart, capacity);
    this.tagKeyEnd = growInt32(this.tagKeyEnd, capacity);
    this.tagValueStart = growInt32(this.tagValueStart, capacity);
    this.tagValueEnd = growInt32(this.tagValueEnd, capacity);
    this.tagOrder = new Int32Array(capacity);
  }
}
