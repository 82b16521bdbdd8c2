/**
 * A retention or aggregation rule's pattern as a test of a series name. Most patterns are a
 * literal with at most an anchor at each end (`.*`, `^stats\.gauges\.`, `\.count$`), and each is
 * then a string compare: every new series runs every rule until one matches (the embedded
 * storage-aggregation.conf has seven), and a burst of new series spent as long in those regex
 * calls as in building the series' metric tree path. Anything else runs the RegExp itself.
 *
 * The same analysis serves a plain name's bytes (first-match.ts), for the store's new series that
 * arrive as bytes (NameBlock).
 */

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
export interface AnchoredLiteral {
  literal: string;
  start: boolean;
  end: boolean;
}

export function anchoredLiteral(pattern: RegExp): AnchoredLiteral | null {
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

/**
 * A literal every match of the regex contains, or '': the literal it begins with (after a `^`),
 * when it has no alternation, less a last character a quantifier makes optional or repeats.
 */
export function requiredLiteral(pattern: RegExp): string {
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
export function asciiBytes(text: string): Uint8Array | null {
  if (text === '' || !/^[\x00-\x7f]*$/.test(text)) return null;
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
