import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePoolConfig, poolConfigJson } from '../../src/config/pool-config.js';
import { backtestPool, estimateCapacity, evaluatePool } from '../../src/scale/pool-evaluator.js';
import { openScaleEngine, perMinute } from './scale-engine.js';

/** Minute-aligned start of the history; the engine's clock is three hours later. */
const T0 = 1_699_999_980;
const NOW = T0 + 3 * 3600;

// 10 fixed instances of 100 qps: redundancy = 1000 / qps.
const CONFIG = parsePoolConfig({ qps: 'out.pool1.qps', instances: 10, capacityPerInstance: 100 });

/** 400 qps for minutes 0-19, a surge of 700 for 20-29, then 200 until 59. */
const surge = (k: number): number => (k < 20 ? 400 : k < 30 ? 700 : 200);

test('a decision reads the pool series from the store and decides as of `at`', async (t) => {
  const { store, write } = await openScaleEngine(t, () => NOW);
  write('out.pool1.qps', perMinute(T0, 60, surge));

  const quiet = await evaluatePool(store, 'pool1', CONFIG, T0 + 600);
  assert.equal(quiet.action, 'hold');
  assert.equal(quiet.redundancy, 2.5);
  assert.deepEqual(quiet.window.map((w) => w.t), [5, 6, 7, 8, 9].map((k) => T0 + k * 60));
  assert.deepEqual(quiet.window.map((w) => w.qps), [400, 400, 400, 400, 400]); // the oldest sample's point sits at its very start

  // Minutes 20, 21 and 22 are below fatal once minute 22 has ended.
  assert.equal((await evaluatePool(store, 'pool1', CONFIG, T0 + 23 * 60 - 1)).action, 'hold');
  const up = await evaluatePool(store, 'pool1', CONFIG, T0 + 23 * 60);
  assert.deepEqual([up.action, up.line, up.instances, up.delta], ['up', 'fatal', 14, 4]);
});

test('the cooldown comes from replaying the rule, so the same `at` always gets the same answer', async (t) => {
  const { store, write } = await openScaleEngine(t, () => NOW);
  write('out.pool1.qps', perMinute(T0, 60, surge));
  // The last up is at 1920 (the surge leaves the window); the quiet window then waits out the 10m cooldown.
  for (const at of [1980, 2100, 2460]) {
    const d = await evaluatePool(store, 'pool1', CONFIG, T0 + at);
    assert.equal(d.action, 'hold', `at ${at}`);
    assert.match(d.reason, /within the cooldown of 10m/);
  }
  const down = await evaluatePool(store, 'pool1', CONFIG, T0 + 2520);
  assert.deepEqual([down.action, down.line, down.instances], ['down', 'safe', 4]);
  assert.deepEqual(await evaluatePool(store, 'pool1', CONFIG, T0 + 2520), down);
  // Later in the same interval: the same window, and its own boundary's decision is not a prior action.
  assert.equal((await evaluatePool(store, 'pool1', CONFIG, T0 + 2550)).action, 'down');
  // An action the live evaluation recorded counts only when it was for an earlier window.
  assert.equal((await evaluatePool(store, 'pool1', CONFIG, T0 + 2550, T0 + 2530)).action, 'down');
  const recorded = await evaluatePool(store, 'pool1', CONFIG, T0 + 2550, T0 + 2400);
  assert.equal(recorded.action, 'hold');
  assert.match(recorded.reason, /150s ago, within the cooldown/);
});

test('missing series and targets that do not render hold, and say so', async (t) => {
  const { store, write } = await openScaleEngine(t, () => NOW);
  write('out.pool1.qps', perMinute(T0, 60, surge));
  const ghost = await evaluatePool(store, 'ghost', parsePoolConfig({ qps: 'out.ghost.qps', instances: 10, capacityPerInstance: 100 }), T0 + 3000);
  assert.equal(ghost.action, 'hold');
  assert.match(ghost.reason, /no qps data for 'out\.ghost\.qps'/);

  const noInstances = parsePoolConfig({ qps: 'out.pool1.qps', instances: 'out.pool1.instances', capacityPerInstance: 100 });
  const d = await evaluatePool(store, 'pool1', noInstances, T0 + 3000);
  assert.equal(d.action, 'hold');
  assert.match(d.reason, /no instance count for 'out\.pool1\.instances'/);

  const broken = parsePoolConfig({ qps: 'sumSeries(out.pool1.qps', instances: 10, capacityPerInstance: 100 });
  const b = await evaluatePool(store, 'pool1', broken, T0 + 3000);
  assert.equal(b.action, 'hold');
  assert.match(b.reason, /cannot render qps 'sumSeries\(out\.pool1\.qps'/);
});

test('instances and health come from their series; glob targets are summed', async (t) => {
  const { store, write } = await openScaleEngine(t, () => NOW);
  for (let host = 0; host < 4; host++) write(`web.pool1.host${host}.qps`, perMinute(T0, 30, (k) => (k < 10 ? 100 : 150)));
  write('web.pool1.instances', perMinute(T0, 30, () => 8));
  write('web.pool1.slow_ratio', perMinute(T0, 30, (k) => (k < 10 ? 0.001 : 0.05)));
  const config = parsePoolConfig({
    qps: 'web.pool1.*.qps',
    instances: 'web.pool1.instances',
    capacityPerInstance: 100,
    health: [{ target: 'web.pool1.slow_ratio', above: 0.01 }],
  });
  // 600 qps over 8 instances of 100: redundancy 1.33, below fatal.
  const d = await evaluatePool(store, 'pool1', config, T0 + 15 * 60);
  assert.deepEqual([d.action, d.line, d.instances, d.delta], ['up', 'fatal', 12, 4]);
  assert.equal(d.window.at(-1)!.qps, 600);
  // The contract's example: a function of the render API's language.
  const summed = await evaluatePool(store, 'pool1', parsePoolConfig({ ...poolConfigJson(config), qps: 'sumSeries(web.pool1.*.qps)' }), T0 + 15 * 60);
  assert.deepEqual(summed.window, d.window);
});

test('backtestPool replays the stored history', async (t) => {
  const { store, write } = await openScaleEngine(t, () => NOW);
  write('out.pool1.qps', perMinute(T0, 60, surge));
  const result = await backtestPool(store, 'pool1', CONFIG, T0, T0 + 3600);
  assert.equal(result.evaluations, 61);
  const actions = result.decisions.filter((d) => d.action !== 'hold').map((d) => [d.at - T0, d.action]);
  assert.deepEqual(actions.slice(0, 1), [[1380, 'up']]);
  assert.deepEqual(actions.filter(([, a]) => a === 'down'), [[2520, 'down'], [3120, 'down']]);
});

test('the capacity estimate is the per-instance qps where health first crossed its threshold', async (t) => {
  const { store, write } = await openScaleEngine(t, () => NOW);
  // qps climbs 10 a minute from 500 over 10 instances; the slow ratio degrades from 620 qps on (minute 12).
  write('web.p.qps', perMinute(T0, 40, (k) => 500 + 10 * k));
  write('web.p.slow_ratio', perMinute(T0, 40, (k) => (k >= 12 && k < 20 ? 0.03 : 0.002)));
  const config = parsePoolConfig({ qps: 'web.p.qps', instances: 10, capacityPerInstance: 100, health: [{ target: 'web.p.slow_ratio', above: 0.01 }] });
  const estimate = await estimateCapacity(store, config, T0, T0 + 40 * 60);
  assert.equal(estimate.configured, 100);
  assert.equal(estimate.estimated, 62);
  assert.equal(estimate.at, T0 + 12 * 60);
  assert.equal(estimate.health, 'web.p.slow_ratio');

  const healthy = await estimateCapacity(store, config, T0, T0 + 10 * 60);
  assert.equal(healthy.estimated, null);
  assert.match(healthy.reason, /no health series crossed/);
  const noHealth = await estimateCapacity(store, CONFIG, T0, T0 + 600);
  assert.match(noHealth.reason, /no health series/);
});
