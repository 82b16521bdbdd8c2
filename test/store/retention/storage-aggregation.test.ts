import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RetentionError } from '../../../src/store/retention/retention.js';
import {
  DEFAULT_AGGREGATION,
  EMBEDDED_STORAGE_AGGREGATION,
  aggregationForName,
  parseStorageAggregation,
  type AggregationRule,
} from '../../../src/store/retention/storage-aggregation.js';

const CONTRACT_TABLE = [
  ['\\.lower$', 'min', 0.1],
  ['\\.upper(_\\d+)?$', 'max', 0.1],
  ['\\.sum$', 'sum', 0],
  ['\\.count$', 'sum', 0],
  ['^stats_counts\\.', 'sum', 0],
  ['^stats\\.gauges\\.', 'last', 0],
  ['.*', 'average', 0.5],
];

function table(rules: readonly AggregationRule[]) {
  return rules.map((r) => [r.pattern.source, r.aggregation.method, r.aggregation.xFilesFactor]);
}

const embedded = parseStorageAggregation(EMBEDDED_STORAGE_AGGREGATION, 'embedded');

test('the embedded rules and config/storage-aggregation.conf are exactly the contract table', () => {
  assert.deepEqual(table(embedded), CONTRACT_TABLE);
  const shipped = parseStorageAggregation(readFileSync('config/storage-aggregation.conf', 'utf8'), 'config/storage-aggregation.conf');
  assert.deepEqual(table(shipped), CONTRACT_TABLE);
});

test('StatsD names get the method their meaning needs', () => {
  const cases: Array<[name: string, method: string, xFilesFactor: number]> = [
    ['stats.timers.api.lower', 'min', 0.1],
    ['stats.timers.api.upper', 'max', 0.1],
    ['stats.timers.api.upper_90', 'max', 0.1],
    ['stats.timers.api.upper_99', 'max', 0.1],
    ['stats.timers.api.sum', 'sum', 0],
    ['stats.timers.api.count', 'sum', 0],
    ['stats.counters.hits.count', 'sum', 0],
    ['stats.sets.users.count', 'sum', 0],
    ['stats_counts.hits', 'sum', 0],
    ['stats.gauges.queue', 'last', 0],
    ['stats.gauges.queue.count', 'sum', 0],
    ['stats.timers.api.mean', 'average', 0.5],
    ['stats.timers.api.mean_90', 'average', 0.5],
    ['stats.timers.api.sum_90', 'average', 0.5],
    ['stats.timers.api.count_90', 'average', 0.5],
    ['stats.counters.hits.rate', 'average', 0.5],
    ['stats.timers.api.upper_', 'average', 0.5],
    ['stats.timers.api.lowercase', 'average', 0.5],
    ['carbonado.statsd.bad_lines', 'average', 0.5],
    // Patterns see the whole tagged name (as carbon) and also the path alone, so tagged StatsD names roll up right.
    ['stats.counters.hits.count;env=prod', 'sum', 0],
    ['stats.timers.api.upper_90;dc=eu', 'max', 0.1],
  ];
  for (const [name, method, xFilesFactor] of cases) {
    assert.deepEqual(aggregationForName(embedded, name), { method, xFilesFactor }, name);
  }
});

test('a file replaces the embedded rules: first match wins, unmatched names get average 0.5', () => {
  const rules = parseStorageAggregation(
    `# comment
[counts]
pattern = count
aggregationMethod = sum
xFilesFactor = 0

[peaks]
pattern = \\.peak$
aggregationMethod = absmax

[sparse]
pattern = ^sparse\\.
xfilesfactor = .25
`,
    'agg.conf',
  );
  assert.deepEqual(aggregationForName(rules, 'a.count.peak'), { method: 'sum', xFilesFactor: 0 });
  // Leaving a key out gives whisper's default for that key.
  assert.deepEqual(aggregationForName(rules, 'b.peak'), { method: 'absmax', xFilesFactor: 0.5 });
  assert.deepEqual(aggregationForName(rules, 'sparse.x'), { method: 'average', xFilesFactor: 0.25 });
  assert.equal(aggregationForName(rules, 'stats.gauges.x'), DEFAULT_AGGREGATION);
  assert.deepEqual(DEFAULT_AGGREGATION, { method: 'average', xFilesFactor: 0.5 });
});

function assertFileError(text: string, message: string): void {
  assert.throws(() => parseStorageAggregation(text, 'agg.conf'), (error: unknown) => {
    assert.ok(error instanceof RetentionError, String(error));
    assert.equal(error.message, message);
    return true;
  });
}

test('bad values name the file, line, section and key', () => {
  assertFileError(
    '[a]\npattern = .*\naggregationMethod = median\n',
    "agg.conf line 3, section [a], key 'aggregationmethod': unknown method 'median'; expected one of average, sum, last, max, min, avg_zero, absmax, absmin",
  );
  assertFileError('[a]\npattern = .*\nxFilesFactor = 1.5\n', "agg.conf line 3, section [a], key 'xfilesfactor': '1.5' is not a number between 0 and 1");
  assertFileError('[a]\npattern = .*\nxFilesFactor = -0.1\n', "agg.conf line 3, section [a], key 'xfilesfactor': '-0.1' is not a number between 0 and 1");
  assertFileError('[a]\npattern = .*\nxFilesFactor = half\n', "agg.conf line 3, section [a], key 'xfilesfactor': 'half' is not a number between 0 and 1");
  assertFileError('[a]\npattern = .*\nxFilesFactor =\n', "agg.conf line 3, section [a], key 'xfilesfactor': '' is not a number between 0 and 1");
  assertFileError('[a]\nxFilesFactor = 0\n', "agg.conf line 1, section [a]: section has no 'pattern' (use 'pattern = .*' to match every series)");
  assertFileError(
    '[a]\npattern = .*\nmethod = sum\n',
    "agg.conf line 3, section [a], key 'method': unknown key; expected one of pattern, xfilesfactor, aggregationmethod",
  );
});
