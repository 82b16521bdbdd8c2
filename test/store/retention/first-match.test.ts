import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FirstMatch } from '../../../src/store/retention/first-match.js';
import { EMBEDDED_STORAGE_AGGREGATION, parseStorageAggregation } from '../../../src/store/retention/storage-aggregation.js';
import { seededUint32 } from '../../support/seeded-random.js';
import { randomRules } from '../../support/random-rule-patterns.js';

/** What FirstMatch answers, by RegExp: the first pattern found in the name, or -1. */
const firstByRegExp = (patterns: readonly RegExp[], name: string): number => patterns.findIndex((pattern) => pattern.test(name));

/** firstIn() of `name` placed inside other bytes, so the test also proves it reads only [start, end). */
function firstIn(match: FirstMatch, name: string): number {
  const bytes = Buffer.from(`.z${name}q.`, 'latin1');
  return match.firstIn(bytes, 2, 2 + name.length);
}

const PATTERNS = [
  '.*', '^.*', '', '^', '$', '^$', '\\.lower$', '\\.upper(_\\d+)?$', '\\.sum$', '^stats_counts\\.', '^stats\\.gauges\\.',
  '^carbon\\.', 'cpu', '^exact\\.name$', 'a\\$', 'a\\\\$', 'price\\$$', '\\d+$', 'x.y', 'a|b', '^a-b_c/d$', 'host\\-1',
  '\\bword', 'é\\é$', 'é', '[abc]', 'a{2}', '(?<n>x)\\k<n>', '\\.upp?er$', '^stats+\\.', 'ab*c', 'x\\.y{2}', 'line\\n', '^abc$',
];
const NAMES = [
  '', 'a', 'a$', 'a\\', 'price$', 'stats.gauges.x', 'stats_counts.x', 'x.lower', 'x.lower.y', 'x.upper_90', 'x.sum', 'xsum',
  'carbon.agents.a', 'my.carbon.x', 'cpu.load', 'host.cpu', 'exact.name', 'exact.names', 'xzy', 'x.y', 'b', 'a-b_c/d',
  'host-1', 'word', 'a word', 'aa', 'xx', 'line\nbreak', 'x.upper', 'x.uppr', 'statss.x', 'stat.x', 'ac', 'abbc', 'x.yy',
  'x.upper_a', 'xe', 'ABC', 'abc',
];

test('each pattern alone is found in an ASCII name exactly when its RegExp matches it', () => {
  for (const source of PATTERNS) {
    const pattern = new RegExp(source);
    const match = new FirstMatch([pattern]);
    for (const name of NAMES) assert.equal(firstIn(match, name), pattern.test(name) ? 0 : -1, `/${source}/ on ${JSON.stringify(name)}`);
  }
  assert.equal(firstIn(new FirstMatch([/^abc$/i]), 'ABC'), 0, 'flags: the RegExp itself');
  assert.equal(firstIn(new FirstMatch([]), 'x'), -1, 'no rules');
  const long = new FirstMatch([...Array.from({ length: 31 }, (_, r) => new RegExp(`^z${r}$`)), /x/, /y$/, /^z5$/]);
  assert.deepEqual(['z5', 'z30', 'x', 'y', 'ay', 'ya', 'z31'].map((name) => firstIn(long, name)), [5, 30, 31, 32, 32, -1, -1], 'rules past the 31 of the byte tables');
});

test('the embedded aggregation rules: the first that matches wins, on StatsD and carbon names', () => {
  const patterns = parseStorageAggregation(EMBEDDED_STORAGE_AGGREGATION, 'embedded').map((rule) => rule.pattern);
  const match = new FirstMatch(patterns);
  const names = [
    ...NAMES, 'stats.timers.api.lower', 'stats.timers.api.upper_99', 'stats.timers.api.sum', 'stats.timers.api.count',
    'stats.gauges.x.count', 'stats_counts.x.sum', 'stats_counts.x', 'cb.host_07.metric_000123', 'a.upper_', 'a.upper_1x',
  ];
  for (const name of names) assert.equal(firstIn(match, name), firstByRegExp(patterns, name), JSON.stringify(name));
  assert.equal(firstIn(match, 'stats.gauges.x.count'), 3, '`\\.count$` comes before `^stats\\.gauges\\.`');
});

test('random rule lists, short and long (anchors, escapes, classes, groups, alternation, quantifiers) agree with the first RegExp that matches, on random names', () => {
  const random = randomRules(11);
  const next = random.next;
  const randomPattern = (): RegExp | null => {
    try {
      return new RegExp(random.patternSource(4));
    } catch {
      return null;
    }
  };
  let checked = 0;
  const found = new Set<number>();
  for (let round = 0; round < 1500; round++) {
    const patterns: RegExp[] = [];
    // Some lists longer than the 31 rules the first and last byte tables index.
    for (let i = round % 10 === 0 ? 31 + (next() % 20) : 1 + (next() % 7); i > 0; i--) {
      const pattern = randomPattern();
      if (pattern) patterns.push(pattern);
    }
    const match = new FirstMatch(patterns);
    for (let k = 0; k < 30; k++) {
      const name = random.name();
      const expected = firstByRegExp(patterns, name);
      assert.equal(firstIn(match, name), expected, `${patterns.map(String).join(' ')} on ${JSON.stringify(name)}`);
      found.add(expected);
      checked++;
    }
  }
  assert.ok(checked === 45_000);
  for (let r = -1; r < 7; r++) assert.ok(found.has(r), `some names are first matched by rule ${r}`);
  assert.ok([...found].some((r) => r >= 31), 'some names are first matched by a rule past the tables');
});

test('adversarial rule lists (greedy middles, optional groups after a literal, escaped dots, empty and anchor-only patterns, rules past the tables) agree with the first RegExp that matches', () => {
  const next = seededUint32(23);
  const sources = [
    '^a.*b$', '\\.upper(_\\d+)?$', 'a\\.b', '^a\\.b\\.', '\\.b$', '', '^', '$', '^$', 'a.b', 'a\\.?b', '^ab?$', 'ab+', '^.*$', '.+',
    '^(a|b)\\.', 'b\\.a\\.b', '\\.\\.', '^\\.', '\\.$', 'aaaa', 'abab', '^abab', 'abab$', '^a$', '^b', 'b$', 'a{2,}', '^a\\.upper_1$',
    'u\\.upper', 'p_?er', 'ab\\b', '\\ba', '[.]', 'a\\$', '\\^a',
  ];
  const chars = ['a', 'b', '.', '_', '1', 'upper', '.upper_', '$', '^'];
  let checked = 0;
  for (let round = 0; round < 400; round++) {
    const patterns: RegExp[] = [];
    for (let i = round % 4 === 0 ? 32 + (next() % 16) : 1 + (next() % 8); i > 0; i--) patterns.push(new RegExp(sources[next() % sources.length]));
    const match = new FirstMatch(patterns);
    for (let k = 0; k < 60; k++) {
      let name = '';
      for (let i = next() % 9; i > 0; i--) name += chars[next() % chars.length];
      assert.equal(firstIn(match, name), firstByRegExp(patterns, name), `${patterns.map(String).join(' ')} on ${JSON.stringify(name)}`);
      checked++;
    }
  }
  assert.equal(checked, 24_000);
});
