import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { test, type TestContext } from 'node:test';
import { serve } from '@hono/node-server';
import { createHttpApp } from '../../src/http/app.js';
import type { BacktestResult } from '../../src/scale/backtest.js';
import type { Decision } from '../../src/scale/decision.js';
import type { CapacityEstimate } from '../../src/scale/pool-evaluator.js';
import type { PoolConfigJson, WatermarkLines } from '../../src/config/pool-config.js';
import { PoolRegistry } from '../../src/scale/pool-registry.js';
import { openScaleEngine, perMinute } from '../scale/scale-engine.js';

const T0 = 1_699_999_980;
const POOL = { qps: 'out.p.qps', instances: 10, capacityPerInstance: 100 };

interface Server {
  url: string;
  registry: PoolRegistry;
  clock: { set(seconds: number): void };
}

/** The real HTTP app on a real socket, over a real engine holding 400 qps then a surge of 700 from minute 20. */
async function startServer(t: TestContext, options: { adminToken?: string; hostname?: string } = {}): Promise<Server> {
  let nowMs = (T0 + 30 * 60) * 1000;
  const { store, dataDir, write } = await openScaleEngine(t, () => T0 + 3 * 3600);
  write('out.p.qps', perMinute(T0, 40, (k) => (k < 20 ? 400 : 700)));
  const registry = PoolRegistry.open({ store, dataDir, now: () => nowMs, log: () => {} });
  const app = createHttpApp({ store, health: () => ({}), scale: { registry, adminToken: options.adminToken, keepAliveSeconds: 1 } });
  const hostname = options.hostname ?? '127.0.0.1';
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname }, (info) => resolve({ server: s, port: info.port }));
  });
  t.after(
    () =>
      new Promise<void>((resolve) => {
        registry.stop();
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${port}`, registry, clock: { set: (s) => (nowMs = s * 1000) } };
}

interface PoolBody {
  pool: string;
  config: PoolConfigJson;
  lastActionAt: number | null;
}
interface PoolDetail extends PoolBody {
  redundancy: number | null;
  lines: WatermarkLines;
  window: Decision['window'];
  decision: Decision;
  capacity: CapacityEstimate;
}
interface ErrorBody {
  error: string;
  field?: string;
}

async function json<T>(response: Response | Promise<Response>): Promise<T> {
  return (await (await response).json()) as T;
}

function put(url: string, body: unknown, token?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return fetch(url, { method: 'PUT', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

test('pools: PUT, GET, list, decision, capacity, backtest, DELETE (loopback client, no token configured)', async (t) => {
  const { url } = await startServer(t);
  const created = await put(`${url}/scale/pools/p`, POOL);
  assert.equal(created.status, 201);
  const body = await json<PoolBody>(created);
  assert.equal(body.pool, 'p');
  assert.deepEqual(body.config.lines, { fatal: 1.6, warning: 2.0, safe: 3.0 });
  assert.equal((await put(`${url}/scale/pools/p`, { ...POOL, cooldown: '5m' })).status, 200);

  const list = await json<{ pools: PoolBody[] }>(fetch(`${url}/scale/pools`));
  assert.deepEqual(list.pools.map((p) => [p.pool, p.config.cooldown]), [['p', '5m']]);

  // Now (minute 30): minutes 25-29 at 700 qps, redundancy 1.43.
  const pool = await json<PoolDetail>(fetch(`${url}/scale/pools/p?from=${T0}`));
  assert.equal(pool.redundancy, 1000 / 700);
  assert.deepEqual(pool.lines, { fatal: 1.6, warning: 2.0, safe: 3.0 });
  assert.equal(pool.window.length, 5);
  assert.equal(pool.decision.action, 'up');
  assert.equal(pool.capacity.configured, 100);
  assert.match(pool.capacity.reason, /no health series/);

  const quiet = await json<Decision>(fetch(`${url}/scale/pools/p/decision?at=${T0 + 600}`));
  assert.deepEqual(
    Object.keys(quiet).sort(),
    ['action', 'at', 'delta', 'instances', 'line', 'pool', 'reason', 'redundancy', 'window'].sort(),
  );
  assert.deepEqual([quiet.pool, quiet.at, quiet.action, quiet.instances, quiet.delta], ['p', T0 + 600, 'hold', 10, 0]);
  assert.deepEqual(Object.keys(quiet.window[0]).sort(), ['crossed', 'qps', 'redundancy', 't']);
  const up = await json<Decision>(fetch(`${url}/scale/pools/p/decision?at=${T0 + 23 * 60}`));
  assert.deepEqual([up.action, up.line, up.instances, up.delta], ['up', 'fatal', 14, 4]);
  const relative = await json<Decision>(fetch(`${url}/scale/pools/p/decision?at=-7min`));
  assert.equal(relative.at, T0 + 23 * 60);

  const capacity = await put(`${url}/scale/pools/p/capacity`, { capacityPerInstance: 140 });
  assert.equal(capacity.status, 200);
  assert.equal((await json<PoolBody>(capacity)).config.capacityPerInstance, 140);
  // 1400 / 700 = 2.0: between the lines now.
  assert.equal((await json<Decision>(fetch(`${url}/scale/pools/p/decision`))).action, 'hold');

  const backtest = await json<BacktestResult>(fetch(`${url}/scale/pools/p/backtest?from=${T0}&until=${T0 + 1800}`));
  assert.equal(backtest.evaluations, 31);
  assert.ok(backtest.decisions.length >= 1);

  assert.equal((await fetch(`${url}/scale/pools/p`, { method: 'DELETE' })).status, 204);
  assert.equal((await fetch(`${url}/scale/pools/p`)).status, 404);
});

test('with a token configured, write endpoints need it: missing or wrong is 401; reads need none', async (t) => {
  const { url } = await startServer(t, { adminToken: 's3cret' });
  const missing = await put(`${url}/scale/pools/p`, POOL);
  assert.equal(missing.status, 401);
  assert.match((await json<ErrorBody>(missing)).error, /missing "Authorization: Bearer <token>"/);
  const wrong = await put(`${url}/scale/pools/p`, POOL, 'guess');
  assert.equal(wrong.status, 401);
  assert.match((await json<ErrorBody>(wrong)).error, /wrong admin token/);
  assert.equal((await put(`${url}/scale/pools/p`, POOL, 's3cret')).status, 201);

  assert.equal((await put(`${url}/scale/pools/p/capacity`, { capacityPerInstance: 5 })).status, 401);
  assert.equal((await put(`${url}/scale/pools/p/capacity`, { capacityPerInstance: 5 }, 's3cret')).status, 200);
  assert.equal((await fetch(`${url}/scale/pools/p`, { method: 'DELETE', headers: { authorization: 'Bearer nope' } })).status, 401);
  assert.equal((await fetch(`${url}/scale/pools/p/decision`)).status, 200);
  assert.equal((await fetch(`${url}/scale/pools/p`, { method: 'DELETE', headers: { authorization: 'Bearer s3cret' } })).status, 204);
});

/** This host's first non-loopback IPv4 address, if it has one. */
function externalAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

test('with no token configured, write endpoints refuse clients that are not on loopback', async (t) => {
  const address = externalAddress();
  if (address === undefined) return t.skip('no non-loopback network interface');
  const { url } = await startServer(t, { hostname: '0.0.0.0' });
  const port = new URL(url).port;
  const remote = await put(`http://${address}:${port}/scale/pools/p`, POOL);
  assert.equal(remote.status, 403);
  assert.match((await json<ErrorBody>(remote)).error, /loopback clients only.*CARBONADO_ADMIN_TOKEN/);
  assert.equal((await fetch(`http://${address}:${port}/scale/pools`)).status, 200);
  assert.equal((await put(`${url}/scale/pools/p`, POOL)).status, 201);
});

test('bad requests: unknown pool 404, invalid config 400 naming the field', async (t) => {
  const { url } = await startServer(t);
  for (const path of ['/scale/pools/none', '/scale/pools/none/decision', '/scale/pools/none/backtest']) {
    const response = await fetch(`${url}${path}`);
    assert.equal(response.status, 404, path);
    assert.deepEqual(await json<ErrorBody>(response), { error: "unknown pool 'none'" });
  }
  assert.equal((await put(`${url}/scale/pools/none/capacity`, { capacityPerInstance: 1 })).status, 404);
  assert.equal((await fetch(`${url}/scale/pools/none`, { method: 'DELETE' })).status, 404);

  const cases: [unknown, string, RegExp][] = [
    [{ ...POOL, lines: { fatal: 'low' } }, 'lines.fatal', /lines\.fatal: expected a number > 0, got "low"/],
    [{ ...POOL, windw: 5 }, 'windw', /windw: unknown key/],
    [{ instances: 1, capacityPerInstance: 1 }, 'qps', /qps: required/],
    [{ ...POOL, health: [{ target: 'x', above: 'high' }] }, 'health[0].above', /health\[0\]\.above: expected a number/],
    [{ ...POOL, cooldown: '10 parsecs' }, 'cooldown', /cooldown/],
  ];
  for (const [body, field, message] of cases) {
    const response = await put(`${url}/scale/pools/p`, body);
    assert.equal(response.status, 400, field);
    const error = await json<ErrorBody>(response);
    assert.equal(error.field, field);
    assert.match(error.error, message);
  }
  const notJson = await put(`${url}/scale/pools/p`, '{"qps": ');
  assert.equal(notJson.status, 400);
  assert.match((await json<ErrorBody>(notJson)).error, /not valid JSON/);
  const badName = await put(`${url}/scale/pools/a.b`, POOL);
  assert.equal(badName.status, 400);
  assert.equal((await json<ErrorBody>(badName)).field, 'pool');

  assert.equal((await put(`${url}/scale/pools/p`, POOL)).status, 201);
  const badAt = await fetch(`${url}/scale/pools/p/decision?at=yesterdayish`);
  assert.equal(badAt.status, 400);
  assert.match((await json<ErrorBody>(badAt)).error, /invalid value for 'at'/);
  const capacityKey = await put(`${url}/scale/pools/p/capacity`, { capacity: 5 });
  assert.equal(capacityKey.status, 400);
  assert.equal((await json<ErrorBody>(capacityKey)).field, 'capacity');
  const capacityValue = await put(`${url}/scale/pools/p/capacity`, { capacityPerInstance: -5 });
  assert.equal(capacityValue.status, 400);
  assert.match((await json<ErrorBody>(capacityValue)).error, /capacityPerInstance: expected a number > 0, got -5/);
  const backwards = await fetch(`${url}/scale/pools/p/backtest?from=${T0 + 60}&until=${T0}`);
  assert.equal(backwards.status, 400);
  const tooLong = await fetch(`${url}/scale/pools/p/backtest?from=0&until=${T0}`);
  assert.equal(tooLong.status, 400);
  assert.match((await json<ErrorBody>(tooLong)).error, /too long/);
});

/** Reads Server-Sent Events from a stream, one `{event, data}` at a time. */
function sseReader(body: ReadableStream<Uint8Array>): () => Promise<{ event: string; data: string }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return async () => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
        }
        if (fields.data !== undefined) return { event: fields.event ?? 'message', data: fields.data };
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('event stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  };
}

test('GET /scale/events streams every pool\'s decision, then the changes', async (t) => {
  const { url, registry, clock } = await startServer(t);
  await put(`${url}/scale/pools/p`, POOL);
  clock.set(T0 + 10 * 60);
  const response = await fetch(`${url}/scale/events`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const next = sseReader(response.body!);

  const first = await next();
  assert.equal(first.event, 'decision');
  const hold = JSON.parse(first.data) as Decision;
  assert.deepEqual([hold.pool, hold.at, hold.action], ['p', T0 + 600, 'hold']);

  clock.set(T0 + 23 * 60);
  await registry.evaluateAll();
  const change = JSON.parse((await next()).data) as Decision;
  assert.deepEqual([change.pool, change.action, change.instances], ['p', 'up', 14]);

  registry.stop(); // the stream ends when the registry stops
  await assert.rejects(next(), /event stream ended/);
});

test('PUT refuses render targets that can never evaluate (bad syntax, unknown function), naming the field', async (t) => {
  const { url } = await startServer(t);
  const cases: Array<[unknown, string, RegExp]> = [
    [{ ...POOL, qps: 'sumSeries(out.p.*' }, 'qps', /^qps: bad target 'sumSeries\(out\.p\.\*': missing '\)'/],
    [{ ...POOL, qps: 'sumSeries(nosuch(out.p.qps))' }, 'qps', /^qps: unknown function nosuch\(\) \(column 11\)/],
    [{ ...POOL, instances: 'count(' }, 'instances', /^instances: bad target/],
    [{ ...POOL, health: [{ target: 'out.p.ok', above: 1 }, { target: 'out.p.slow|nosuch()', above: 1 }] }, 'health[1].target', /^health\[1\]\.target: unknown function nosuch\(\)/],
  ];
  for (const [body, field, message] of cases) {
    const response = await put(`${url}/scale/pools/p`, body);
    assert.equal(response.status, 400, JSON.stringify(body));
    const error = await json<ErrorBody>(response);
    assert.equal(error.field, field);
    assert.match(error.error, message);
  }
  assert.equal((await fetch(`${url}/scale/pools/p`)).status, 404, 'no pool was stored');
  const good = { ...POOL, qps: 'sumSeries(seriesByTag("name=out.p.qps"))|scale(1)', instances: 'template(out.$x.n, x="p")', health: [{ target: 'out.p.qps', above: 1 }] };
  assert.equal((await put(`${url}/scale/pools/p`, good)).status, 201);
});
