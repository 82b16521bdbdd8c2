import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Expression } from '../../../src/query/expression/ast.js';
import { MAX_NESTING, parseTarget } from '../../../src/query/expression/parser.js';
import { QueryError } from '../../../src/query/query-error.js';

/** The tree without positions, as a compact string: f(a.b, 'x', 1, k=true). */
function show(node: Expression): string {
  switch (node.kind) {
    case 'path':
      return node.path;
    case 'string':
      return `'${node.value}'`;
    case 'number':
      return `${node.value}${node.integer ? 'i' : 'f'}`;
    case 'boolean':
      return String(node.value);
    case 'none':
      return 'None';
    case 'call':
      return `${node.name}(${[...node.args.map(show), ...node.kwargs.map((k) => `${k.name}=${show(k.value)}`)].join(', ')})`;
  }
}

const parsed = (target: string): string => show(parseTarget(target));

function rejects(target: string, fragment: string): void {
  assert.throws(
    () => parseTarget(target),
    (error: unknown) => error instanceof QueryError && error.message.includes(fragment),
    `expected '${fragment}' for ${target}`,
  );
}

describe('parseTarget', () => {
  it('parses paths with every glob form', () => {
    for (const path of ['a.b.c', 'a.*.c', 'a.b?.c', 'a.[a-z].c', 'a.[!x]y.c', 'a.{x,y}.c', 'a.pre{x,y}post*.c', 'a-b.c_d.e:f', 'a.b;dc=1;host=x', '$x.b']) {
      assert.equal(parsed(path), path);
    }
  });

  it('unescapes backslash-escaped symbols in paths', () => {
    assert.equal(parsed('a.b\\(1\\).c'), 'a.b(1).c');
  });

  it('parses nested calls, strings in both quotes with backslashes kept', () => {
    assert.equal(parsed('aliasSub(sumSeries(a.*),"(^.*$)","\\1 A")'), "aliasSub(sumSeries(a.*), '(^.*$)', '\\1 A')");
    assert.equal(parsed("alias(a.b, 'it''s')".replace("''", "\\'")), "alias(a.b, 'it\\'s')");
  });

  it('parses numbers: int, float, scientific, negative', () => {
    assert.equal(parsed('f(a, 1, -2, 1.5, -0.25, 1e3, 2.5E-2)'), 'f(a, 1i, -2i, 1.5f, -0.25f, 1000f, 0.025f)');
  });

  it('reads a number-like path node as a path when it is not a whole argument', () => {
    assert.equal(parsed('f(1abc.b, 2.x)'), 'f(1abc.b, 2.x)');
  });

  it('parses booleans in any case, None and inf', () => {
    assert.equal(parsed('f(a, true, False, TRUE, None, inf)'), 'f(a, true, false, true, None, Infinityf)');
  });

  it('parses keyword arguments', () => {
    assert.equal(parsed('movingAverage(a.b, windowSize="5min", xFilesFactor=0.5)'), "movingAverage(a.b, windowSize='5min', xFilesFactor=0.5f)");
    assert.equal(parsed('f(a, k = 1)'), 'f(a, k=1i)');
  });

  it('parses calls without arguments and whitespace between tokens', () => {
    assert.equal(parsed('countSeries()'), 'countSeries()');
    assert.equal(parsed('  sumSeries ( a.b , c.d )  '), 'sumSeries(a.b, c.d)');
  });

  it('turns the pipe form into nested calls', () => {
    assert.equal(parsed('a.b|sumSeries()'), 'sumSeries(a.b)');
    assert.equal(parsed('a.*|sumSeries()|alias("x")'), "alias(sumSeries(a.*), 'x')");
    assert.equal(parsed('scale(a.*, 2)|aliasByNode(1)'), 'aliasByNode(scale(a.*, 2i), 1i)');
  });

  it("keeps a call's raw text (for seriesByTag)", () => {
    const node = parseTarget("seriesByTag('name=cpu', 'dc=~us.*')");
    assert.equal(node.kind === 'call' && node.raw, "seriesByTag('name=cpu', 'dc=~us.*')");
  });

  it('parses template() like any call', () => {
    assert.equal(parsed('template(a.$x.c, x="b")'), "template(a.$x.c, x='b')");
  });

  it('points at the column of a syntax error', () => {
    rejects('sumSeries(a.b', "missing ')' to close sumSeries( at the end");
    rejects('sumSeries(a.b c.d)', "expected ',' or ')' in sumSeries(...) but found 'c' at column 15");
    rejects('alias(a.b, "x)', 'unterminated string (missing closing ") at column 12');
    rejects('a.b)', "unexpected ')' at column 4");
    rejects('f(a,,b)', "unexpected ',' at column 5");
    rejects('a..b', 'empty path element at column 3');
    rejects('a.b.', 'path ends with . at column 4');
    rejects('a.{x,y', "missing '}' to close '{' at column 3");
    rejects('a.b|', 'expected a function call after | at the end');
    rejects('f(k=1, a.b)', 'positional argument after keyword arguments at column 8');
    rejects('f(a, k=1, k=2)', "keyword argument 'k' given twice at column 11");
    rejects('', 'expected a metric path or function call at the end');
  });

  it('refuses calls nested deeper than MAX_NESTING, by nesting or by pipes, with a QueryError instead of a stack overflow', () => {
    const nested = (depth: number): string => `${'absolute('.repeat(depth)}a.b${')'.repeat(depth)}`;
    assert.equal(parsed(nested(MAX_NESTING - 1)).length > 0, true);
    rejects(nested(MAX_NESTING + 1), `calls nested more than ${MAX_NESTING} deep`);
    rejects(nested(50_000), `calls nested more than ${MAX_NESTING} deep`);
    assert.match(parsed(`a.b${'|absolute()'.repeat(MAX_NESTING - 2)}`), /^absolute\(absolute\(/);
    rejects(`a.b${'|absolute()'.repeat(MAX_NESTING + 1)}`, `calls nested more than ${MAX_NESTING} deep`);
    rejects(`f(a.b${'|absolute()'.repeat(MAX_NESTING)})`, `calls nested more than ${MAX_NESTING} deep`);
    // Siblings do not add up: many calls side by side are not deep.
    assert.match(parsed(`sumSeries(${Array(1000).fill('absolute(a.b)').join(',')})`), /^sumSeries\(absolute\(a\.b\), /);
  });
});
