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
    });
  }

  /** The index of the first pattern found in the ASCII name in bytes[start, end), or -1. */
  firstIn(bytes: Uint8Array, start: number, end: number): number {
    const { kinds, literalAt, text } = this;
    const length = end - start;
    for (let r = 0; r < kinds.length; r++) {
      const from = literalAt[r];
      const n = literalAt[r + 1] - from;
      switch (kinds[r]) {
        case Kind.any:
          return r;
        case Kind.empty:
          if (length === 0) return r;
          break;
        case Kind.exact:
          if (length === n && bytesAt(bytes, start, text, from, n)) return r;
          break;
        case Kind.prefix:
          if (length >= n && bytesAt(bytes, start, text, from, n)) return r;
          break;
        case Kind.suffix:
          if (length >= n && bytesAt(bytes, end - n, text, from, n)) return r;
          break;
        case Kind.contains:
          if (this.contains(r, bytes, start, end)) return r;
          break;
        case Kind.regex:
          if ((n === 0 || this.contains(r, bytes, start, end)) && this.regexes[r]!.test(latin1Slice.call(bytes, start, end))) return r;
          break;
      }
    }
    return -1;
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
