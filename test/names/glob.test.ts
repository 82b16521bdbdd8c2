import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGlob, hasGlob, MAX_BRACE_DEPTH, pathPart } from '../../src/names/glob.js';
import { NamePatternError } from '../../src/names/name-pattern-error.js';

const cases: Array<[pattern: string, name: string, matches: boolean]> = [
  ['a.b.c', 'a.b.c', true],
  ['a.b.c', 'a.b.cd', false],
  ['a.b', 'a.b.c', false],
  ['a.*', 'a.b', true],
  ['a.*', 'a.b.c', false],
  ['a.*.c', 'a.xyz.c', true],
  ['a.*.c', 'a..c', true],
  ['*', 'a', true],
  ['*', 'a.b', false],
  ['a.b*', 'a.bcd', true],
  ['a.*d', 'a.bcd', true],
  ['a.?', 'a.b', true],
  ['a.?', 'a.bc', false],
  ['a?b', 'a.b', false],
  ['a.[bc]', 'a.c', true],
  ['a.[bc]', 'a.d', false],
  ['a.[a-c]x', 'a.bx', true],
  ['a.[!b]', 'a.c', true],
  ['a.[!b]', 'a.b', false],
  ['a[!x]b', 'a.b', false],
  ['a.[^b]', 'a.^', true],
  ['a.{b,c}.d', 'a.c.d', true],
  ['a.{b,c}.d', 'a.e.d', false],
  ['a.{b,cc*}', 'a.ccx', true],
  ['a.{x{1,2},y}', 'a.x2', true],
  ['a.{x{1,2},y}', 'a.x3', false],
  ['a.{b,}c', 'a.c', true],
  ['a.[b', 'a.[b', true],
  ['a.{b', 'a.{b', true],
  ['a+b.(c)', 'a+b.(c)', true],
  ['stats.timers.*.upper_90', 'stats.timers.api.upper_90', true],
  // Tagged names match on their path part ...
  ['disk.*', 'disk.used;dc=1', true],
  ['disk.used', 'disk.used;dc=1', true],
  // ... unless the pattern has tags of its own.
  ['disk.*;dc=1', 'disk.used;dc=1', true],
  ['disk.*;dc=1', 'disk.used;dc=2', false],
];

describe('compileGlob', () => {
  for (const [pattern, name, expected] of cases) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${name}`, () => {
      assert.equal(compileGlob(pattern)(name), expected);
    });
  }

  it('reports a broken character range as a NamePatternError naming the pattern', () => {
    assert.throws(
      () => compileGlob('a.[z-a]'),
      (error: unknown) => error instanceof NamePatternError && error.message.includes("'a.[z-a]'"),
    );
  });

  // Each unclosed `[` or `{` scanned to the pattern's end: 100,000 of them took 11-24 s, then a 500.
  it('takes many unclosed brackets or braces as literals, in one pass, and refuses a regex too large at once', { timeout: 10_000 }, () => {
    for (const open of ['[', '{']) {
      const matches = compileGlob(`a.${open.repeat(10_000)}*`);
      assert.equal(matches(`a.${open.repeat(10_000)}x`), true);
      assert.equal(matches(`a.${open.repeat(9_999)}x`), false);
      assert.throws(
        () => compileGlob(`a.${open.repeat(100_000)}*`),
        (error: unknown) => error instanceof NamePatternError && error.message.includes('(100003 characters)') && error.message.length < 400,
      );
    }
  });

  it('finds a class or braces closed after many unclosed ones', () => {
    assert.equal(compileGlob(`a.${'['.repeat(1000)}x]`)('a.['), true, 'the first [ opens a class of [ and x');
    assert.equal(compileGlob(`a.${'{'.repeat(1000)}x,y}`)(`a.${'{'.repeat(999)}y`), true, 'the last { opens the braces');
  });

  it(`nests braces ${MAX_BRACE_DEPTH} deep, and refuses deeper as a NamePatternError`, () => {
    const nested = (depth: number): string => `a.${'{x,'.repeat(depth)}y${'}'.repeat(depth)}`;
    assert.equal(compileGlob(nested(MAX_BRACE_DEPTH))('a.y'), true);
    assert.equal(compileGlob(nested(MAX_BRACE_DEPTH))('a.x'), true);
    assert.throws(
      () => compileGlob(nested(MAX_BRACE_DEPTH + 1)),
      (error: unknown) => error instanceof NamePatternError && error.message.includes(`${MAX_BRACE_DEPTH} deep`),
    );
  });
});

describe('hasGlob and pathPart', () => {
  it('tells globs from plain paths', () => {
    assert.equal(hasGlob('a.b.c'), false);
    assert.equal(hasGlob('a.b;k=v'), false);
    for (const glob of ['a.*', 'a.?', 'a.[b]', 'a.{b,c}']) assert.equal(hasGlob(glob), true);
  });

  it('strips tags', () => {
    assert.equal(pathPart('a.b;k=v;x=y'), 'a.b');
    assert.equal(pathPart('a.b'), 'a.b');
  });
});
