import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { createHttpApp } from '../../src/http/app.js';
import { PointBatchBuilder } from '../../src/points.js';
import { openTempEngine } from '../support/temp-engine.js';

/** The wall clock, on a 10 s boundary: Grafana's from=-6h is read against it. */
const NOW = Math.floor(Date.now() / 10_000) * 10;

/** Two counters (sum aggregation) with a point every 10 s over the last 6 hours: 1 and 2 per point. */
async function grafanaApp(t: TestContext) {
  const { store } = await openTempEngine(t, { now: () => NOW });
  const batch = new PointBatchBuilder();
  for (let ts = NOW - 6 * 3600; ts <= NOW; ts += 10) {
    batch.push(store.seriesId('app.a.count'), ts, 1);
    batch.push(store.seriesId('app.b.count'), ts, 2);
  }
  store.append(batch);
  return createHttpApp({ store, health: () => ({}) });
}

describe('Grafana render requests', () => {
  it('answers the exact POST Grafana sends, regex alias and aligned sum consolidation included', async (t) => {
    const app = await grafanaApp(t);
    const body = 'target=aliasSub(sumSeries(app.*.count)%2C%22(%5E.*%24)%22%2C%22%5C1%20A%22)&from=-6h&until=now&format=json&maxDataPoints=500';
    assert.equal(new URLSearchParams(body).get('target'), 'aliasSub(sumSeries(app.*.count),"(^.*$)","\\1 A")');
    const response = await app.request('/render', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    assert.equal(response.status, 200);
    const [series, ...rest] = (await response.json()) as Array<{ target: string; tags: Record<string, string>; datapoints: Array<[number | null, number]> }>;
    assert.equal(rest.length, 0);
    assert.equal(series.target, 'sumSeries(app.*.count) A');
    assert.deepEqual(series.tags, { name: 'sumSeries(app.*.count)', aggregatedBy: 'sum' });
    // 2160 points of 10 s into at most 500: 5 per bucket, 50 s buckets on multiples of 50, summed (counters).
    assert.ok(series.datapoints.length <= 501, `${series.datapoints.length} points`);
    for (const [, ts] of series.datapoints) assert.equal(ts % 50, 0);
    const full = series.datapoints.slice(1, -1).map(([value]) => value);
    assert.ok(full.length > 400);
    assert.ok(full.every((value) => value === 15), 'each full bucket sums 5 points of 1 + 2');
  });

  it('consolidateBy overrides the storage aggregation method', async (t) => {
    const app = await grafanaApp(t);
    const target = encodeURIComponent('consolidateBy(sumSeries(app.*.count),"max")');
    const response = await app.request(`/render?target=${target}&from=-6h&until=now&maxDataPoints=500`);
    const [series] = (await response.json()) as Array<{ datapoints: Array<[number | null, number]> }>;
    assert.ok(series.datapoints.slice(1, -1).every(([value]) => value === 3));
  });

  it('answers a bad target with 400 and a message pointing at it', async (t) => {
    const app = await grafanaApp(t);
    const response = await app.request(`/render?target=${encodeURIComponent('sumSeries(app.*.count')}&from=-1h`);
    assert.equal(response.status, 400);
    assert.equal(await response.text(), "bad target 'sumSeries(app.*.count': missing ')' to close sumSeries( at the end");
  });
});

describe('GET /functions', () => {
  it("describes every function in graphite-web's shape, as strict JSON", async (t) => {
    const app = await grafanaApp(t);
    const response = await app.request('/functions');
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.ok(!text.includes('Infinity') && !text.includes('NaN'));
    const functions = JSON.parse(text) as Record<string, { name: string; function: string; group: string; module: string; description: string; params: unknown[] }>;
    assert.ok(Object.keys(functions).length >= 70);
    assert.deepEqual(functions.sumSeries.params, [{ name: 'seriesLists', type: 'seriesList', required: true, multiple: true }]);
    assert.equal(functions.sumSeries.function, 'sumSeries(*seriesLists)');
    assert.equal(functions.sumSeries.group, 'Combine');
    assert.equal(functions.sumSeries.module, 'graphite.render.functions');
    assert.equal(functions.keepLastValue.function, 'keepLastValue(seriesList, limit=inf)');
    assert.deepEqual(functions.keepLastValue.params[1], { name: 'limit', type: 'intOrInf', default: 'inf' });
    const movingAverage = functions.movingAverage.params[1] as { suggestions: unknown[] };
    assert.deepEqual(movingAverage.suggestions, [5, 7, 10, '1min', '5min', '10min', '30min', '1hour']);
    const groupByNode = functions.groupByNode.params[2] as { options: string[]; default: string };
    assert.equal(groupByNode.default, 'average');
    assert.ok(groupByNode.options.includes('sumSeries') && groupByNode.options.includes('median'));
    for (const style of ['color', 'lineWidth', 'dashed', 'stacked', 'secondYAxis', 'alpha']) assert.equal(functions[style].group, 'Graph');
  });

  it('answers one function, a group, or grouped; 404 for an unknown one', async (t) => {
    const app = await grafanaApp(t);
    const aliasSub = (await (await app.request('/functions/aliasSub')).json()) as { name: string; params: Array<{ name: string }> };
    assert.deepEqual([aliasSub.name, aliasSub.params.map((p) => p.name)], ['aliasSub', ['seriesList', 'search', 'replace']]);
    const sorting = (await (await app.request('/functions?group=Sorting')).json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(sorting), ['sortBy', 'sortByMaxima', 'sortByMinima', 'sortByName', 'sortByTotal']);
    const grouped = (await (await app.request('/functions?grouped=1')).json()) as Record<string, Record<string, unknown>>;
    assert.ok('alias' in grouped.Alias && 'scale' in grouped.Transform);
    assert.equal((await app.request('/functions/noSuchFunction')).status, 404);
  });
});
