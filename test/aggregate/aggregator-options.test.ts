import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultAggregatorOptions,
  validateAggregatorOptions,
  type AggregatorOptions,
} from '../../src/aggregate/aggregator-options.js';
import { StatsdAggregator } from '../../src/aggregate/statsd-aggregator.js';

test('defaults are Etsy StatsD defaults, with the non-legacy namespace', () => {
  assert.deepEqual(defaultAggregatorOptions, {
    flushIntervalMs: 10_000,
    percentThresholds: [90],
    histogram: [],
    deleteIdleStats: false,
    deleteCounters: false,
    deleteTimers: false,
    deleteGauges: false,
    deleteSets: false,
    legacyNamespace: false,
    globalPrefix: 'stats',
    prefixCounter: 'counters',
    prefixTimer: 'timers',
    prefixGauge: 'gauges',
    prefixSet: 'sets',
  });
  assert.doesNotThrow(() => validateAggregatorOptions(defaultAggregatorOptions));
});

test('options that cannot work are rejected with a message naming them', () => {
  const check = (o: Partial<AggregatorOptions>) => () => validateAggregatorOptions({ ...defaultAggregatorOptions, ...o });
  assert.throws(check({ flushIntervalMs: 0 }), /flushIntervalMs must be a positive number, got 0/);
  assert.throws(check({ flushIntervalMs: Number.NaN }), /flushIntervalMs/);
  assert.throws(check({ percentThresholds: [150] }), /percentThresholds: 150 is not a percentage/);
  assert.throws(check({ histogram: [{ metric: 'x', bins: [1, 'big' as 'inf'] }] }), /histogram "x": bin big/);
  assert.doesNotThrow(check({ percentThresholds: [-10, 50.5, 100], histogram: [{ metric: '', bins: [0.5, 'inf'] }] }));
});

test('the aggregator validates its options', () => {
  assert.throws(() => new StatsdAggregator({ ...defaultAggregatorOptions, flushIntervalMs: -1 }), /flushIntervalMs/);
});
