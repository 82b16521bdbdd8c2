/**
 * Random storage-schemas / storage-aggregation patterns and names for the rule matchers' fuzz tests
 * (pattern-test, first-match): anchors, escapes, classes, groups, alternation and quantifiers, and
 * short names over the characters those patterns care about.
 */
import { seededUint32 } from './seeded-random.js';

const ATOMS = ['a', 'b', 'abc', 'A', '.', '\\.', 'ab\\.c', '_', '-', '~', '\\\\', '\\$', '$', '^', '\\^', '\\(', '\\|', '\\?', '\\*', '[ab]', '[^a]', '\\d', '\\w', '\\s', '(a|b)', '(?:ab)', '1', '\\-', '\\/', '{', '}', '\\{', '"', '\\b', '(?=a)', '(?!b)', 'é'];
const QUANTIFIERS = ['', '', '', '?', '*', '+', '{2}', '{0}', '{1,2}', '??', '*?'];
const NAME_CHARS = [...'abcA._-~x1/{}="B0\\$^(|?*'];

export interface RandomRules {
  /** The source of a pattern of 1 to `maxAtoms` atoms (not always a valid regex). */
  patternSource(maxAtoms: number): string;
  /** A name of 0 to 7 characters. */
  name(): string;
  /** A number in [0, 2^32) from the same seeded sequence. */
  next(): number;
}

export function randomRules(seed: number): RandomRules {
  const next = seededUint32(seed);
  const pick = <T>(items: readonly T[]): T => items[next() % items.length];
  return {
    patternSource(maxAtoms) {
      let source = next() % 3 === 0 ? '^' : '';
      for (let i = next() % maxAtoms; i >= 0; i--) source += pick(ATOMS) + pick(QUANTIFIERS);
      if (next() % 5 === 0) source += `|${pick(ATOMS)}`;
      if (next() % 3 === 0) source += '$';
      return source;
    },
    name() {
      let name = '';
      for (let i = next() % 8; i > 0; i--) name += pick(NAME_CHARS);
      return name;
    },
    next,
  };
}
