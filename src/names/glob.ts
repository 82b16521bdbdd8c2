import { NamePatternError } from './name-pattern-error.js';

/** Tests a series name against a compiled Graphite path pattern. */
export type NameMatcher = (name: string) => boolean;

const GLOB_CHARS = /[*?[{]/;

/** True when a path holds Graphite wildcards; plain paths are looked up by exact name instead. */
export function hasGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/**
 * Compiles a Graphite glob (`*`, `?`, `[a-z]`, `[!x]`, `{a,b}`) once. No wildcard ever matches a
 * `.`, so each pattern node matches exactly one path node, as Graphite's per-node matching does.
 * Tagged names (`a.b;k=v`) match on their path part unless the pattern itself has a `;`.
 */
export function compileGlob(pattern: string): NameMatcher {
  const wholeName = pattern.includes(';');
  if (!hasGlob(pattern)) {
    return wholeName ? (name) => name === pattern : (name) => pathPart(name) === pattern;
  }
  let regex: RegExp;
  try {
    regex = new RegExp(`^${translate(pattern, 0, pattern.length)}$`);
  } catch (error) {
    throw new NamePatternError(`bad glob pattern '${pattern}': ${(error as Error).message}`);
  }
  return wholeName ? (name) => regex.test(name) : (name) => regex.test(pathPart(name));
}

/** The path of a possibly tagged series name: `a.b;k=v` -> `a.b`. */
export function pathPart(name: string): string {
  const semicolon = name.indexOf(';');
  return semicolon < 0 ? name : name.slice(0, semicolon);
}

/** Regex source for pattern[from, to). */
function translate(pattern: string, from: number, to: number): string {
  let out = '';
  let i = from;
  while (i < to) {
    const c = pattern[i];
    if (c === '*') {
      out += '[^.]*';
      i++;
    } else if (c === '?') {
      out += '[^.]';
      i++;
    } else if (c === '[') {
      const close = classEnd(pattern, i, to);
      if (close < 0) {
        out += '\\[';
        i++;
        continue;
      }
      let body = pattern.slice(i + 1, close).replaceAll('\\', '\\\\');
      // fnmatch: a leading `!` negates; a leading `^` is a literal caret.
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      else if (body.startsWith('^')) body = `\\${body}`;
      out += `(?!\\.)[${body}]`;
      i = close + 1;
    } else if (c === '{') {
      const close = braceEnd(pattern, i, to);
      if (close < 0) {
        out += '\\{';
        i++;
        continue;
      }
      const alternatives = splitAlternatives(pattern, i + 1, close);
      out += `(?:${alternatives.map(([a, b]) => translate(pattern, a, b)).join('|')})`;
      i = close + 1;
    } else {
      out += c.replace(/[\\^$.|+()[\]{}*?/]/g, '\\$&');
      i++;
    }
  }
  return out;
}

/** Index of the `]` closing the class opened at `open`, or -1 (then `[` is a literal). */
function classEnd(pattern: string, open: number, to: number): number {
  let j = open + 1;
  if (j < to && pattern[j] === '!') j++;
  if (j < to && pattern[j] === ']') j++;
  while (j < to && pattern[j] !== ']') j++;
  return j < to ? j : -1;
}

/** Index of the `}` matching the `{` at `open`, allowing nesting, or -1. */
function braceEnd(pattern: string, open: number, to: number): number {
  let depth = 0;
  for (let j = open; j < to; j++) {
    if (pattern[j] === '{') depth++;
    else if (pattern[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

/** [start, end) of each top-level comma-separated alternative inside braces. */
function splitAlternatives(pattern: string, from: number, to: number): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  let depth = 0;
  let start = from;
  for (let j = from; j < to; j++) {
    const c = pattern[j];
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push([start, j]);
      start = j + 1;
    }
  }
  parts.push([start, to]);
  return parts;
}
