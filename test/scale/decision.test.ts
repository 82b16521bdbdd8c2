import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, type DecisionSample, redundancyOf } from '../../src/scale/decision.js';
import { parsePoolConfig } from '../../src/config/pool-config.js';

// 10 instances x 100 qps each: redundancy = 1000 / qps. Fatal 1.6 is qps > 625, warning 2.0 is
// qps > 500, safe 3.0 is qps < 333.3.
const BASE = { qps: 'sumSeries(web.pool1.*.qps)', instances: 'web.pool1.instances', capacityPerInstance: 100 };
const CONFIG = parsePoolConfig(BASE);
const WITH_HEALTH = parsePoolConfig({ ...BASE, health: [{ target: 'web.pool1.slow_ratio', above: 0.01 }] });
const AT = 6000;

/** Window samples one minute apart, the newest ending at AT. */
function window(qps: readonly number[], instances: number | readonly number[] = 10, health: readonly number[] = []): DecisionSample[] {
  return qps.map((q, i) => ({
    t: AT - (qps.length - i) * 60,
    qps: q,
    instances: typeof instances === 'number' ? instances : instances[i],
    health: health.length === 0 ? [] : [health[i]],
  }));
}

test('redundancy is capacity x instances / qps; no traffic is infinite, missing is NaN', () => {
  assert.equal(redundancyOf(100, 10, 400), 2.5);
  assert.equal(redundancyOf(100, 10, 0), Infinity);
  assert.ok(Number.isNaN(redundancyOf(100, NaN, 400)));
  assert.ok(Number.isNaN(redundancyOf(100, 10, NaN)));
});

test('a surge doubling qps in 10 minutes scales up on the third sample below the fatal line', () => {
  // qps(k) = 400 x 2^(k/10): 400, 428.7, 459.5, 492.5, 527.8, 565.7, 606.3, 649.8, 696.4, 746.4, 800.
  const qps = Array.from({ length: 11 }, (_, k) => 400 * 2 ** (k / 10));
  const firstFatal = qps.findIndex((q) => 1000 / q < 1.6);
  assert.equal(firstFatal, 7);
  const decisionAfter = (k: number) => decide({ pool: 'pool1', config: WITH_HEALTH, at: AT, samples: window(qps.slice(k - 4, k + 1), 10, [0, 0, 0, 0, 0]) });

  assert.equal(decisionAfter(7).action, 'hold');
  assert.equal(decisionAfter(8).action, 'hold');
  const up = decisionAfter(9);
  assert.equal(up.action, 'up');
  assert.equal(up.line, 'fatal');
  // ceil(peak 746.4 x target 2 / 100) = ceil(14.93)
  assert.equal(up.instances, 15);
  assert.equal(up.delta, 5);
  assert.match(up.reason, /below the fatal line 1\.6 in 3 of the last 5 samples/);
  assert.deepEqual(
    up.window.map((w) => w.crossed),
    ['warning', 'warning', 'fatal', 'fatal', 'fatal'],
  );
  assert.equal(up.redundancy, 1000 / qps[9]);
});

test('a single one-minute spike never scales, wherever it sits in the window; three do', () => {
  for (let at = 0; at < 5; at++) {
    const qps = [400, 400, 400, 400, 400];
    qps[at] = 5000;
    const d = decide({ pool: 'p', config: CONFIG, at: AT, samples: window(qps) });
    assert.equal(d.action, 'hold', `spike at ${at}`);
    assert.equal(d.line, null);
  }
  assert.equal(decide({ pool: 'p', config: CONFIG, at: AT, samples: window([5000, 400, 5000, 400, 400]) }).action, 'hold');
  assert.equal(decide({ pool: 'p', config: CONFIG, at: AT, samples: window([5000, 400, 5000, 400, 5000]) }).action, 'up');
});

test('below the warning line with healthy health holds; with degraded health in trigger samples it scales up', () => {
  const qps = [550, 550, 550, 550, 550]; // redundancy 1.82
  const healthy = decide({ pool: 'p', config: WITH_HEALTH, at: AT, samples: window(qps, 10, [0.005, 0.005, 0.009, 0.01, 0.002]) });
  assert.equal(healthy.action, 'hold');
  assert.equal(healthy.line, 'warning');
  assert.match(healthy.reason, /health was degraded in only 0 of them/);
  assert.match(healthy.reason, /web\.pool1\.slow_ratio at 0\.002 vs 0\.01/);

  const twice = decide({ pool: 'p', config: WITH_HEALTH, at: AT, samples: window(qps, 10, [0.05, 0.005, 0.05, 0.005, 0.005]) });
  assert.equal(twice.action, 'hold');

  const degraded = decide({ pool: 'p', config: WITH_HEALTH, at: AT, samples: window(qps, 10, [0.05, 0.005, 0.05, 0.005, 0.02]) });
  assert.equal(degraded.action, 'up');
  assert.equal(degraded.line, 'warning');
  assert.equal(degraded.instances, 11); // ceil(550 x 2 / 100)
  assert.equal(degraded.delta, 1);
});

test('degraded health only counts in samples that are below the warning line', () => {
  // The slow minutes are the quiet ones; the busy ones are healthy.
  const d = decide({ pool: 'p', config: WITH_HEALTH, at: AT, samples: window([400, 550, 400, 550, 550], 10, [0.05, 0, 0.05, 0, 0.05]) });
  assert.equal(d.action, 'hold');
  assert.equal(d.line, 'warning');
});

test('below the warning line without any health series holds and says why', () => {
  const d = decide({ pool: 'p', config: CONFIG, at: AT, samples: window([550, 550, 550, 550, 550]) });
  assert.equal(d.action, 'hold');
  assert.equal(d.line, 'warning');
  assert.match(d.reason, /no health series/);
});

test('scale-down happens only above the safe line and after the cooldown', () => {
  const quiet = window([200, 200, 200, 200, 200]); // redundancy 5
  const down = decide({ pool: 'p', config: CONFIG, at: AT, samples: quiet });
  assert.equal(down.action, 'down');
  assert.equal(down.line, 'safe');
  assert.equal(down.instances, 4); // ceil(200 x 2 / 100)
  assert.equal(down.delta, -6);

  const cooling = decide({ pool: 'p', config: CONFIG, at: AT, samples: quiet, lastScaleAt: AT - 599 });
  assert.equal(cooling.action, 'hold');
  assert.equal(cooling.line, 'safe');
  assert.match(cooling.reason, /599s ago, within the cooldown of 10m/);
  assert.equal(decide({ pool: 'p', config: CONFIG, at: AT, samples: quiet, lastScaleAt: AT - 600 }).action, 'down');

  // Only two samples above safe: between the lines.
  const twoQuiet = decide({ pool: 'p', config: CONFIG, at: AT, samples: window([400, 400, 400, 200, 200]) });
  assert.equal(twoQuiet.action, 'hold');
  assert.equal(twoQuiet.line, null);
});

test('a scale-down is sized for the window peak and never below the warning line', () => {
  const peak = decide({ pool: 'p', config: CONFIG, at: AT, samples: window([200, 200, 300, 200, 200]) });
  assert.equal(peak.instances, 6); // ceil(300 x 2 / 100)

  // target 1.8 is under the warning line 2.0: size for 2.0 -> ceil(310 x 2 / 100) = 7, not ceil(5.58) = 6.
  const lowTarget = parsePoolConfig({ ...BASE, targetRedundancy: 1.8 });
  const d = decide({ pool: 'p', config: lowTarget, at: AT, samples: window([310, 250, 250, 250, 250]) });
  assert.equal(d.action, 'down');
  assert.equal(d.instances, 7);
});

test('no traffic scales down to minInstances; the infinite redundancy is null in JSON and named in the reason', () => {
  const config = parsePoolConfig({ ...BASE, minInstances: 2 });
  const d = decide({ pool: 'p', config, at: AT, samples: window([0, 0, 0, 0, 0]) });
  assert.equal(d.action, 'down');
  assert.equal(d.instances, 2);
  assert.equal(d.redundancy, null);
  assert.match(d.reason, /infinite \(no traffic\)/);
  const json = JSON.parse(JSON.stringify(d));
  assert.equal(json.redundancy, null);
  assert.deepEqual(json.window[0], { t: AT - 300, qps: 0, redundancy: null, crossed: 'safe' });

  const atMin = decide({ pool: 'p', config, at: AT, samples: window([0, 0, 0, 0, 0], 2) });
  assert.equal(atMin.action, 'hold');
  assert.match(atMin.reason, /minInstances \(2\)/);
});

test('missing data holds with a reason naming what is missing, and never scales down', () => {
  const noQps = decide({ pool: 'p', config: CONFIG, at: AT, samples: window([NaN, NaN, NaN, NaN, NaN]) });
  assert.equal(noQps.action, 'hold');
  assert.match(noQps.reason, /no qps data for 'sumSeries\(web\.pool1\.\*\.qps\)' in the last 5 samples/);
  assert.equal(noQps.instances, 10);
  assert.equal(noQps.delta, 0);
  assert.equal(noQps.redundancy, null);

  const noInstances = decide({ pool: 'p', config: CONFIG, at: AT, samples: window([200, 200, 200, 200, 200], NaN) });
  assert.equal(noInstances.action, 'hold');
  assert.match(noInstances.reason, /no instance count for 'web\.pool1\.instances'/);
  assert.equal(noInstances.instances, null);
  assert.equal(noInstances.delta, null);

  const sparse = decide({ pool: 'p', config: CONFIG, at: AT, samples: window([NaN, 200, NaN, NaN, 200]) });
  assert.equal(sparse.action, 'hold');
  assert.match(sparse.reason, /only 2 of the last 5 samples have both qps and an instance count, a decision needs 3/);

  const quietButGaps = decide({ pool: 'p', config: CONFIG, at: AT, samples: window([200, NaN, 200, 200, NaN]) });
  assert.equal(quietButGaps.action, 'hold');
  assert.equal(quietButGaps.line, 'safe');
  assert.match(quietButGaps.reason, /2 samples are missing and a pool never scales down on missing data/);

  const tooFewSamples = decide({ pool: 'p', config: CONFIG, at: AT, samples: window([200, 200, 200]) });
  assert.equal(tooFewSamples.action, 'hold');

  assert.deepEqual(
    decide({ pool: 'p', config: CONFIG, at: AT, samples: [] }).window,
    [],
  );
});

test('a surge with gaps still scales up: hosts under load stop reporting', () => {
  const d = decide({ pool: 'p', config: CONFIG, at: AT, samples: window([NaN, 700, NaN, 700, 700]) });
  assert.equal(d.action, 'up');
  assert.equal(d.instances, 14);
});

test('no second scale-up while the window still shows the samples from before the first', () => {
  // Scaled 10 -> 15 two minutes ago; the old samples are still below fatal.
  const d = decide({ pool: 'p', config: CONFIG, at: AT, samples: window([746, 746, 746, 746, 746], [10, 10, 10, 15, 15]) });
  assert.equal(d.action, 'hold');
  assert.equal(d.line, 'fatal');
  assert.equal(d.instances, 15);
  assert.equal(d.delta, 0);
  assert.match(d.reason, /15 instances already reach the 15/);
});

test('scale-up is clamped to maxInstances, and holds once there', () => {
  const config = parsePoolConfig({ ...BASE, maxInstances: 12 });
  const up = decide({ pool: 'p', config, at: AT, samples: window([900, 900, 900, 900, 900]) });
  assert.equal(up.action, 'up');
  assert.equal(up.instances, 12);
  const atMax = decide({ pool: 'p', config, at: AT, samples: window([900, 900, 900, 900, 900], 12) });
  assert.equal(atMax.action, 'hold');
  assert.match(atMax.reason, /maxInstances \(12\)/);
});

test('the window evidence shows each sample and the line it crossed', () => {
  const d = decide({ pool: 'pool1', config: CONFIG, at: AT, samples: window([400, 550, 700, 200, NaN]) });
  assert.equal(d.pool, 'pool1');
  assert.equal(d.at, AT);
  assert.deepEqual(d.window, [
    { t: AT - 300, qps: 400, redundancy: 2.5, crossed: null },
    { t: AT - 240, qps: 550, redundancy: 1000 / 550, crossed: 'warning' },
    { t: AT - 180, qps: 700, redundancy: 1000 / 700, crossed: 'fatal' },
    { t: AT - 120, qps: 200, redundancy: 5, crossed: 'safe' },
    { t: AT - 60, qps: null, redundancy: null, crossed: null },
  ]);
  assert.equal(d.action, 'hold');
  assert.match(d.reason, /unknown \(newest sample missing\)/);
  assert.deepEqual(Object.keys(d), ['pool', 'at', 'action', 'instances', 'delta', 'line', 'reason', 'redundancy', 'window']);
});
