import { QueryError } from '../query-error.js';
import type { CallNode, Expression, KeywordArgument, PathNode } from './ast.js';

/**
 * Parses one Graphite target with graphite-web's grammar: nested calls, '..' and ".." strings
 * (backslashes kept), numbers (int, float, scientific, negative; only where followed by `,` or `)`
 * or the end, as graphite-web's lookahead demands), true/false (any case), None, inf, keyword
 * arguments, paths with globs (`*`, `?`, `[a-z]`, `[!x]`, `{a,b}`) and `\`-escaped symbols, and
 * the pipe form `a.b|sumSeries()|alias("x")`, which becomes `alias(sumSeries(a.b), "x")`.
 * Errors are QueryErrors naming the column (1-based) where the target stops making sense.
 * Calls nest at most MAX_NESTING deep, counting each pipe as one more level: the parser, the
 * evaluator and the naming of results all recurse once per level.
 */
export function parseTarget(target: string): Expression {
  const parser = new TargetParser(target);
  const expression = parser.parseExpression();
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail(`unexpected '${parser.peek()}'`);
  return expression;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_]/;
/** graphite-web's `symbols`: what a path element cannot hold unescaped (plus the pipe and blanks). */
const PATH_STOP = new Set(['(', ')', '{', '}', ',', '=', '.', "'", '"', '\\', '|', ' ', '\t', '\r', '\n']);
const NUMBER = /^-?\d+(?:(\.\d+)?(?:[eE](-?\d+))?)/;
/**
 * Deepest nesting of calls a target may have. Real targets nest a dozen deep; thousands of levels
 * overflowed the stack (a 500) and only come from generated or hostile requests.
 */
export const MAX_NESTING = 200;

class TargetParser {
  private pos = 0;
  /** Calls open around the current position, pipes included. */
  private nesting = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  fail(message: string, at = this.pos): never {
    const where = at >= this.text.length ? 'at the end' : `at column ${at + 1}`;
    throw new QueryError(`bad target '${this.text}': ${message} ${where}`);
  }

  /** expression := (call | path) ('|' call)* */
  parseExpression(): Expression {
    this.skipSpace();
    const outerNesting = this.nesting;
    let expression: Expression = this.identFollowedByParen() ? this.parseCall() : this.parsePath();
    for (;;) {
      this.skipSpace();
      if (this.peek() !== '|') {
        this.nesting = outerNesting;
        return expression;
      }
      const pipe = this.pos;
      this.pos++;
      this.skipSpace();
      if (!this.identFollowedByParen()) this.fail('expected a function call after |');
      // The call wraps everything before the pipe: one level deeper than it.
      this.nesting++;
      const call = this.parseCall();
      call.args.unshift(expression);
      call.raw = this.text.slice(expression.position, this.pos);
      call.position = pipe + 1;
      expression = call;
    }
  }

  private identFollowedByParen(): boolean {
    if (!IDENT_START.test(this.peek())) return false;
    let i = this.pos + 1;
    while (i < this.text.length && IDENT_CHAR.test(this.text[i])) i++;
    while (i < this.text.length && /\s/.test(this.text[i])) i++;
    return this.text[i] === '(';
  }

  private readIdent(): string {
    const start = this.pos;
    while (this.pos < this.text.length && IDENT_CHAR.test(this.text[this.pos])) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private parseCall(): CallNode {
    const start = this.pos;
    if (++this.nesting > MAX_NESTING) this.fail(`calls nested more than ${MAX_NESTING} deep`);
    const name = this.readIdent();
    this.skipSpace();
    this.pos++; // '('
    const call: CallNode = { kind: 'call', name, args: [], kwargs: [], position: start, raw: '' };
    this.skipSpace();
    if (this.peek() === ')') {
      this.pos++;
    } else {
      for (;;) {
        this.parseArgument(call);
        this.skipSpace();
        const c = this.peek();
        if (c === ',') {
          this.pos++;
          continue;
        }
        if (c === ')') {
          this.pos++;
          break;
        }
        if (c === '') this.fail(`missing ')' to close ${name}(`);
        this.fail(`expected ',' or ')' in ${name}(...) but found '${c}'`);
      }
    }
    call.raw = this.text.slice(start, this.pos);
    this.nesting--;
    return call;
  }

  private parseArgument(call: CallNode): void {
    this.skipSpace();
    const start = this.pos;
    if (IDENT_START.test(this.peek())) {
      const name = this.readIdent();
      this.skipSpace();
      if (this.peek() === '=' && this.text[this.pos + 1] !== '~') {
        this.pos++;
        const value = this.parseValue();
        if (call.kwargs.some((k) => k.name === name)) this.fail(`keyword argument '${name}' given twice`, start);
        call.kwargs.push({ name, value, position: start } satisfies KeywordArgument);
        return;
      }
      this.pos = start;
    }
    if (call.kwargs.length > 0) this.fail('positional argument after keyword arguments', start);
    call.args.push(this.parseValue());
  }

  /** value := boolean | None | inf | number | string | expression */
  private parseValue(): Expression {
    this.skipSpace();
    const start = this.pos;
    const c = this.peek();
    if (c === '') this.fail('expected an argument');
    if (c === '"' || c === "'") return { kind: 'string', value: this.readString(c), position: start };
    const word = /^[A-Za-z]+/.exec(this.text.slice(start))?.[0];
    if (word !== undefined && this.endsValue(start + word.length)) {
      const lower = word.toLowerCase();
      if (lower === 'true' || lower === 'false') {
        this.pos += word.length;
        return { kind: 'boolean', value: lower === 'true', position: start };
      }
      if (lower === 'none') {
        this.pos += word.length;
        return { kind: 'none', position: start };
      }
      if (lower === 'inf') {
        this.pos += word.length;
        return { kind: 'number', value: Infinity, integer: false, position: start };
      }
    }
    const number = NUMBER.exec(this.text.slice(start));
    if (number && this.endsValue(start + number[0].length)) {
      this.pos += number[0].length;
      const integer = number[1] === undefined && number[2] === undefined && !/[eE]/.test(number[0]);
      return { kind: 'number', value: Number(number[0]), integer, position: start };
    }
    return this.parseExpression();
  }

  /** graphite-web's afterNumber lookahead: a scalar must be followed by `,`, `)` or the end. */
  private endsValue(at: number): boolean {
    let i = at;
    while (i < this.text.length && /\s/.test(this.text[i])) i++;
    return i >= this.text.length || this.text[i] === ',' || this.text[i] === ')';
  }

  private readString(quote: string): string {
    const start = this.pos;
    let i = this.pos + 1;
    while (i < this.text.length && this.text[i] !== quote) {
      if (this.text[i] === '\\') i++;
      i++;
    }
    if (i >= this.text.length) this.fail(`unterminated string (missing closing ${quote})`, start);
    this.pos = i + 1;
    return this.text.slice(start + 1, i);
  }

  /** path := element ('.' element)*, element := (chars | '\'symbol | '{' alternatives '}')+ */
  private parsePath(): PathNode {
    const start = this.pos;
    let path = '';
    let elementLength = 0;
    let tagged = false;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === '\\') {
        const next = this.text[this.pos + 1];
        if (next === undefined) this.fail('nothing to escape after \\');
        path += next;
        elementLength++;
        this.pos += 2;
      } else if (c === '{') {
        const close = this.text.indexOf('}', this.pos);
        if (close < 0) this.fail("missing '}' to close '{'");
        const body = this.text.slice(this.pos, close + 1);
        if (/[(){'"\s]/.test(body.slice(1, -1))) this.fail("bad '{...}' alternatives");
        path += body;
        elementLength += body.length;
        this.pos = close + 1;
      } else if (c === '.') {
        if (elementLength === 0) this.fail('empty path element');
        path += c;
        elementLength = 0;
        this.pos++;
      } else if (c === '=' && tagged) {
        path += c;
        this.pos++;
      } else if (PATH_STOP.has(c)) {
        break;
      } else {
        if (c === ';') tagged = true;
        path += c;
        elementLength++;
        this.pos++;
      }
    }
    if (path === '') {
      const c = this.peek();
      this.fail(c === '' ? 'expected a metric path or function call' : `unexpected '${c}'`);
    }
    if (elementLength === 0 && !tagged) this.fail('path ends with .', this.pos - 1);
    return { kind: 'path', path, position: start };
  }
}
