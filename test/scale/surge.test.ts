/**
 * Issue 5 end to end: the real pipeline (carbon listener -> store + aggregation rules -> render ->
 * Scale API over HTTP). A breaking-news surge is replayed with explicit timestamps: the pipeline's
 * scale clock is held at the start of the history while it is fed, then moved past its end so
 * the aggregation rules emit every minute, then decisions are polled for each minute with `at=`.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { loadConfig } from '../../src/config/index.js';
import { startPipeline, type RunningPipeline } from '../../src/pipeline/index.js';
import type { Decision } from '../../src/scale/decision.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI, freePort } from '../support/carbonado-process.js';

const HOSTS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Sends lines over one carbon connection; resolves once the server has read them all and closed it. */
function sendCarbon(port: number, lines: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const conn = connect(port, '127.0.0.1', () => conn.end(`${lines.join('\n')}\n`));
    conn.on('close', (hadError) => (hadError ? reject(new Error('carbon connection failed')) : resolve()));
    conn.on('error', reject);
    conn.resume();
  });
}

interface Running {
  pipeline: RunningPipeline;
  url: string;
  clock: { set(seconds: number): void };
}

async function startWithRules(t: TestContext, rules: string, statsd = false): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-surge-'));
  const rulesFile = join(dir, 'aggregation-rules.conf');
  writeFileSync(rulesFile, rules);
  const config = loadConfig(undefined, {
    dataDir: join(dir, 'data'),
    host: '127.0.0.1',
    statsdPort: statsd ? await freePort() : 0,
    carbonPort: await freePort(),
    picklePort: 0,
    httpPort: await freePort(),
    flushInterval: '1s',
    workers: 1,
    receivers: 1,
    scale: { rulesFile },
  });
  let nowMs = Date.now();
  const pipeline = await startPipeline(config, { now: () => nowMs });
  t.after(async () => {
    await pipeline.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { pipeline, url: `http://127.0.0.1:${pipeline.httpPort}`, clock: { set: (s) => (nowMs = s * 1000) } };
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  assert.equal(response.status, 200, `${url}: ${await response.clone().text()}`);
  return (await response.json()) as T;
}

test('a surge through the real ingest path: up within the third sample below fatal, debounced, cooled down, never down on missing data', { timeout: 60_000 }, async (t) => {
  const { pipeline, url, clock } = await startWithRules(t, '# per-host qps summed per pool\nweb.<pool>.qps (60) = sum web.<pool>.*.qps\n');
  const now = Math.floor(Date.now() / 1000);
  const T0 = now - (now % 60) - 60 * 60; // minute 0 of the story, an hour ago
  const T = (k: number): number => T0 + k * 60;

  // Pool p: 400 qps, then doubling in 10 minutes (400 x 2^(k/10)), then 300; no data at minutes 30-32.
  // The scheduler follows the up late: 10 instances until minute 9, 16 from minute 10 on.
  const qps = (k: number): number => (k < 0 ? 400 : k <= 10 ? 400 * 2 ** (k / 10) : 300);
  const missing = (k: number): boolean => k >= 30 && k <= 32;
  // Pool spike: 400 qps with one minute (12) at 2000.
  const spike = (k: number): number => (k === 12 ? 2000 : 400);
  const lines: string[] = [];
  for (let k = -6; k <= 40; k++) {
    for (let h = 0; h < HOSTS; h++) {
      if (!missing(k)) lines.push(`web.p.host${h}.qps ${qps(k) / HOSTS} ${T(k) + 5}`);
      lines.push(`web.spike.host${h}.qps ${spike(k) / HOSTS} ${T(k) + 5}`);
    }
    lines.push(`web.p.instances ${k <= 9 ? 10 : 16} ${T(k) + 30}`);
    lines.push(`web.p.slow_ratio 0.002 ${T(k) + 30}`); // healthy throughout
    lines.push(`web.spike.instances 10 ${T(k) + 30}`);
  }

  // The scale clock stays at the start of the story while it is fed, so no bucket counts as late.
  clock.set(T(-7));
  await sendCarbon(pipeline.carbonPort!, lines);
  const { aggregator } = pipeline.scale;
  await waitFor('the aggregator to see every point', () => aggregator.stats().pointsIn >= lines.length);
  clock.set(T(42));
  await waitFor('the pool aggregates', () => aggregator.stats().bucketsEmitted >= 2 * 47 - 3);

  const pool = { instances: 'web.p.instances', capacityPerInstance: 100, health: [{ target: 'web.p.slow_ratio', above: 0.01 }] };
  for (const [name, body] of [
    ['p', { ...pool, qps: 'web.p.qps' }],
    ['spike', { qps: 'web.spike.qps', instances: 'web.spike.instances', capacityPerInstance: 100 }],
    ['ghost', { qps: 'web.ghost.qps', instances: 10, capacityPerInstance: 100 }],
  ] as const) {
    const response = await fetch(`${url}/scale/pools/${name}`, { method: 'PUT', body: JSON.stringify(body) });
    assert.equal(response.status, 201, await response.text());
  }

  // The decision of minute k: as of the end of minute k, the first moment its sample counts.
  const decisions = new Map<number, Decision>();
  for (let k = -1; k <= 40; k++) decisions.set(k, await getJson<Decision>(`${url}/scale/pools/p/decision?at=${T(k + 1)}`));
  const at = (k: number): Decision => decisions.get(k)!;
  const show = (k: number) => `minute ${k}: ${at(k).action} ${at(k).line} ${at(k).instances} - ${at(k).reason}`;

  // The aggregate is the sum of the hosts.
  assert.ok(Math.abs(at(5).window.at(-1)!.qps! - qps(5)) < 1e-6, show(5));

  // Below the warning line from minute 4 (527 qps), with healthy slow ratio: hold.
  for (const k of [6, 7, 8]) {
    assert.equal(at(k).action, 'hold', show(k));
    assert.equal(at(k).line, 'warning', show(k));
    assert.match(at(k).reason, /health was degraded in only 0/, show(k));
  }
  // Below the fatal line from minute 7 (650 qps): up on minute 9, the third sample below it.
  const firstUp = [...decisions.keys()].find((k) => at(k).action === 'up');
  assert.equal(firstUp, 9, show(9));
  assert.equal(at(9).line, 'fatal');
  assert.equal(at(9).instances, Math.ceil((qps(9) * 2) / 100)); // 15: the window's peak at redundancy 2
  assert.equal(at(9).delta, 5);
  assert.equal(at(9).at, T(10));

  // After the surge (300 qps on 16 instances, redundancy 5.3): down only after the 10m cooldown from the up.
  for (let k = 10; k <= 18; k++) assert.notEqual(at(k).action, 'down', show(k));
  for (const k of [13, 18]) assert.match(at(k).reason, /within the cooldown of 10m/, show(k));
  assert.equal(at(19).action, 'down', show(19));
  assert.equal(at(19).instances, 6); // 300 qps at redundancy 2
  assert.equal(at(19).delta, -10);
  // Every down is above the safe line.
  for (const d of decisions.values()) if (d.action === 'down') assert.equal(d.line, 'safe');

  // Minutes 30-32 have no qps: no down while they are in the window, and the reason says why.
  for (let k = 30; k <= 36; k++) {
    assert.equal(at(k).action, 'hold', show(k));
    assert.match(at(k).reason, /missing|only \d of the last 5 samples|cooldown/, show(k));
  }
  assert.match(at(31).reason, /missing and a pool never scales down on missing data|only 2 of the last 5/, show(31));

  // A single one-minute spike (redundancy 0.5) never scales.
  for (let k = 8; k <= 20; k++) {
    const d = await getJson<Decision>(`${url}/scale/pools/spike/decision?at=${T(k + 1)}`);
    assert.equal(d.action, 'hold', `spike minute ${k}: ${d.reason}`);
  }
  const inSpike = await getJson<Decision>(`${url}/scale/pools/spike/decision?at=${T(13)}`);
  assert.equal(inSpike.window.at(-1)!.crossed, 'fatal');

  // A pool whose series are missing says so.
  const ghost = await getJson<Decision>(`${url}/scale/pools/ghost/decision?at=${T(20)}`);
  assert.equal(ghost.action, 'hold');
  assert.match(ghost.reason, /no qps data for 'web\.ghost\.qps'/);

  // The backtest over the story lists the up and the down.
  const backtest = await getJson<{ decisions: Decision[] }>(`${url}/scale/pools/p/backtest?from=${T(0)}&until=${T(25)}`);
  const actions = backtest.decisions.filter((d) => d.action !== 'hold').map((d) => [d.at, d.action]);
  assert.deepEqual(actions[0], [T(10), 'up']);
  assert.ok(actions.some(([when, action]) => action === 'down' && when === T(20)), JSON.stringify(actions));

  // The CLI's backtest prints the same decisions, one a line.
  const cli = await promisify(execFile)(process.execPath, [CLI, 'backtest', '--pool', 'p', '--from', String(T(0)), '--until', String(T(25)), '--url', url]);
  const printed = cli.stdout.trim().split('\n');
  assert.equal(printed.length, backtest.decisions.length + 1);
  assert.match(printed.find((line) => line.includes(' up '))!, new RegExp(`^${new Date(T(10) * 1000).toISOString()}  up    line=fatal  instances=15 \\(\\+5\\)  redundancy=1\\.34  `));
  assert.match(printed.at(-1)!, /^26 decisions evaluated: \d+ up, \d+ down$/);
  await assert.rejects(promisify(execFile)(process.execPath, [CLI, 'backtest', '--pool', 'nope', '--url', url]), /404 unknown pool 'nope'/);
});

test('StatsD flush output feeds the aggregation rules too', { timeout: 30_000 }, async (t) => {
  const { pipeline, url, clock } = await startWithRules(t, 'web.<pool>.gauge_total (10) = sum stats.gauges.web.<pool>.*.qps\n', true);
  const socket = createSocket('udp4');
  t.after(() => socket.close());
  const payload = Buffer.from('web.s.h1.qps:30|g\nweb.s.h2.qps:12|g\n');
  const { aggregator } = pipeline.scale;
  // Gauges are re-sent every flush; wait until a flush reached the aggregator.
  await waitFor('a StatsD flush through the rules', async () => {
    socket.send(payload, pipeline.statsdPort!, '127.0.0.1');
    await sleep(100);
    return aggregator.stats().pointsAggregated >= 2;
  });
  clock.set(Math.floor(Date.now() / 1000) + 120);
  await waitFor('the aggregate', () => aggregator.stats().bucketsEmitted >= 1);
  const response = await fetch(`${url}/render?target=web.s.gauge_total&from=-5min&format=json`);
  const [series] = (await response.json()) as { datapoints: [number | null, number][] }[];
  // Each flush re-sends both gauges (30 + 12); a 10 s bucket sums every flush that falls in it.
  const values = series.datapoints.map(([v]) => v).filter((v): v is number => v !== null);
  assert.ok(values.length > 0 && values.every((v) => v > 0 && v % 42 === 0), JSON.stringify(values));
});
