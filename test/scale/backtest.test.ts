import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAggregationRules } from '../../src/scale/aggregation-rules.js';
import { backtest, MAX_BACKTEST_EVALUATIONS } from '../../src/scale/backtest.js';
import { IngestAggregator } from '../../src/scale/ingest-aggregator.js';
import { parsePoolConfig } from '../../src/config/pool-config.js';
import type { PoolSeries } from '../../src/scale/sampler.js';

// 10 fixed instances of 100 qps: redundancy = 1000 / qps.
const CONFIG = parsePoolConfig({ qps: 'out.pool1.qps', instances: 10, capacityPerInstance: 100 });

/** One point a minute from 0: 400 qps for minutes 0-19, a surge of 700 for 20-29, then 200 until 59. */
function history(): PoolSeries {
  const values = Float64Array.from({ length: 60 }, (_, m) => (m < 20 ? 400 : m < 30 ? 700 : 200));
  return { qps: [{ start: 0, step: 60, values }], instances: 10, health: [] };
}

test('backtest lists the first decision, every change and every up and down', () => {
  const result = backtest({ pool: 'pool1', config: CONFIG, series: history(), from: 0, until: 3600 });
  assert.equal(result.evaluations, 61);
  const got = result.decisions.map((d) => [d.at, d.action, d.line, d.instances]);
  const ups = Array.from({ length: 10 }, (_, i) => [1380 + i * 60, 'up', 'fatal', 14]);
  assert.deepEqual(got, [
    [0, 'hold', null, 10], // no data yet
    // The decision at 1380 sees minutes 18-22: 20, 21, 22 below fatal. Fixed instances never
    // grow, so it asks again each minute while three surge minutes stay in the window (to 1920).
    ...ups,
    [1980, 'hold', 'safe', 10], // quiet again, but within the cooldown of the up at 1920
    [2520, 'down', 'safe', 4], // 600 s after 1920: ceil(200 x 2 / 100)
    [2580, 'hold', 'safe', 10], // cooldown of that down
    [3120, 'down', 'safe', 4],
    [3180, 'hold', 'safe', 10],
  ]);
  assert.match(result.decisions[0].reason, /no qps data for 'out\.pool1\.qps'/);
  assert.match(result.decisions[11].reason, /within the cooldown of 10m/);
});

test('a surge doubling qps in 10 minutes, through the ingest aggregator: up on the third sample below fatal', () => {
  // 50 hosts report their share of the pool's qps every 10 s; the rule sums them into a 10 s pool series.
  const aggregator = new IngestAggregator(parseAggregationRules('out.<pool>.qps (10) = sum web.<pool>.*.qps'), { lagSeconds: 5 });
  const poolQps = new Float64Array(480).fill(NaN); // 10 s slots from 0 to 4800
  const surgeStart = 3600;
  for (let t = 0; t < 4800; t += 10) {
    const total = t < surgeStart ? 4000 : 4000 * 2 ** ((t - surgeStart) / 600);
    for (let host = 0; host < 50; host++) aggregator.add(`web.pool1.host${host}.qps`, t, total / 50);
    aggregator.add('web.pool2.host0.qps', t, 1);
    aggregator.flush(t, (name, timestamp, value) => {
      if (name === 'out.pool1.qps') poolQps[timestamp / 10] = value;
    });
  }
  // 98 instances x 100: fatal below 1.6 is qps above 6125. Minute m of the surge averages
  // 4000 x 2^(m/10) x mean(2^(j/60), j = 0..5) = 4118 x 2^(m/10): m = 5 is 5824 (1.683), m = 6 is
  // 6242 (1.570), the first below fatal; its sample counts from 3600 + 7 x 60 = 4020, the third such
  // sample (m = 8, 7170 qps) from 4140.
  const config = parsePoolConfig({ qps: 'out.pool1.qps', instances: 98, capacityPerInstance: 100 });
  const result = backtest({ pool: 'pool1', config, series: { qps: [{ start: 0, step: 10, values: poolQps }], instances: 98, health: [] }, from: 3600, until: 4800 });
  const firstUp = result.decisions.find((d) => d.action === 'up')!;
  assert.equal(firstUp.at, 4140);
  assert.equal(firstUp.window.findIndex((w) => w.crossed === 'fatal'), 2, 'm = 6 is the third sample of the window m = 4..8');
  assert.equal(firstUp.instances, 144); // ceil(7170 x 2 / 100) = ceil(143.4)
  assert.equal(firstUp.delta, 46);
});

test('decisions fall on sampleInterval boundaries inside [from, until]', () => {
  const result = backtest({ pool: 'pool1', config: CONFIG, series: history(), from: 1321, until: 1499 });
  assert.equal(result.evaluations, 2);
  assert.deepEqual(
    result.decisions.map((d) => [d.at, d.action]),
    [
      [1380, 'up'],
      [1440, 'up'],
    ],
  );
  assert.equal(backtest({ pool: 'pool1', config: CONFIG, series: history(), from: 100, until: 50 }).evaluations, 0);
});

test('a cooldown from before the range applies', () => {
  const result = backtest({ pool: 'pool1', config: CONFIG, series: history(), from: 2400, until: 2700, lastScaleAt: 2100 });
  assert.deepEqual(
    result.decisions.map((d) => [d.at, d.action, d.line]),
    [
      [2400, 'hold', 'safe'],
      [2700, 'down', 'safe'],
    ],
  );
});

test('too long a range is refused with a message saying what to do', () => {
  assert.throws(
    () => backtest({ pool: 'pool1', config: CONFIG, series: history(), from: 0, until: (MAX_BACKTEST_EVALUATIONS + 1) * 60 }),
    /narrow from\/until/,
  );
});
