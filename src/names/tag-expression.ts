/**
 * graphite-web's tag expressions, as `seriesByTag(...)`, `/tags/findSeries` and the tag
 * auto-completion take them (graphite-web tags/base.py and localdatabase.py):
 *
 *   tag=spec    the tag's value is exactly spec
 *   tag!=spec   the tag's value is not spec
 *   tag=~re     the value matches the regular expression, anchored at the start (`^(re)`)
 *   tag!=~re    the value does not match it
 *
 * A series without the tag has the empty value, so an expression that the empty value satisfies
 * (`dc=`, `dc!=~.+`) also selects series that lack the tag. At least one expression must not be
 * satisfied by the empty value, or the query would select every series. `name` is the path.
 */
import { NamePatternError } from './name-pattern-error.js';

export const TAG_OPERATORS = ['=', '!=', '=~', '!=~'] as const;
export type TagOperator = (typeof TAG_OPERATORS)[number];

export interface TagExpression {
  tag: string;
  operator: TagOperator;
  /** The text after the operator: a value, or a regular expression for `=~` and `!=~`. */
  spec: string;
  /** Whether a value satisfies the expression; a missing tag is the value ''. */
  test(value: string): boolean;
  /** The empty value (a series without the tag) satisfies the expression. */
  matchesEmpty: boolean;
}

/** graphite-web's tagspec pattern: a tag without `;!=`, an operator, a value without `;`. */
const TAGSPEC = /^([^;!=]+)(!?=~?)([^;]*)$/;

/** Parses one `tag<op>spec` expression; throws NamePatternError naming a bad one. */
export function parseTagExpression(text: string): TagExpression {
  const m = TAGSPEC.exec(text);
  if (m === null) throw new NamePatternError(`invalid tag expression '${text}': expected tag=value, tag!=value, tag=~regex or tag!=~regex`);
  const [, tag, operator, spec] = m as unknown as [string, string, TagOperator, string];
  let test: (value: string) => boolean;
  switch (operator) {
    case '=':
      test = (value) => value === spec;
      break;
    case '!=':
      test = (value) => value !== spec;
      break;
    case '=~': {
      const regex = compileTagRegex(spec, text);
      test = (value) => regex.test(value);
      break;
    }
    case '!=~': {
      const regex = compileTagRegex(spec, text);
      test = (value) => !regex.test(value);
      break;
    }
  }
  return { tag, operator, spec, test, matchesEmpty: test('') };
}

/**
 * Parses a seriesByTag query. Throws NamePatternError when there is no expression, or when every
 * expression is satisfied by the empty value (graphite-web refuses such a query too).
 */
export function parseSeriesByTag(expressions: readonly string[]): TagExpression[] {
  if (expressions.length === 0) throw new NamePatternError('no tag expressions specified');
  const parsed = expressions.map(parseTagExpression);
  if (parsed.every((e) => e.matchesEmpty)) {
    throw new NamePatternError(
      `at least one tag expression must not match the empty value (series without the tag): ${expressions.join(', ')}`,
    );
  }
  return parsed;
}

/** The tag an expression is about, as graphite-web's parse_tagspec sees it (for auto-completion). */
export function expressionTag(text: string): string {
  return parseTagExpression(text).tag;
}

/**
 * A Python regular expression as graphite-web applies it to tag values: anchored at the start
 * (`^(re)` unless it starts with `^`), case-sensitive, not anchored at the end. Python-only syntax
 * that JavaScript spells differently (`(?P<n>`, `(?P=n)`, a leading `(?i)`) is translated.
 */
export function compileTagRegex(spec: string, expression = spec): RegExp {
  let source = spec;
  let flags = '';
  const inlineFlags = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inlineFlags) {
    source = source.slice(inlineFlags[0].length);
    for (const f of inlineFlags[1]) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
  }
  source = source.replaceAll('(?P<', '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>').replaceAll('\\Z', '$');
  if (!source.startsWith('^')) source = `^(?:${source})`;
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw new NamePatternError(`invalid regular expression in tag expression '${expression}': ${(error as Error).message}`);
  }
}

/**
 * The tags of a normalised series name as graphite-web's TaggedSeries has them: each `;tag=value`
 * plus `name`, the path without leading `~`.
 */
export function tagsOfSeriesName(name: string): Map<string, string> {
  const tags = new Map<string, string>();
  const segments = name.split(';');
  const path = segments[0];
  const stripped = path.replace(/^~+/, '');
  tags.set('name', stripped === '' ? path : stripped);
  for (let i = 1; i < segments.length; i++) {
    const eq = segments[i].indexOf('=');
    if (eq > 0) tags.set(segments[i].slice(0, eq), segments[i].slice(eq + 1));
  }
  return tags;
}

/**
 * One tag's value in a normalised series name, or '' when the series does not have it; reads the
 * name in place (the filter step of a tag query runs this for every candidate series).
 */
export function tagValueOf(name: string, tag: string): string {
  const firstSemicolon = name.indexOf(';');
  if (tag === 'name') {
    const path = firstSemicolon < 0 ? name : name.slice(0, firstSemicolon);
    let start = 0;
    while (path.charCodeAt(start) === 0x7e /* ~ */) start++;
    return start === path.length ? path : path.slice(start);
  }
  if (firstSemicolon < 0) return '';
  const needle = `;${tag}=`;
  const at = name.indexOf(needle, firstSemicolon);
  if (at < 0) return '';
  const valueStart = at + needle.length;
  const end = name.indexOf(';', valueStart);
  return end < 0 ? name.slice(valueStart) : name.slice(valueStart, end);
}
