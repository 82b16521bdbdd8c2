import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NamePatternError } from '../../src/names/name-pattern-error.js';
import { parseSeriesByTag, parseTagExpression, tagsOfSeriesName, tagValueOf } from '../../src/names/tag-expression.js';

describe('parseTagExpression', () => {
  it('reads the four operators', () => {
    assert.deepEqual(
      ['dc=east', 'dc!=east', 'dc=~ea', 'dc!=~ea'].map((e) => {
        const { tag, operator, spec } = parseTagExpression(e);
        return [tag, operator, spec];
      }),
      [
        ['dc', '=', 'east'],
        ['dc', '!=', 'east'],
        ['dc', '=~', 'ea'],
        ['dc', '!=~', 'ea'],
      ],
    );
  });

  it('anchors regexes at the start but not the end, as graphite-web does', () => {
    const e = parseTagExpression('host=~web');
    assert.equal(e.test('web1'), true);
    assert.equal(e.test('aweb1'), false);
    assert.equal(parseTagExpression('host=~^w.b$').test('web'), true);
    assert.equal(parseTagExpression('host=~a|b').test('xb'), false, 'the alternation is grouped before anchoring');
    assert.equal(parseTagExpression('host!=~web').test('db1'), true);
  });

  it('knows which expressions the empty value (a missing tag) satisfies', () => {
    assert.equal(parseTagExpression('dc=').matchesEmpty, true);
    assert.equal(parseTagExpression('dc!=').matchesEmpty, false);
    assert.equal(parseTagExpression('dc!=east').matchesEmpty, true);
    assert.equal(parseTagExpression('dc=~.*').matchesEmpty, true);
    assert.equal(parseTagExpression('dc!=~.*').matchesEmpty, false);
  });

  it('translates Python-only regex syntax', () => {
    assert.equal(parseTagExpression('host=~(?P<n>web)(?P=n)').test('webweb'), true);
    assert.equal(parseTagExpression('host=~(?i)WEB').test('web1'), true);
  });

  it('refuses bad expressions with a message that names them', () => {
    assert.throws(() => parseTagExpression('noop'), (e: Error) => e instanceof NamePatternError && e.message.includes("'noop'"));
    assert.throws(() => parseTagExpression('a=b;c'), NamePatternError);
    assert.throws(() => parseTagExpression('a=~(unclosed'), /invalid regular expression in tag expression 'a=~\(unclosed'/);
  });
});

describe('parseSeriesByTag', () => {
  it('needs one expression that the empty value does not satisfy', () => {
    assert.throws(() => parseSeriesByTag(['dc=', 'env!=prod']), /at least one tag expression must not match the empty value/);
    assert.throws(() => parseSeriesByTag([]), /no tag expressions/);
    assert.equal(parseSeriesByTag(['dc=', 'env=prod']).length, 2);
  });
});

describe('series name tags', () => {
  it('reads tags and the name tag from a normalised name', () => {
    assert.deepEqual([...tagsOfSeriesName('~cpu.load;dc=east;host=a')], [
      ['name', 'cpu.load'],
      ['dc', 'east'],
      ['host', 'a'],
    ]);
    assert.equal(tagValueOf('cpu;dc=east;host=a', 'host'), 'a');
    assert.equal(tagValueOf('cpu;dc=east;host=a', 'dc'), 'east');
    assert.equal(tagValueOf('cpu;dc=east;xhost=a', 'host'), '');
    assert.equal(tagValueOf('cpu;dc=east', 'name'), 'cpu');
  });
});
