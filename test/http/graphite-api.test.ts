import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unpack } from '../support/msgpack-reader.js';
import { createHttpApp } from '../../src/http/app.js';
import type { SeriesStore } from '../../src/store/series-store.js';
import { engineApp, NOW, T0 } from './engine-app.js';
import { openTempEngine } from '../support/temp-engine.js';

const range = `from=${T0}&until=${T0 + 30}`;

describe('/metrics/find', () => {
  it('answers treejson from the metric tree, graphite-web 1.1 keys, a path both branch and leaf once', async (t) => {
    const { app } = await engineApp(t);
    const response = await app.request('/metrics/find?query=web.*');
    assert.equal(
      await response.text(),
      '[{"text": "a", "id": "web.a", "allowChildren": 1, "expandable": 1, "leaf": 0}, ' +
        '{"text": "b", "id": "web.b", "allowChildren": 1, "expandable": 1, "leaf": 0}]',
    );
  });

  it('leavesOnly keeps leaves; an empty query and bad ints are 400s', async (t) => {
    const { app } = await engineApp(t);
    const leaves = await app.request('/metrics/find?query=web.*&leavesOnly=1&format=completer');
    assert.deepEqual(await leaves.json(), { metrics: [{ path: 'web.b', name: 'b', is_leaf: '1' }] });
    const empty = await app.request('/metrics/find?query=');
    assert.equal(empty.status, 400);
    assert.match(await empty.text(), /'query' is empty/);
    const badInt = await app.request('/metrics/find?query=*&wildcards=yes');
    assert.equal(badInt.status, 400);
    assert.match(await badInt.text(), /invalid int value 'yes' for param wildcards/);
    const badTime = await app.request('/metrics/find?query=*&from=yesterdayish');
    assert.equal(badTime.status, 400);
    assert.match(await badTime.text(), /param from/);
  });
});

describe('/metrics/expand and /metrics/index.json', () => {
  it('expands queries into sorted paths, merged or grouped by query', async (t) => {
    const { app } = await engineApp(t);
    const merged = await app.request('/metrics/expand?query=web.*&query=db.*');
    assert.equal(await merged.text(), '{"results": ["db.x", "web.a", "web.b"]}');
    const grouped = await app.request('/metrics/expand?query=web.b.*&query=web.*&groupByExpr=1&leavesOnly=1');
    assert.equal(await grouped.text(), '{"results": {"web.b.*": ["web.b.cpu", "web.b.mem"], "web.*": ["web.b"]}}');
    const jsonp = await app.request('/metrics/expand?query=db.*&jsonp=cb');
    assert.equal(await jsonp.text(), 'cb({"results": ["db.x"]})');
    assert.equal(jsonp.headers.get('content-type'), 'text/javascript');
  });

  it('lists every untagged series, sorted', async (t) => {
    const { app } = await engineApp(t);
    const response = await app.request('/metrics/index.json');
    assert.equal(await response.text(), '["db.x.load", "web.a.cpu", "web.b", "web.b.cpu", "web.b.mem"]');
  });
});

describe('/tags', () => {
  it('lists tags, filtered by an anchored regex and limited', async (t) => {
    const { app } = await engineApp(t);
    assert.equal(await (await app.request('/tags')).text(), '[{"tag": "dc"}, {"tag": "host"}, {"tag": "name"}]');
    assert.deepEqual(await (await app.request('/tags?filter=o')).json(), []);
    assert.deepEqual(await (await app.request('/tags?filter=h|n&limit=1')).json(), [{ tag: 'host' }]);
  });

  it('describes one tag with its values and counts; null for an unknown tag', async (t) => {
    const { app } = await engineApp(t);
    assert.equal(
      await (await app.request('/tags/dc')).text(),
      '{"tag": "dc", "values": [{"value": "east", "count": 3}, {"value": "west", "count": 1}]}',
    );
    assert.deepEqual(await (await app.request('/tags/host?filter=web&limit=1')).json(), { tag: 'host', values: [{ value: 'web1', count: 2 }] });
    assert.equal(await (await app.request('/tags/nope')).text(), 'null');
  });

  it('finds series by expressions (repeatable expr, or expr[])', async (t) => {
    const { app } = await engineApp(t);
    const found = await app.request('/tags/findSeries?expr=name=~disk&expr=dc=east');
    assert.deepEqual(await found.json(), ['disk.free;dc=east;host=web1', 'disk.used;dc=east;host=web1', 'disk.used;dc=east;host=web2']);
    const brackets = await app.request('/tags/findSeries?expr[]=name=disk.free&expr[]=dc=');
    assert.deepEqual(await brackets.json(), ['disk.free;host=lonely']);
    const none = await app.request('/tags/findSeries');
    assert.equal(none.status, 400);
    assert.deepEqual(await none.json(), { error: 'no tag expressions specified' });
    const onlyEmpty = await app.request('/tags/findSeries?expr=dc=');
    assert.equal(onlyEmpty.status, 400);
    assert.match(((await onlyEmpty.json()) as { error: string }).error, /at least one tag expression/);
  });

  it('auto-completes tags and values, with and without expressions', async (t) => {
    const { app } = await engineApp(t);
    assert.deepEqual(await (await app.request('/tags/autoComplete/tags?tagPrefix=h')).json(), ['host']);
    assert.deepEqual(await (await app.request('/tags/autoComplete/tags?limit=2')).json(), ['dc', 'host']);
    assert.deepEqual(await (await app.request('/tags/autoComplete/tags?expr=host=lonely')).json(), ['name']);
    assert.deepEqual(await (await app.request('/tags/autoComplete/values?tag=host&valuePrefix=web')).json(), ['web1', 'web2']);
    assert.deepEqual(await (await app.request('/tags/autoComplete/values?tag=host&expr=dc=west')).json(), ['db1']);
    assert.deepEqual(await (await app.request('/tags/autoComplete/values?tag=dc&expr=name=disk.free')).json(), ['east']);
    const noTag = await app.request('/tags/autoComplete/values');
    assert.equal(noTag.status, 400);
    assert.deepEqual(await noTag.json(), { error: 'no tag specified' });
  });

  it('forgets deleted series', async (t) => {
    const { app, store } = await engineApp(t);
    await store.deleteSeries(['disk.used;dc=west;host=db1']);
    assert.equal(await (await app.request('/tags/dc')).text(), '{"tag": "dc", "values": [{"value": "east", "count": 3}]}');
    assert.deepEqual(await (await app.request('/tags/findSeries?expr=dc=west')).json(), []);
  });
});

describe('/render binary formats', () => {
  it('answers pickle and msgpack with graphite-web content types', async (t) => {
    const { app } = await engineApp(t);
    const pickle = await app.request(`/render?target=web.b.cpu&${range}&format=pickle`);
    assert.equal(pickle.status, 200);
    assert.equal(pickle.headers.get('content-type'), 'application/pickle');
    const bytes = new Uint8Array(await pickle.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0x80, 5, 0x95]);
    assert.equal(bytes[bytes.length - 1], 0x2e, 'ends with STOP');

    const msgpack = await app.request(`/render?target=web.b.cpu&${range}&format=msgpack`);
    assert.equal(msgpack.headers.get('content-type'), 'application/x-msgpack');
    const [info] = unpack(new Uint8Array(await msgpack.arrayBuffer())) as Array<Record<string, unknown>>;
    assert.equal(info.name, 'web.b.cpu');
    assert.equal(info.step, 10);
    const json = (await (await app.request(`/render?target=web.b.cpu&${range}`)).json()) as Array<{ datapoints: [number | null, number][] }>;
    assert.deepEqual(info.values, json[0].datapoints.map(([v]) => v));
    assert.deepEqual((info.values as number[]).slice(0, 3), [2, 3, 4]);
  });
});

describe('request limits', () => {
  it('refuses too many series with 422 naming the limit', async (t) => {
    const { app } = await engineApp(t, { maxSeries: 2 });
    const response = await app.request(`/render?target=web.*.*&${range}`);
    assert.equal(response.status, 422);
    assert.equal(await response.text(), 'too many series: 3 matched, the limit is 2 (render.maxSeries)');
    assert.equal((await app.request(`/render?target=web.b.*&${range}`)).status, 200);
  });

  it('refuses too many points with 422 naming the limit', async (t) => {
    const { app } = await engineApp(t, { maxPoints: 5 });
    const response = await app.request(`/render?target=web.b.*&${range}`);
    assert.equal(response.status, 422);
    assert.match(await response.text(), /^too many points: \d+ requested, the limit is 5 \(render\.maxPoints\)$/);
  });

  it('answers 503 naming the time limit when a request runs too long', async (t) => {
    const { store } = await engineApp(t);
    // The real engine behind a store whose reads take 200 ms: a request slower than its 20 ms limit.
    const slowStore: SeriesStore = {
      seriesId: (name) => store.seriesId(name),
      append: (batch) => store.append(batch),
      names: () => store.names(),
      read: async (names, from, until) => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return store.read(names, from, until);
      },
      seriesCount: () => store.seriesCount(),
      close: async () => {},
    };
    const app = createHttpApp({ store: slowStore, health: () => ({}), limits: { timeoutMs: 20 } });
    const response = await app.request(`/render?target=web.b.*&${range}`);
    assert.equal(response.status, 503);
    assert.match(await response.text(), /render\.timeoutMs/);
  });
});

describe('/metrics/find and /metrics/expand over the metric tree', () => {
  it('sort whole paths, list a leaf that is also a branch twice, and escape as Python does', async (t) => {
    const { store } = await openTempEngine(t, { now: () => NOW });
    for (const name of ['web.a.cpu', 'web.a-1.cpu', 'web.a', 'web.snow\u2603.x']) store.seriesId(name);
    const app = createHttpApp({ store, health: () => ({}) });
    const expanded = await app.request('/metrics/expand?query=web.*.*');
    // Node by node `a` comes before `a-1`; as whole strings `web.a-1.cpu` comes first ('-' < '.').
    assert.equal(await expanded.text(), '{"results": ["web.a-1.cpu", "web.a.cpu", "web.snow\\u2603.x"]}');
    const both = await app.request('/metrics/expand?query=web.*');
    assert.equal(await both.text(), '{"results": ["web.a", "web.a-1", "web.snow\\u2603"]}');
    const completer = await app.request('/metrics/find?query=web.&format=completer');
    assert.equal(
      await completer.text(),
      '{"metrics": [{"path": "web.a.", "name": "a", "is_leaf": "0"}, {"path": "web.a", "name": "a", "is_leaf": "1"}, ' +
        '{"path": "web.a-1.", "name": "a-1", "is_leaf": "0"}, {"path": "web.snow\\u2603.", "name": "snow\\u2603", "is_leaf": "0"}]}',
    );
    const tree = await app.request('/metrics/find?query=web.*&wildcards=1');
    assert.deepEqual(
      ((await tree.json()) as { id: string; leaf: number }[]).map((node) => [node.id, node.leaf]),
      [['web.*', 0], ['web.a', 0], ['web.a-1', 0], ['web.snow\u2603', 0]],
    );
  });
});
