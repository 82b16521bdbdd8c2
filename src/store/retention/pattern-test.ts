/**
 * A retention or aggregation rule's pattern as a test of a series name. Most patterns are a
 * literal with at most an anchor at each end (`.*`, `^stats\.gauges\.`, `\.count$`), and each is
 * then a string compare: every new series runs every rule until one matches (the embedded
 * storage-aggregation.conf has seven), and a burst of new series spent as long in those regex
 * calls as in building the series' metric tree path. Anything else runs the RegExp itself.
 *
 * The same tests run on a plain name's bytes (patternTestBytes), for the store's new series that
 * arrive as bytes (NameBlock): a regex is then run, on a string made for it, only when the name
 * holds a literal the regex needs (`.upper` for `\.upper(_\d+)?$`), so most names make none.
 */
import { latin1Slice } from '../../names/ascii-name.js';

/** Characters that are literal only when escaped. */
const SPECIAL = new Set('\\^$.|?*+()[]{}');

/** The literal text `source` stands for, or null when it has any regex syntax. */
function literalOf(source: string): string | null {
  let literal = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c !== '\\') {
      if (SPECIAL.has(c)) return null;
      literal += c;
      continue;
    }
    // Only an escaped punctuation character is itself: `\d`, `\b`, `\1`... are not literals.
    const next = source[++i];
    if (next === undefined || /[A-Za-z0-9]/.test(next)) return null;
    literal += next;
  }
  return literal;
}

/** A pattern as a literal with anchors, when it is one (`.*`: the empty literal). */
interface AnchoredLiteral {
  literal: string;
  start: boolean;
  end: boolean;
}

function anchoredLiteral(pattern: RegExp): AnchoredLiteral | null {
  if (pattern.flags !== '') return null;
  let source = pattern.source;
  // `.*` (or `^.*`) finds an empty match in any name.
  if (source === '.*' || source === '^.*' || source === '(?:)') return { literal: '', start: false, end: false };
  const start = source.startsWith('^');
  if (start) source = source.slice(1);
  // A trailing `$` that is not an escaped `\$`.
  const end = source.endsWith('$') && !/(^|[^\\])(\\\\)*\\\$$/.test(source);
  if (end) source = source.slice(0, -1);
  const literal = literalOf(source);
  return literal === null ? null : { literal, start, end };
}

export function patternTest(pattern: RegExp): (name: string) => boolean {
  const anchored = anchoredLiteral(pattern);
  if (anchored === null) return (name) => pattern.test(name);
  const { literal, start, end } = anchored;
  if (literal === '') return start && end ? (name) => name === '' : () => true;
  if (start && end) return (name) => name === literal;
  if (start) return (name) => name.startsWith(literal);
  if (end) return (name) => name.endsWith(literal);
  return (name) => name.includes(literal);
}

/** A test of a name kept as bytes: the ASCII name in bytes[start, end). */
export type BytesTest = (bytes: Uint8Array, start: number, end: number) => boolean;

/** patternTest() of a plain (ASCII) name's bytes: the same answers, no string made for a literal pattern. */
export function patternTestBytes(pattern: RegExp): BytesTest {
  const anchored = anchoredLiteral(pattern);
  if (anchored === null) {
    const needed = asciiBytes(requiredLiteral(pattern));
    return (bytes, start, end) => (needed === null || indexOfBytes(bytes, start, end, needed) >= 0) && pattern.test(latin1Slice.call(bytes, start, end));
  }
  const { literal, start: atStart, end: atEnd } = anchored;
  if (literal === '') return atStart && atEnd ? (_, start, end) => start === end : () => true;
  const text = asciiBytes(literal);
  // A literal with a character past ASCII is in no ASCII name.
  if (text === null) return () => false;
  const n = text.length;
  if (atStart && atEnd) return (bytes, start, end) => end - start === n && bytesAt(bytes, start, text);
  if (atStart) return (bytes, start, end) => end - start >= n && bytesAt(bytes, start, text);
  if (atEnd) return (bytes, start, end) => end - start >= n && bytesAt(bytes, end - n, text);
  return (bytes, start, end) => indexOfBytes(bytes, start, end, text) >= 0;
}

/**
 * A literal every match of the regex contains, or '': the literal it begins with (after a `^`),
 * when it has no alternation, less a last character a quantifier makes optional or repeats.
 */
function requiredLiteral(pattern: RegExp): string {
  let source = pattern.source;
  if (pattern.flags !== '' || source.includes('|')) return '';
  if (source.startsWith('^')) source = source.slice(1);
  let literal = '';
  let i = 0;
  for (; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined || /[A-Za-z0-9]/.test(next)) break;
      literal += next;
      i++;
    } else if (SPECIAL.has(c)) break;
    else literal += c;
  }
  if (i < source.length && '?*+{'.includes(source[i])) literal = literal.slice(0, -1);
  return literal;
}

/** The text's bytes if it is ASCII (and not empty), else null. */
function asciiBytes(text: string): Uint8Array | null {
  if (text === '' || !/^[\x00-\x7f]*$/.test(text)) return null;
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function bytesAt(bytes: Uint8Array, at: number, text: Uint8Array): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text[i]) return false;
  return true;
}

/** Where text first is in bytes[start, end), or -1: a scan for its first byte, which rarely matches. */
function indexOfBytes(bytes: Uint8Array, start: number, end: number, text: Uint8Array): number {
  const first = text[0];
  const last = end - text.length;
  for (let at = start; at <= last; at++) {
    if (bytes[at] !== first) continue;
    let i = 1;
    while (i < text.length && bytes[at + i] === text[i]) i++;
    if (i === text.length) return at;
  }
  return -1;
}
