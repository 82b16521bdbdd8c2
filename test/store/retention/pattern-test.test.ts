import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patternTest } from '../../../src/store/retention/pattern-test.js';
import { randomRules } from '../../support/random-rule-patterns.js';

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
  const random = randomRules(3);
  let checked = 0;
  for (let round = 0; round < 3000; round++) {
    const source = random.patternSource(6);
    let pattern: RegExp;
    try {
      pattern = new RegExp(source);
    } catch {
      continue;
    }
    const matches = patternTest(pattern);
    for (let k = 0; k < 20; k++) {
      const name = random.name();
      const expected = pattern.test(name);
      assert.equal(matches(name), expected, `/${source}/ on ${JSON.stringify(name)}`);
      checked++;
    }
  }
  assert.ok(checked > 40_000);
});
