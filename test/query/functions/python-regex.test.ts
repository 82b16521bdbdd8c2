import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pythonRegex, pythonSub } from '../../../src/query/functions/python-regex.js';
import { QueryError } from '../../../src/query/query-error.js';

describe('Python regexes', () => {
  it('re.sub with numbered and named back-references, escapes and literal $', () => {
    assert.equal(pythonSub('(^.*$)', '\\1 A', 'a.b.c'), 'a.b.c A');
    assert.equal(pythonSub('^(\\w+)\\.(\\w+)', '\\2-\\1', 'a.b.c'), 'b-a.c');
    assert.equal(pythonSub('(?P<first>\\w+)\\.', '\\g<first>:', 'a.b.c'), 'a:b:c');
    assert.equal(pythonSub('\\.', '$', 'a.b'), 'a$b');
    assert.equal(pythonSub('b', '\\\\', 'abc'), 'a\\c');
  });

  it('named group references, \\A, \\Z and inline flags', () => {
    assert.ok(pythonRegex('(?P<x>a)(?P=x)').test('aa'));
    assert.ok(pythonRegex('\\Aab\\Z').test('ab'));
    assert.ok(pythonRegex('(?i)ABC').test('abc'));
  });

  it('rejects a bad pattern with a QueryError naming it', () => {
    assert.throws(() => pythonRegex('(a'), (error: unknown) => error instanceof QueryError && error.message.includes("'(a'"));
  });
});
