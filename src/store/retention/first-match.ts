/**
 * A rule list's patterns as one first-match test of a plain (ASCII) name's bytes, for the store's
 * new series that arrive as bytes (NameBlock). The rules are analysed once (pattern-test.ts) into
 * a kind and a literal each, kept in typed arrays, and a name runs one loop over them: a closure
 * per rule made each new series up to seven megamorphic calls (the embedded
 * storage-aggregation.conf), a tenth of main's work per new series in a burst of them.
 *
 * A regex that is not a literal with anchors runs, on a string made for it, only when the name
 * holds a literal it needs (`.upper` for `\.upper(_\d+)?$`), so most names make none. A literal is
 * looked for by Horspool's skips: a byte-by-byte scan of the name was half the rules' time.
 */
import { latin1Slice } from '../../names/ascii-name.js';
import { anchoredLiteral, asciiBytes, requiredLiteral } from './pattern-test.js';

/** What a rule's test is; the literal is the rule's run of `text`. */
const Kind = {
  /** Every name (`.*`, and any unanchored empty literal). */
  any: 0,
  /** `^$`: the empty name. */
  empty: 1,
  exact: 2,
  prefix: 3,
  suffix: 4,
  contains: 5,
  /** A literal past ASCII, in no ASCII name. */
  never: 6,
  /** The RegExp itself, when the name contains the literal (none: always). */
  regex: 7,
} as const;

/** Rules whose bits the first and last byte tables hold; any after them are tried on every name. */
const MASKED_RULES = 31;
const ALL_MASKED = 0x7fffffff;

export class FirstMatch {
  private readonly kinds: Uint8Array;
  /** Rule r's literal is text[literalAt[r], literalAt[r + 1]). */
  private readonly literalAt: Int32Array;
  private readonly text: Uint8Array;
  /** By rule: its RegExp if its kind is regex. */
  private readonly regexes: (RegExp | null)[];
  /**
   * Horspool's table of rule r's literal, at skips[256 * r + byte]: how far a look for it moves
   * on when the byte under the literal's last one is `byte`.
   */
  private readonly skips: Int32Array;
  /**
   * By a name's first byte, and by its last: bit r set if rule r (< MASKED_RULES) may match a name
   * with that byte there. A prefix rule (`^stats\.gauges\.`) is then tried only on names that begin
   * with its first byte, a suffix rule (`\.count$`) on those that end with its last, and a new
   * carbon series (`cb.host_07.metric_000123`) tries two of the seven embedded aggregation rules.
   */
  private readonly byFirst = new Int32Array(256);
  private readonly byLast = new Int32Array(256);

  constructor(patterns: readonly RegExp[]) {
    this.kinds = new Uint8Array(patterns.length);
    this.literalAt = new Int32Array(patterns.length + 1);
    this.regexes = patterns.map(() => null);
    const literals: Uint8Array[] = [];
    patterns.forEach((pattern, r) => {
      const { kind, literal } = analyse(pattern);
      this.kinds[r] = kind;
      if (kind === Kind.regex) this.regexes[r] = pattern;
      literals.push(literal);
      this.literalAt[r + 1] = this.literalAt[r] + literal.length;
    });
    this.text = new Uint8Array(this.literalAt[patterns.length]);
    this.skips = new Int32Array(256 * patterns.length);
    literals.forEach((literal, r) => {
      this.text.set(literal, this.literalAt[r]);
      const n = literal.length;
      this.skips.fill(n, 256 * r, 256 * (r + 1));
      for (let i = 0; i < n - 1; i++) this.skips[256 * r + literal[i]] = n - 1 - i;
      if (r < MASKED_RULES) this.index(r, literal);
    });
  }

  /** Sets rule r's bits in byFirst and byLast. */
  private index(r: number, literal: Uint8Array): void {
    const kind = this.kinds[r];
    // The empty name, which `^$` alone matches, is tried against every rule without the tables.
    if (kind === Kind.never || kind === Kind.empty) return;
    const bit = 1 << r;
    const anchoredFirst = kind === Kind.prefix || kind === Kind.exact;
    const anchoredLast = kind === Kind.suffix || kind === Kind.exact;
    for (let byte = 0; byte < 256; byte++) {
      if (!anchoredFirst || byte === literal[0]) this.byFirst[byte] |= bit;
      if (!anchoredLast || byte === literal[literal.length - 1]) this.byLast[byte] |= bit;
    }
  }

  /** The index of the first pattern found in the ASCII name in bytes[start, end), or -1. */
  firstIn(bytes: Uint8Array, start: number, end: number): number {
    const count = this.kinds.length;
    let candidates = start === end ? ALL_MASKED : this.byFirst[bytes[start]] & this.byLast[bytes[end - 1]];
    // Lowest bit first: the rules in their order.
    for (; candidates !== 0; candidates &= candidates - 1) {
      const r = 31 - Math.clz32(candidates & -candidates);
      if (r >= count) break;
      if (this.matches(r, bytes, start, end)) return r;
    }
    for (let r = MASKED_RULES; r < count; r++) if (this.matches(r, bytes, start, end)) return r;
    return -1;
  }

  /** Whether rule r matches the ASCII name in bytes[start, end). */
  private matches(r: number, bytes: Uint8Array, start: number, end: number): boolean {
    const text = this.text;
    const from = this.literalAt[r];
    const n = this.literalAt[r + 1] - from;
    const length = end - start;
    switch (this.kinds[r]) {
      case Kind.any:
        return true;
      case Kind.empty:
        return length === 0;
      case Kind.exact:
        return length === n && bytesAt(bytes, start, text, from, n);
      case Kind.prefix:
        return length >= n && bytesAt(bytes, start, text, from, n);
      case Kind.suffix:
        return length >= n && bytesAt(bytes, end - n, text, from, n);
      case Kind.contains:
        return this.contains(r, bytes, start, end);
      case Kind.regex:
        return (n === 0 || this.contains(r, bytes, start, end)) && this.regexes[r]!.test(latin1Slice.call(bytes, start, end));
      default:
        return false;
    }
  }

  /** Whether rule r's literal (not empty) is in bytes[start, end). */
  private contains(r: number, bytes: Uint8Array, start: number, end: number): boolean {
    const { text, skips } = this;
    const from = this.literalAt[r];
    const n = this.literalAt[r + 1] - from;
    const lastByte = text[from + n - 1];
    const table = 256 * r;
    for (let at = start + n - 1; at < end; ) {
      const c = bytes[at];
      if (c === lastByte && bytesAt(bytes, at - n + 1, text, from, n - 1)) return true;
      at += skips[table + c];
    }
    return false;
  }
}

const NO_BYTES = new Uint8Array(0);

function analyse(pattern: RegExp): { kind: number; literal: Uint8Array } {
  const anchored = anchoredLiteral(pattern);
  if (anchored === null) return { kind: Kind.regex, literal: asciiBytes(requiredLiteral(pattern)) ?? NO_BYTES };
  const { literal, start, end } = anchored;
  if (literal === '') return { kind: start && end ? Kind.empty : Kind.any, literal: NO_BYTES };
  const bytes = asciiBytes(literal);
  if (bytes === null) return { kind: Kind.never, literal: NO_BYTES };
  const kind = start && end ? Kind.exact : start ? Kind.prefix : end ? Kind.suffix : Kind.contains;
  return { kind, literal: bytes };
}

/** Whether bytes[at, at + n) is text[from, from + n). */
function bytesAt(bytes: Uint8Array, at: number, text: Uint8Array, from: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (bytes[at + i] !== text[from + i]) return false;
  return true;
}
