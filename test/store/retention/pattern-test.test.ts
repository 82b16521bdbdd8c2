import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patternTest } from '../../../src/store/retention/pattern-test.js';
import { seededUint32 } from '../../support/seeded-random.js';

const PATTERNS = [
  '.*', '^.*', '', '^', '$', '\\.lower$', '\\.upper(_\\d+)?$', '\\.sum$', '^stats_counts\\.', '^stats\\.gauges\\.',
  '^carbon\\.', 'cpu', '^exact\\.name$', 'a\\$', 'a\\\\$', 'price\\$$', '\\d+$', 'x.y', 'a|b', '^a-b_c/d$', 'host\\-1',
  '\\bword', 'é\\é$', '[abc]', 'a{2}', '(?<n>x)\\k<n>',
];
const NAMES = [
  '', 'a', 'a$', 'a\\', 'price$', 'stats.gauges.x', 'stats_counts.x', 'x.lower', 'x.lower.y', 'x.upper_90', 'x.sum', 'xsum',
  'carbon.agents.a', 'my.carbon.x', 'cpu.load', 'host.cpu', 'exact.name', 'exact.names', 'xzy', 'x.y', 'b', 'a-b_c/d',
  'host-1', 'word', 'a word', 'éé', 'xé', 'aa', 'xx', 'line\nbreak', 'x.count;env=prod',
];

test('a pattern test agrees with its RegExp on every name', () => {
  for (const source of PATTERNS) {
    const pattern = new RegExp(source);
    const matches = patternTest(pattern);
    for (const name of NAMES) assert.equal(matches(name), pattern.test(name), `/${source}/ on ${JSON.stringify(name)}`);
  }
});

test('a pattern with flags is run as a RegExp', () => {
  const matches = patternTest(/^abc$/i);
  assert.equal(matches('ABC'), true);
  assert.equal(matches('abd'), false);
});

test('random patterns (anchors, escapes, classes, groups, alternation, quantifiers) agree with their RegExp on random names', () => {
  const next = seededUint32(3);
  const pick = <T>(items: readonly T[]): T => items[next() % items.length];
  const atoms = ['a', 'b', 'abc', 'A', '.', '\\.', 'ab\\.c', '_', '-', '~', '\\\\', '\\$', '$', '^', '\\^', '\\(', '\\|', '\\?', '\\*', '[ab]', '[^a]', '\\d', '\\w', '\\s', '(a|b)', '(?:ab)', '1', '\\-', '\\/', '{', '}', '\\{', '"', '\\b', '(?=a)', '(?!b)', 'é'];
  const quantifiers = ['', '', '', '?', '*', '+', '{2}', '{0}', '{1,2}', '??', '*?'];
  const chars = 'abcA._-~x1/{}="B0\\$^(|?*';
  let checked = 0;
  for (let round = 0; round < 3000; round++) {
    let source = next() % 3 === 0 ? '^' : '';
    for (let i = next() % 6; i >= 0; i--) source += pick(atoms) + pick(quantifiers);
    if (next() % 5 === 0) source += `|${pick(atoms)}`;
    if (next() % 3 === 0) source += '$';
    let pattern: RegExp;
    try {
      pattern = new RegExp(source);
    } catch {
      continue;
    }
    const matches = patternTest(pattern);
    for (let k = 0; k < 20; k++) {
      let name = '';
      for (let i = next() % 8; i > 0; i--) name += pick([...chars]);
      const expected = pattern.test(name);
      assert.equal(matches(name), expected, `/${source}/ on ${JSON.stringify(name)}`);
      checked++;
    }
  }
  assert.ok(checked > 40_000);
});
