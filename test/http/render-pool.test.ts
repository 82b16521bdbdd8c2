import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { createHttpApp } from '../../src/http/app.js';
import type { RenderLimits } from '../../src/http/limits.js';
import { RenderPool, type RenderPoolOptions } from '../../src/http/render-pool.js';
import { PointBatchBuilder } from '../../src/points.js';
import type { SeriesStore } from '../../src/store/series-store.js';
import type { StorageEngine } from '../../src/store/storage-engine.js';
import { openTempEngine } from '../support/temp-engine.js';
import { parseTarget } from '../../src/query/expression/parser.js';
import { generatedPoints } from '../../src/query/functions/generators.js';

const T0 = 1_700_000_000;
const NOW = T0 + 3600;
const range = `from=${T0 - 60}&until=${T0 + 120}`;

/** Series with gaps and tags, one point every 10 s over [T0, T0 + 100] except where a series skips. */
async function fixture(t: TestContext): Promise<StorageEngine> {
  const { store } = await openTempEngine(t, { now: () => NOW });
  const batch = new PointBatchBuilder();
  const names = ['web.a.cpu', 'web.b.cpu', 'web.c.cpu', 'web.b.mem', 'db.x.load', 'disk.used;dc=east;host=web1', 'disk.used;dc=west;host=db1', 'stats.gauges.q'];
  names.forEach((name, i) => {
    for (let ts = T0; ts <= T0 + 100; ts += 10) {
      if ((ts / 10 + i) % 4 !== 0) batch.push(store.seriesId(name), ts, i * 1.5 + (ts - T0) / 7);
    }
  });
  store.append(batch);
  return store;
}

/** An app rendering everything on the main thread, and one rendering everything on a pool. */
/** The fixture, whose reads of the longer window (a moving window in points) can be made to take 300 ms. */
async function slowWindowReads(t: TestContext): Promise<{ store: SeriesStore; slowDown(on: boolean): void }> {
  const engine = await fixture(t);
  let slow = false;
  const store: SeriesStore = Object.assign(Object.create(engine) as StorageEngine, {
    read: async (names: readonly string[], from: number, until: number) => {
      if (slow && from < T0 - 60) await new Promise((resolve) => setTimeout(resolve, 300));
      return engine.read(names, from, until);
    },
  });
  return { store, slowDown: (on) => (slow = on) };
}

function apps(t: TestContext, store: SeriesStore, limits?: Partial<RenderLimits>, pool: RenderPoolOptions = {}) {
  const renderPool = new RenderPool({ threads: 1, minPoints: 0, ...pool });
  t.after(() => renderPool.close());
  return {
    main: createHttpApp({ store, health: () => ({}), limits }),
    pooled: createHttpApp({ store, health: () => ({}), limits, renderPool }),
    renderPool,
  };
}

async function answer(app: ReturnType<typeof createHttpApp>, url: string) {
  const response = await app.request(url);
  return { status: response.status, type: response.headers.get('content-type'), body: Buffer.from(await response.arrayBuffer()) };
}

describe('render pool', () => {
  it('gives the same bytes as the main thread in every format', async (t) => {
    const store = await fixture(t);
    const { main, pooled } = apps(t, store);
    const targets = [
      'target=web.*.cpu',
      'target=groupByNode(web.*.*, 2, "sum")&target=db.x.load',
      "target=seriesByTag('name=disk.used')|aliasByTags('host')",
      'target=sumSeries(web.*.cpu)', // a reducing read, asked of the main thread
      'target=sumSeries(web.*.cpu)&target=web.a.cpu', // the same, with other series fetched
      'target=movingAverage(web.*.cpu, 3)', // a window in points: a read that depends on the data
      'target=aliasQuery(web.{a,b}.cpu, "web\\.([a-z])\\.cpu", "web.\\1.cpu", "%g")', // a query made while evaluating
      "target=timeShift(web.a.cpu, '30s')&target=asPercent(web.*.cpu)&target=stats.gauges.q",
    ];
    const options = ['format=json', 'format=json&maxDataPoints=5', 'format=json&noNullPoints', 'format=json&jsonp=cb', 'format=csv', 'format=raw', 'format=pickle', 'format=msgpack'];
    for (const target of targets) {
      for (const option of options) {
        const url = `/render?${target}&${option}&${range}`;
        const expected = await answer(main, url);
        assert.equal(expected.status, 200, url);
        assert.ok(expected.body.length > 20, url);
        assert.deepEqual(await answer(pooled, url), expected, url);
      }
    }
  });

  it('renders small requests on the main thread and big ones on the pool', async (t) => {
    const store = await fixture(t);
    // A worker that crashes on `crash.me` tells which requests reached the pool.
    const script = new URL('./crashing-render-worker.js', import.meta.url);
    const errors = t.mock.method(console, 'error', () => {});
    const byPoints = apps(t, store, undefined, { script, minPoints: 40, minSeries: 100 }).pooled;
    // web.a.cpu has 18 points over the range, each web.*.cpu series as many: 36 then 54 points.
    assert.equal((await byPoints.request(`/render?target=group(web.{a,b}.cpu, crash.me)&${range}`)).status, 200);
    assert.equal((await byPoints.request(`/render?target=group(web.*.cpu, crash.me)&${range}`)).status, 503);
    const bySeries = apps(t, store, undefined, { script, minPoints: 1000, minSeries: 3 }).pooled;
    assert.equal((await bySeries.request(`/render?target=group(web.{a,b}.cpu, crash.me)&${range}`)).status, 200);
    assert.equal((await bySeries.request(`/render?target=group(web.*.cpu, crash.me)&${range}`)).status, 503);
    assert.equal(errors.mock.callCount(), 2);
  });

  it('answers user errors and limits as the main thread does', async (t) => {
    const store = await fixture(t);
    const cases: Array<[string, Partial<RenderLimits> | undefined, number]> = [
      ['target=nosuchFunction(web.*.cpu)', undefined, 400],
      ['target=movingAverage(web.*.cpu, "bad")', undefined, 400],
      ['target=aliasQuery(web.a.cpu, "web", "web.[", "%g")', undefined, 400], // a bad glob met on the main thread, for the worker
      ['target=web.*.cpu', { maxSeries: 2 }, 422],
      ['target=web.*.cpu', { maxPoints: 10 }, 422],
    ];
    for (const [target, limits, status] of cases) {
      const { main, pooled } = apps(t, store, limits);
      const url = `/render?${target}&${range}`;
      const expected = await answer(main, url);
      assert.equal(expected.status, status, `${url}: ${expected.body.toString()}`);
      assert.deepEqual(await answer(pooled, url), expected, url);
    }
  });

  it('applies the time limit to a render waiting on the pool, and the next render works', async (t) => {
    const { store, slowDown } = await slowWindowReads(t);
    const { main, pooled, renderPool } = apps(t, store);
    const impatient = createHttpApp({ store, health: () => ({}), limits: { timeoutMs: 100 }, renderPool });
    const url = `/render?target=movingAverage(web.*.cpu, 5)&${range}`;
    slowDown(true);
    const timedOut = await answer(impatient, url);
    assert.equal(timedOut.status, 503);
    assert.match(timedOut.body.toString(), /render\.timeoutMs/);
    slowDown(false);
    // The worker stopped at the time limit; the next render gets a new one (no time limit here: it starts slowly on a busy machine).
    assert.deepEqual(await answer(pooled, url), await answer(main, url));
  });

  it('sends a render whose generators make many points to the pool: the event loop stays free and the time limit stops it', async (t) => {
    const store = await fixture(t);
    const renderPool = new RenderPool({ threads: 1 });
    t.after(() => renderPool.close());
    const app = createHttpApp({ store, health: () => ({}), limits: { timeoutMs: 300 }, renderPool });
    assert.equal(renderPool.wants(new Map(), generatedPoints([parseTarget('sumSeries(randomWalk("x", 1), events("e"))')], 0, 60_000)), true);
    assert.equal(renderPool.wants(new Map(), generatedPoints([parseTarget('randomWalk("x")')], 0, 60_000)), false);
    // 30 days at 1 s: 2.6 million points, seconds of work.
    const rendering = answer(app, '/render?target=randomWalk("x",1)&from=-30d');
    const started = performance.now();
    const health = await app.request('/health');
    assert.equal(health.status, 200);
    assert.ok(performance.now() - started < 1000, `/health waited ${performance.now() - started} ms`);
    const stopped = await rendering;
    assert.equal(stopped.status, 503, stopped.body.toString().slice(0, 200));
    assert.match(stopped.body.toString(), /render\.timeoutMs/);
  });

  it('answers 503 when a worker dies, and the pool starts a new one', async (t) => {
    const store = await fixture(t);
    const script = new URL('./crashing-render-worker.js', import.meta.url);
    const { main, pooled } = apps(t, store, undefined, { script });
    const url = `/render?target=web.*.cpu&${range}`;
    assert.deepEqual(await answer(pooled, url), await answer(main, url));
    const errors = t.mock.method(console, 'error', () => {});
    const crashed = await answer(pooled, `/render?target=group(web.*.cpu, crash.me)&${range}`);
    assert.equal(crashed.status, 503);
    assert.match(crashed.body.toString(), /^the render failed: its worker thread stopped \(Error: boom in a render worker\); retry the request$/);
    assert.equal(errors.mock.callCount(), 1);
    assert.deepEqual(await answer(pooled, url), await answer(main, url));
  });

  it('runs a render queued behind one whose worker died or hit the time limit', async (t) => {
    const { store, slowDown } = await slowWindowReads(t);
    const errors = t.mock.method(console, 'error', () => {});
    const { main, renderPool } = apps(t, store, undefined, { script: new URL('./crashing-render-worker.js', import.meta.url) });
    // Without the pool replacing the worker, the queued render would wait out its time limit (503).
    const pooled = createHttpApp({ store, health: () => ({}), limits: { timeoutMs: 5_000 }, renderPool });
    const impatient = createHttpApp({ store, health: () => ({}), limits: { timeoutMs: 100 }, renderPool });
    const url = `/render?target=web.*.cpu&${range}`;
    const expected = await answer(main, url);
    const [crashed, queued] = await Promise.all([answer(pooled, `/render?target=group(web.*.cpu, crash.me)&${range}`), answer(pooled, url)]);
    assert.equal(crashed.status, 503);
    assert.deepEqual(queued, expected);
    assert.equal(errors.mock.callCount(), 1);
    slowDown(true);
    const [timedOut, queuedAgain] = await Promise.all([answer(impatient, `/render?target=movingAverage(web.*.cpu, 5)&${range}`), answer(pooled, url)]);
    assert.match(timedOut.body.toString(), /render\.timeoutMs/);
    assert.deepEqual(queuedAgain, expected);
  });

  it('logs a worker module that does not load: its first render fails, later ones end at their time limit', async (t) => {
    const store = await fixture(t);
    const errors = t.mock.method(console, 'error', () => {});
    const { renderPool } = apps(t, store, undefined, { script: new URL('./broken-render-worker.js', import.meta.url) });
    const impatient = createHttpApp({ store, health: () => ({}), limits: { timeoutMs: 500 }, renderPool });
    const url = `/render?target=web.*.cpu&${range}`;
    const first = await answer(impatient, url);
    assert.equal(first.status, 503);
    assert.match(first.body.toString(), /^the render failed: its worker thread stopped \(Error: a broken render worker module\); retry the request$/);
    const later = await answer(impatient, url);
    assert.equal(later.status, 503);
    assert.match(later.body.toString(), /render\.timeoutMs/);
    // The pool's own report of the replacement worker that failed too (unheard, it would have thrown here).
    assert.ok(errors.mock.calls.some((call) => call.arguments[0] === 'http: render pool:' && /a broken render worker module/.test(String(call.arguments[1]))));
  });
});
