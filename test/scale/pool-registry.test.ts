import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyConfig, defaultConfig } from '../../src/config/index.js';
import type { Decision } from '../../src/scale/decision.js';
import { parsePoolConfig } from '../../src/config/pool-config.js';
import { capacitySeriesName, PoolRegistry } from '../../src/scale/pool-registry.js';
import { openScaleEngine, perMinute } from './scale-engine.js';

const T0 = 1_699_999_980;

const pool = (capacityPerInstance: number, extra: Record<string, unknown> = {}) =>
  parsePoolConfig({ qps: 'out.p.qps', instances: 10, capacityPerInstance, ...extra });

/** A clock the test moves, in milliseconds. */
function clockAt(seconds: number): { now: () => number; set(seconds: number): void } {
  let ms = seconds * 1000;
  return { now: () => ms, set: (s) => (ms = s * 1000) };
}

test('pools are saved to <dataDir>/scale/pools.json and come back on the next start', async (t) => {
  const clock = clockAt(T0 + 3600);
  const { store, dataDir } = await openScaleEngine(t, () => clock.now() / 1000);
  const log: string[] = [];
  const first = PoolRegistry.open({ store, dataDir, now: clock.now, log: (l) => log.push(l) });
  assert.equal(first.put('p', pool(100)), true);
  assert.equal(first.put('p', pool(100, { window: 7, trigger: 4 })), false);
  assert.equal(first.put('q', pool(50)), true);
  assert.equal(first.delete('q'), true);
  assert.equal(first.delete('q'), false);
  assert.throws(() => first.put('a.b', pool(1)), /bad pool name "a.b"/);

  const file = join(dataDir, 'scale', 'pools.json');
  assert.deepEqual(readdirSync(join(dataDir, 'scale')), ['pools.json']); // the temporary file was renamed
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(file, 'utf8')).pools), ['p']);

  const second = PoolRegistry.open({ store, dataDir, now: clock.now, log: (l) => log.push(l) });
  assert.deepEqual(second.list().map((e) => [e.name, e.config.window, e.config.trigger]), [['p', 7, 4]]);
  assert.deepEqual(log, []);
});

test('pools of the config file replace saved pools of the same name at start; bad saved pools are skipped', async (t) => {
  const clock = clockAt(T0 + 3600);
  const { store, dataDir } = await openScaleEngine(t, () => clock.now() / 1000);
  PoolRegistry.open({ store, dataDir, now: clock.now }).put('p', pool(100));
  const file = join(dataDir, 'scale', 'pools.json');
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  saved.pools.broken = { config: { qps: 'x', instances: 1, capacityPerInstance: -1 }, lastActionAt: null };
  writeFileSync(file, JSON.stringify(saved));

  const log: string[] = [];
  const registry = PoolRegistry.open({ store, dataDir, now: clock.now, configPools: { p: pool(250), c: pool(10) }, log: (l) => log.push(l) });
  assert.deepEqual(registry.list().map((e) => [e.name, e.config.capacityPerInstance]), [['c', 10], ['p', 250]]);
  assert.equal(log.length, 2);
  assert.match(log[0], /skipping saved pool 'broken'.*capacityPerInstance: expected a number > 0/);
  assert.match(log[1], /pool 'p' from the config file replaces the one saved over HTTP/);
});

test('every capacity is written to carbonado.scale.<pool>.capacity', async (t) => {
  const clock = clockAt(T0);
  const { store, dataDir } = await openScaleEngine(t, () => T0 + 3600);
  const registry = PoolRegistry.open({ store, dataDir, now: clock.now });
  registry.put('p', pool(100));
  clock.set(T0 + 60);
  registry.put('p', pool(100, { window: 6 })); // same capacity: no new point
  clock.set(T0 + 120);
  assert.equal(registry.setCapacity('p', 120)?.config.capacityPerInstance, 120);
  assert.equal(registry.get('p')?.config.window, 6);
  assert.equal(registry.setCapacity('nope', 1), undefined);
  assert.throws(() => registry.setCapacity('p', 0), /capacityPerInstance/);

  const [history] = await store.read([capacitySeriesName('p')], T0 - 1, T0 + 180);
  const points = [...history.values].map((v, i) => [history.start + i * history.step, v]).filter(([, v]) => !Number.isNaN(v));
  assert.deepEqual(points, [[T0, 100], [T0 + 120, 120]]);
});

test('live evaluation announces decision changes only, and records the last up or down', async (t) => {
  const clock = clockAt(T0 + 10 * 60);
  const { store, dataDir, write } = await openScaleEngine(t, () => T0 + 3600);
  // 400 qps for 20 minutes, then 700: redundancy 2.5, then 1.43 (below fatal).
  write('out.p.qps', perMinute(T0, 40, (k) => (k < 20 ? 400 : 700)));
  const registry = PoolRegistry.open({ store, dataDir, now: clock.now });
  registry.put('p', pool(100));
  const seen: Decision[] = [];
  const unsubscribe = registry.onDecisionChange((d) => seen.push(d));

  await registry.evaluateAll();
  clock.set(T0 + 11 * 60);
  await registry.evaluateAll(); // the same hold: not announced
  assert.deepEqual(seen.map((d) => [d.at - T0, d.action]), [[600, 'hold']]);
  assert.equal(registry.get('p')?.lastActionAt, null);

  clock.set(T0 + 23 * 60);
  const [up] = await registry.evaluateAll();
  assert.deepEqual([up.action, up.instances], ['up', 14]);
  assert.deepEqual(seen.map((d) => d.action), ['hold', 'up']);
  assert.equal(registry.get('p')?.lastActionAt, T0 + 23 * 60);
  assert.equal(JSON.parse(readFileSync(join(dataDir, 'scale', 'pools.json'), 'utf8')).pools.p.lastActionAt, T0 + 23 * 60);
  assert.deepEqual(registry.latestDecisions(), [up]);

  unsubscribe();
  clock.set(T0 + 24 * 60);
  await registry.evaluateAll();
  assert.equal(seen.length, 2);

  let stopped = 0;
  registry.onStop(() => stopped++);
  registry.start();
  registry.stop();
  assert.equal(stopped, 1);
  assert.equal(existsSync(join(dataDir, 'scale', 'pools.json.tmp')), false);
});

test('scale keys of the config file are validated, naming the key', () => {
  const config = defaultConfig();
  applyConfig(config, { scale: { adminToken: 't', rulesFile: 'r.conf', pools: { web1: { qps: 'a.qps', instances: 3, capacityPerInstance: 10 } } } });
  assert.equal(config.scale.adminToken, 't');
  assert.equal(config.scale.pools.web1.capacityPerInstance, 10);
  assert.throws(() => applyConfig(defaultConfig(), { scale: { pools: { web1: { qps: 'a', instances: 1, capacityPerInstance: 1, lines: { safe: 0 } } } } }), {
    message: "config key 'scale.pools.web1.lines.safe': expected a number > 0, got 0",
  });
  assert.throws(() => applyConfig(defaultConfig(), { scale: { pools: { 'a.b': {} } } }), /config key 'scale.pools': bad pool name "a.b"/);
  assert.throws(() => applyConfig(defaultConfig(), { scale: { token: 'x' } }), /unknown config key 'scale.token'/);
});
