import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { createHttpApp } from '../../src/http/app.js';
import { PointBatchBuilder } from '../../src/points.js';
import type { StorageEngine } from '../../src/store/storage-engine.js';
import { openTempEngine } from '../support/temp-engine.js';

const T0 = 1_700_000_000;
/** The engine's clock: an hour after the data, so the data sits in the 10s archive. */
const NOW = T0 + 3600;

/** A real engine in a fresh directory with the embedded retention, closed when the test ends. */
async function openEngine(t: TestContext): Promise<StorageEngine> {
  return (await openTempEngine(t, { now: () => NOW })).store;
}

/** Four series, one point every 10 s over [T0, T0 + 60]: series i has i + tens of seconds since T0. */
async function appWithData(t: TestContext) {
  const store = await openEngine(t);
  const batch = new PointBatchBuilder();
  for (const [i, name] of ['web.a.cpu', 'web.b.cpu', 'web.b.mem', 'db.x;dc=1'].entries()) {
    for (let ts = T0; ts <= T0 + 60; ts += 10) batch.push(store.seriesId(name), ts, i + (ts - T0) / 10);
  }
  store.append(batch);
  return createHttpApp({ store, health: () => ({ series: store.seriesCount() }) });
}

const range = `from=${T0}&until=${T0 + 30}`;

describe('GET /render', () => {
  it('answers graphite-web JSON', async (t) => {
    const app = await appWithData(t);
    const response = await app.request(`/render?target=web.a.cpu&${range}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.equal(
      await response.text(),
      `[{"target": "web.a.cpu", "tags": {"name": "web.a.cpu"}, "datapoints": [[1.0, ${T0 + 10}], [2.0, ${T0 + 20}], [3.0, ${T0 + 30}]]}]`,
    );
  });

  it('expands globs, with or without a trailing slash', async (t) => {
    const app = await appWithData(t);
    // As in graphite-web, globs match untagged names only; tagged series come from seriesByTag().
    const response = await app.request(`/render/?target=web.*.cpu&target=db.*&target=seriesByTag('dc=1')&${range}&format=json`);
    const body = (await response.json()) as Array<{ target: string; tags: Record<string, string> }>;
    assert.deepEqual(
      body.map((s) => s.target),
      ['web.a.cpu', 'web.b.cpu', 'db.x;dc=1'],
    );
    assert.deepEqual(body[2].tags, { dc: '1', name: 'db.x' });
  });

  it('takes relative times against the now parameter', async (t) => {
    const app = await appWithData(t);
    const response = await app.request(`/render?target=web.a.cpu&now=${T0 + 60}&from=-20s`);
    const [series] = (await response.json()) as Array<{ datapoints: number[][] }>;
    assert.deepEqual(series.datapoints, [
      [5, T0 + 50],
      [6, T0 + 60],
    ]);
  });

  it('wraps JSONP', async (t) => {
    const app = await appWithData(t);
    const response = await app.request(`/render?target=web.a.cpu&${range}&jsonp=cb`);
    assert.equal(response.headers.get('content-type'), 'text/javascript');
    const text = await response.text();
    assert.ok(text.startsWith('cb([{"target": "web.a.cpu"') && text.endsWith(')'), text);
  });

  it('answers csv and raw', async (t) => {
    const app = await appWithData(t);
    const csv = await app.request(`/render?target=web.a.cpu&${range}&format=csv`);
    assert.equal(csv.headers.get('content-type'), 'text/csv');
    assert.equal((await csv.text()).split('\r\n')[0], 'web.a.cpu,2023-11-14 22:13:30,1.0');
    const raw = await app.request(`/render?target=web.a.cpu&${range}&format=raw`);
    assert.equal(await raw.text(), `web.a.cpu,${T0 + 10},${T0 + 40},10|1.0,2.0,3.0\n`);
  });

  it('applies maxDataPoints and noNullPoints', async (t) => {
    const app = await appWithData(t);
    const response = await app.request(
      `/render?target=web.a.cpu&from=${T0 - 100}&until=${T0 + 60}&maxDataPoints=1&noNullPoints`,
    );
    const [series] = (await response.json()) as Array<{ datapoints: number[][] }>;
    assert.deepEqual(series.datapoints, [[3, T0 - 90]]);
  });
});

describe('POST /render', () => {
  it('reads a Grafana-style form with repeated targets', async (t) => {
    const body = new URLSearchParams([
      ['target', 'web.b.mem'],
      ['target', 'web.a.cpu'],
      ['from', String(T0)],
      ['until', String(T0 + 30)],
      ['format', 'json'],
      ['maxDataPoints', '1000'],
    ]);
    const app = await appWithData(t);
    const response = await app.request('/render', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    assert.equal(response.status, 200);
    const series = (await response.json()) as Array<{ target: string; datapoints: number[][] }>;
    assert.deepEqual(
      series.map((s) => s.target),
      ['web.b.mem', 'web.a.cpu'],
    );
    assert.equal(series[0].datapoints.length, 3);
  });
});

describe('render errors', () => {
  const badRequests: Array<[query: string, fragment: string]> = [
    ['target=a&from=yesterdayish', "'yesterdayish'"],
    ['target=a&until=-5m', "'-5m'"],
    ['target=a&from=now&until=now', 'empty time range'],
    ['target=sumSeries(web.*.cpu', "missing ')' to close sumSeries( at the end"],
    ['target=noSuchFunction(web.*.cpu)', 'unknown function noSuchFunction() (column 1)'],
    ['target=scale(web.*.cpu,"x")', "invalid float value 'x' for parameter 'factor' of scale() (column 17)"],
    ['target=web.[z-a]', "'web.[z-a]'"],
    ['target=a&format=png', "'png'"],
    ['target=a&jsonp=<script>', "'<script>'"],
  ];
  for (const [query, fragment] of badRequests) {
    it(`400 for ${query}`, async (t) => {
      const app = await appWithData(t);
      const response = await app.request(`/render?${query}`);
      assert.equal(response.status, 400);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
      assert.ok((await response.text()).includes(fragment));
    });
  }

  it('404s unknown routes', async (t) => {
    const app = await appWithData(t);
    const response = await app.request('/nope');
    assert.equal(response.status, 404);
  });

  it('500s true bugs without leaking them', async (t) => {
    const store = await openEngine(t);
    store.read = () => {
      throw new Error('disk on fire');
    };
    const app = createHttpApp({ store, health: () => ({}) });
    const originalError = console.error;
    console.error = () => {};
    try {
      const response = await app.request('/render?target=a.b');
      assert.equal(response.status, 500);
      assert.equal(await response.text(), 'internal server error');
    } finally {
      console.error = originalError;
    }
  });
});

describe('GET /metrics/find', () => {
  it('answers treejson', async (t) => {
    const app = await appWithData(t);
    const response = await app.request('/metrics/find?query=web.*');
    assert.equal(
      await response.text(),
      '[{"text": "a", "id": "web.a", "allowChildren": 1, "expandable": 1, "leaf": 0}, ' +
        '{"text": "b", "id": "web.b", "allowChildren": 1, "expandable": 1, "leaf": 0}]',
    );
  });

  it('lists leaves with the query prefix as id base and a wildcard node on request', async (t) => {
    const app = await appWithData(t);
    const response = await app.request('/metrics/find?query=web.b.*&wildcards=1');
    assert.deepEqual(await response.json(), [
      { text: '*', id: 'web.b.*', allowChildren: 0, expandable: 0, leaf: 1 },
      { text: 'cpu', id: 'web.b.cpu', allowChildren: 0, expandable: 0, leaf: 1 },
      { text: 'mem', id: 'web.b.mem', allowChildren: 0, expandable: 0, leaf: 1 },
    ]);
  });

  it('answers the completer format', async (t) => {
    const app = await appWithData(t);
    const response = await app.request('/metrics/find?query=web.b.c&format=completer');
    assert.deepEqual(await response.json(), { metrics: [{ path: 'web.b.cpu', name: 'cpu', is_leaf: '1' }] });
    const branches = await app.request('/metrics/find?query=we&format=completer');
    assert.deepEqual(await branches.json(), { metrics: [{ path: 'web.', name: 'web', is_leaf: '0' }] });
  });

  it('400s a missing query or an unknown format', async (t) => {
    const app = await appWithData(t);
    const missing = await app.request('/metrics/find');
    assert.equal(missing.status, 400);
    assert.ok((await missing.text()).includes("'query'"));
    const format = await app.request('/metrics/find?query=*&format=xml');
    assert.equal(format.status, 400);
    assert.ok((await format.text()).includes("'xml'"));
  });
});

describe('health and version', () => {
  it('GET /health', async (t) => {
    const app = await appWithData(t);
    const response = await app.request('/health');
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok', series: 4 });
  });

  it('GET /version answers like graphite-web', async (t) => {
    const app = await appWithData(t);
    const response = await app.request('/version');
    assert.equal(await response.text(), '1.1.10');
  });
});

describe('streamed answers', () => {
  it('a large JSON answer, streamed in pieces, has the bytes of the small ones it is made of', async (t: TestContext) => {
    const store = (await openTempEngine(t, { now: () => T0 + 86_400 })).store;
    const batch = new PointBatchBuilder();
    const names = ['wide.a', 'wide.b', 'wide.c'];
    for (const [s, name] of names.entries()) {
      const id = store.seriesId(name);
      for (let ts = T0 + 10; ts <= T0 + 86_400; ts += 10) batch.push(id, ts, s === 1 && ts % 70 === 0 ? NaN : (ts % 997) / (s + 3));
    }
    store.append(batch);
    const app = createHttpApp({ store, health: () => ({}) });
    const range = `from=${T0}&until=${T0 + 86_400}&jsonp=cb`;
    // 3 x 8,640 points: over what is written in one piece, while each series alone is under it.
    const whole = await (await app.request(`/render?target=wide.*&${range}`)).text();
    const single = await Promise.all(names.map(async (name) => (await app.request(`/render?target=${name}&${range}`)).text()));
    const inner = single.map((answer) => answer.slice('cb(['.length, -'])'.length));
    assert.equal(whole, `cb([${inner.join(', ')}])`);
    assert.equal(JSON.parse(whole.slice(3, -1)).length, 3);
  });

  it('a small render completes while a large answer is still being built', async (t: TestContext) => {
    const store = (await openTempEngine(t, { now: () => T0 + 86_400 })).store;
    const batch = new PointBatchBuilder();
    for (let s = 0; s < 300; s++) {
      const id = store.seriesId(`big.s${s}.value`);
      for (let ts = T0; ts < T0 + 86_400; ts += 60) batch.push(id, ts, s + ts / 7);
    }
    store.append(batch);
    const app = createHttpApp({ store, health: () => ({}) });
    const range = `from=${T0 - 10}&until=${T0 + 86_400}`;
    const order: string[] = [];
    const big = await app.request(`/render?target=big.*.value&${range}&format=json`);
    const bigRead = big.arrayBuffer().then((body) => {
      order.push('big');
      return body.byteLength;
    });
    // A request arriving on a later turn of the event loop, as one from another socket would.
    await new Promise((resolve) => setImmediate(resolve));
    const small = await app.request(`/render?target=big.s7.value&${range}&format=json`);
    assert.equal(small.status, 200);
    await small.arrayBuffer();
    order.push('small');
    assert.ok((await bigRead) > 1_000_000, 'the large answer is complete');
    assert.deepEqual(order, ['small', 'big']);
  });
});
