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
    regex = new RegExp(`^${new GlobTranslation(pattern).translate(0, pattern.length, 0)}$`);
    // V8 compiles a regex at its first use: a pattern too large for it fails here, not in a match.
    regex.test('');
  } catch (error) {
    if (error instanceof NamePatternError) throw error;
    // V8's message quotes the whole regex ("Invalid regular expression: /^.../: reason"): the reason is enough.
    const { message } = error as Error;
    throw new NamePatternError(`bad glob pattern '${shortened(pattern)}': ${message.slice(message.lastIndexOf(': ') + 2)}`);
  }
  return wholeName ? (name) => regex.test(name) : (name) => regex.test(pathPart(name));
}

/** A pattern as an error message quotes it: its start, when it is long. */
function shortened(pattern: string): string {
  return pattern.length <= 200 ? pattern : `${pattern.slice(0, 200)}... (${pattern.length} characters)`;
}

/** The path of a possibly tagged series name: `a.b;k=v` -> `a.b`. */
export function pathPart(name: string): string {
  const semicolon = name.indexOf(';');
  return semicolon < 0 ? name : name.slice(0, semicolon);
}

/** Braces nested deeper than this are refused: each level is a regex group and a recursion here. */
export const MAX_BRACE_DEPTH = 64;

/**
 * A glob's regex source, in time linear in its length (times brace depth): where each `[` and `{`
 * closes is found in one pass first. Scanning ahead from every unclosed `[` or `{` was quadratic:
 * 100,000 of them held the event loop for 11-24 s.
 */
class GlobTranslation {
  /** The index of the `}` closing the `{` at each index (-1: none, or not a `{`). */
  private readonly braceClose: Int32Array;
  /** The index of the first `]` at or after each index (the pattern's length: none). */
  private readonly nextBracket: Int32Array;

  constructor(private readonly pattern: string) {
    this.braceClose = new Int32Array(pattern.length).fill(-1);
    const open: number[] = [];
    for (let i = 0; i < pattern.length; i++) {
      if (pattern[i] === '{') open.push(i);
      else if (pattern[i] === '}' && open.length > 0) this.braceClose[open.pop()!] = i;
    }
    // Found per index, not once for the whole pattern: in braces ('{[[[...}]') each `[` would
    // otherwise scan to the brace's end for a `]` that lies beyond it, quadratic again.
    this.nextBracket = new Int32Array(pattern.length + 1);
    let next = pattern.length;
    this.nextBracket[next] = next;
    for (let i = pattern.length - 1; i >= 0; i--) {
      if (pattern[i] === ']') next = i;
      this.nextBracket[i] = next;
    }
  }

  /** Regex source for pattern[from, to), inside `depth` braces. */
  translate(from: number, to: number, depth: number): string {
    const pattern = this.pattern;
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
        const close = this.classEnd(i, to);
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
        const close = this.braceClose[i];
        if (close < 0 || close >= to) {
          out += '\\{';
          i++;
          continue;
        }
        if (depth >= MAX_BRACE_DEPTH) throw new NamePatternError(`bad glob pattern: braces nested more than ${MAX_BRACE_DEPTH} deep`);
        const alternatives = splitAlternatives(pattern, i + 1, close);
        out += `(?:${alternatives.map(([a, b]) => this.translate(a, b, depth + 1)).join('|')})`;
        i = close + 1;
      } else {
        out += c.replace(/[\\^$.|+()[\]{}*?/]/g, '\\$&');
        i++;
      }
    }
    return out;
  }

  /** Index of the `]` closing the class opened at `open`, or -1 (then `[` is a literal). */
  private classEnd(open: number, to: number): number {
    const pattern = this.pattern;
    let j = open + 1;
    if (j < to && pattern[j] === '!') j++;
    if (j < to && pattern[j] === ']') j++;
    if (j >= to) return -1;
    const close = this.nextBracket[j];
    return close < to ? close : -1;
  }
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
