import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAggregationRules } from '../../src/scale/aggregation-rules.js';
import { IngestAggregator, type IngestAggregatorOptions } from '../../src/scale/ingest-aggregator.js';

type Emitted = [name: string, timestamp: number, value: number];

function aggregator(rules: string, options: IngestAggregatorOptions = {}) {
  const agg = new IngestAggregator(parseAggregationRules(rules), options);
  const flush = (now: number): Emitted[] => {
    const out: Emitted[] = [];
    agg.flush(now, (name, timestamp, value) => out.push([name, timestamp, value]));
    return out.sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1]);
  };
  return { agg, flush };
}

test('points of a pool are summed per minute and emitted once the minute plus the lag has passed', () => {
  const { agg, flush } = aggregator('out.<pool>.qps (60) = sum web.<pool>.*.qps', { lagSeconds: 10 });
  agg.add('web.a.h1.qps', 600, 10);
  agg.add('web.a.h2.qps', 610, 20);
  agg.add('web.a.h3.qps', 659, 30);
  agg.add('web.b.h1.qps', 620, 5);
  agg.add('web.a.h1.qps', 660, 7); // next minute
  agg.add('web.a.h1.latency', 600, 1000); // no rule
  assert.deepEqual(flush(669), []);
  assert.deepEqual(flush(670), [
    ['out.a.qps', 600, 60],
    ['out.b.qps', 600, 5],
  ]);
  assert.deepEqual(flush(700), [], 'nothing new');
  assert.deepEqual(flush(730), [['out.a.qps', 660, 7]]);
  const stats = agg.stats();
  assert.equal(stats.pointsIn, 6);
  assert.equal(stats.pointsAggregated, 5);
  assert.equal(stats.bucketsEmitted, 3);
});

test('every method, carbon semantics (percentiles interpolate between closest ranks)', () => {
  const methods = ['sum', 'avg', 'min', 'max', 'count', 'p50', 'p90', 'p999'];
  const { agg, flush } = aggregator(methods.map((m) => `${m}.<x> (10) = ${m} in.<x>.*`).join('\n'), { lagSeconds: 0 });
  for (const [i, value] of [3, 1, 4, 2].entries()) agg.add(`in.a.h${i}`, 100, value);
  agg.add('in.a.h9', 100, NaN); // not a value: ignored
  const got = Object.fromEntries(flush(110).map(([name, , value]) => [name.split('.')[0], value]));
  // sorted 1 2 3 4: p50 rank 1.5 -> 2.5; p90 rank 2.7 -> 3 x 0.3 + 4 x 0.7; p999 rank 2.997.
  assert.deepEqual(got, { sum: 10, avg: 2.5, min: 1, max: 4, count: 4, p50: 2.5, p90: 3.7, p999: 3.997 });
});

test('buckets align to the rule frequency', () => {
  const { agg, flush } = aggregator('o (300) = count i.*', { lagSeconds: 0 });
  for (let t = 0; t < 900; t += 10) agg.add('i.x', t, 1);
  assert.deepEqual(flush(900), [
    ['o', 0, 30],
    ['o', 300, 30],
    ['o', 600, 30],
  ]);
});

test('a late point re-emits its bucket corrected; one past maxIntervals is dropped and counted', () => {
  const { agg, flush } = aggregator('o (60) = sum i.*', { lagSeconds: 5, maxIntervals: 2 });
  agg.add('i.a', 0, 1);
  assert.deepEqual(flush(65), [['o', 0, 1]]);
  agg.add('i.b', 30, 2);
  assert.deepEqual(flush(120), [['o', 0, 3]]);
  // Discarded at 0 + 60 x (1 + 2) + 5 = 185.
  assert.deepEqual(flush(185), []);
  assert.equal(agg.stats().openBuckets, 0);
  agg.add('i.c', 59, 100);
  assert.equal(agg.stats().pointsDroppedLate, 1);
  assert.deepEqual(flush(300), []);
});

test('a name matched by several rules feeds each output, and one output only once', () => {
  const { agg, flush } = aggregator(['all.sum (60) = sum web.*.*.qps', 'pool.<p> (60) = sum web.<p>.*.qps', 'all.sum (60) = sum web.a.*.qps'].join('\n'), {
    lagSeconds: 0,
  });
  agg.add('web.a.h1.qps', 0, 1);
  agg.add('web.b.h1.qps', 0, 2);
  assert.deepEqual(flush(60), [
    ['all.sum', 0, 3],
    ['pool.a', 0, 1],
    ['pool.b', 0, 2],
  ]);
});

test('reloading rules keeps unchanged outputs running and finishes changed ones under the old rule', () => {
  const { agg, flush } = aggregator('kept (60) = sum i.*\nchanged (60) = sum i.*', { lagSeconds: 0 });
  agg.add('i.a', 0, 1);
  agg.setRules(parseAggregationRules('kept (60) = sum i.*\nchanged (60) = max i.*\nnew (60) = count i.*'));
  agg.add('i.a', 10, 5);
  assert.deepEqual(flush(60), [
    ['changed', 0, 1],
    ['changed', 0, 5],
    ['kept', 0, 6],
    ['new', 0, 1],
  ]);
  agg.setRules([]);
  agg.add('i.a', 60, 5);
  assert.deepEqual(flush(1000), []);
  assert.equal(agg.stats().outputs, 0, 'outputs of removed rules are forgotten once drained');
});

test('names are resolved once and then served from the cache, which starts over when full', () => {
  const { agg } = aggregator('o (60) = sum i.*', { maxCachedNames: 3 });
  for (let round = 0; round < 3; round++) for (const name of ['i.a', 'i.b', 'x.y']) agg.add(name, 0, 1);
  assert.equal(agg.stats().cachedNames, 3);
  agg.add('x.z', 0, 1);
  assert.equal(agg.stats().cachedNames, 1);
  assert.equal(agg.stats().pointsAggregated, 6);
});
