/**
 * A retention or aggregation rule's pattern as a test of a series name. Most patterns are a
 * literal with at most an anchor at each end (`.*`, `^stats\.gauges\.`, `\.count$`), and each is
 * then a string compare: every new series runs every rule until one matches (the embedded
 * storage-aggregation.conf has seven), and a burst of new series spent as long in those regex
 * calls as in building the series' metric tree path. Anything else runs the RegExp itself.
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

export function patternTest(pattern: RegExp): (name: string) => boolean {
  if (pattern.flags === '') {
    let source = pattern.source;
    // `.*` (or `^.*`) finds an empty match in any name.
    if (source === '.*' || source === '^.*' || source === '(?:)') return () => true;
    const start = source.startsWith('^');
    if (start) source = source.slice(1);
    // A trailing `$` that is not an escaped `\$`.
    const end = source.endsWith('$') && !/(^|[^\\])(\\\\)*\\\$$/.test(source);
    if (end) source = source.slice(0, -1);
    const literal = literalOf(source);
    if (literal !== null) {
      if (start && end) return (name) => name === literal;
      if (start) return (name) => name.startsWith(literal);
      if (end) return (name) => name.endsWith(literal);
      return (name) => name.includes(literal);
    }
  }
  return (name) => pattern.test(name);
}
