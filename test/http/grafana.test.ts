/**
 * Replays the requests Grafana's Graphite data source sends (datasource.ts: query,
 * metricFindQuery, getTags, getTagValues, getTagsAutoComplete, getTagValuesAutoComplete,
 * getVersion, getFuncDefs) against the app over a real engine, and checks what Grafana reads.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { engineApp, T0 } from './engine-app.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('Grafana Graphite data source', () => {
  it('query: POST /render as a form with format=json and maxDataPoints', async (t) => {
    const { app } = await engineApp(t);
    const body = `target=${encodeURIComponent('web.b.*')}&from=${T0}&until=${T0 + 60}&format=json&maxDataPoints=1536`;
    const response = await app.request('/render', { method: 'POST', headers: FORM, body });
    assert.equal(response.status, 200);
    const series = (await response.json()) as Array<{ target: string; tags: Record<string, string>; datapoints: [number | null, number][] }>;
    assert.deepEqual(series.map((s) => s.target), ['web.b.cpu', 'web.b.mem']);
    for (const s of series) {
      assert.equal(s.tags.name, s.target);
      for (const [value, ts] of s.datapoints) {
        assert.ok(value === null || typeof value === 'number');
        assert.ok(Number.isInteger(ts) && ts > T0 && ts <= T0 + 60);
      }
    }
  });

  it("query: the alias wrapper Grafana adds, aliasSub(<target>, '(^.*$)', '\\1 A')", async (t) => {
    const { app } = await engineApp(t);
    const target = `aliasSub(web.b.cpu, '(^.*$)', '\\1 A')`;
    const body = `target=${encodeURIComponent(target)}&from=${T0}&until=${T0 + 60}&format=json&maxDataPoints=100`;
    const response = await app.request('/render', { method: 'POST', headers: FORM, body });
    if (response.status === 400 && /function/i.test(await response.clone().text())) return t.skip('the function language is not in yet');
    assert.equal(response.status, 200);
    const series = (await response.json()) as Array<{ target: string }>;
    assert.deepEqual(series.map((s) => s.target), ['web.b.cpu A']);
  });

  it('metricFindQuery: GET /metrics/find?query=*&from&until', async (t) => {
    const { app } = await engineApp(t);
    const response = await app.request('/metrics/find?query=*&from=-6h&until=now');
    assert.equal(response.status, 200);
    const nodes = (await response.json()) as Array<Record<string, unknown>>;
    assert.deepEqual(nodes.map((n) => n.text), ['db', 'web'], 'tagged series (disk.*;...) are not in the tree');
    for (const node of nodes) {
      assert.deepEqual(Object.keys(node).sort(), ['allowChildren', 'expandable', 'id', 'leaf', 'text']);
      assert.equal(node.expandable, 1);
    }
    const leaves = (await (await app.request('/metrics/find?query=web.b.*&from=-6h&until=now')).json()) as Array<Record<string, unknown>>;
    assert.deepEqual(leaves.map((n) => [n.id, n.leaf, n.expandable]), [['web.b.cpu', 1, 0], ['web.b.mem', 1, 0]]);
  });

  it('getTags, getTagValues: GET /tags and /tags/{tag} with from/until', async (t) => {
    const { app } = await engineApp(t);
    const tags = (await (await app.request('/tags?from=-6h&until=now')).json()) as Array<{ tag: string }>;
    assert.deepEqual(tags.map((x) => x.tag), ['dc', 'host', 'name']);
    const values = (await (await app.request('/tags/dc?from=-6h&until=now')).json()) as { tag: string; values: Array<{ value: string; count: number }> };
    assert.deepEqual(values.values.map((v) => v.value), ['east', 'west']);
  });

  it('getTagsAutoComplete and getTagValuesAutoComplete: expr, prefixes and limit', async (t) => {
    const { app } = await engineApp(t);
    const tags = await app.request('/tags/autoComplete/tags?expr=name%3Ddisk.used&tagPrefix=&limit=100&from=-6h&until=now');
    assert.deepEqual(await tags.json(), ['dc', 'host']);
    const values = await app.request('/tags/autoComplete/values?expr=name%3Ddisk.used&tag=host&valuePrefix=w&limit=100&from=-6h&until=now');
    assert.deepEqual(await values.json(), ['web1', 'web2']);
    const seriesByTag = `seriesByTag('name=disk.used', 'dc=east')`;
    const render = await app.request('/render', {
      method: 'POST',
      headers: FORM,
      body: `target=${encodeURIComponent(seriesByTag)}&from=${T0}&until=${T0 + 60}&format=json&maxDataPoints=100`,
    });
    if (render.status === 400 && /function/i.test(await render.clone().text())) return t.skip('seriesByTag targets come with the function language');
    assert.deepEqual(((await render.json()) as Array<{ target: string }>).map((s) => s.target), ['disk.used;dc=east;host=web1', 'disk.used;dc=east;host=web2']);
  });

  it('getVersion: GET /version is semver', async (t) => {
    const { app } = await engineApp(t);
    const response = await app.request('/version');
    assert.match(await response.text(), /^\d+\.\d+\.\d+$/);
  });

  it('getFuncDefs: GET /functions is strict JSON (when it exists)', async (t) => {
    const { app } = await engineApp(t);
    const response = await app.request('/functions');
    if (response.status === 404) return t.skip('/functions is not in yet');
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.doesNotMatch(text, /\bInfinity\b|\bNaN\b/);
    const functions = JSON.parse(text) as Record<string, { name: string; params?: unknown[] }>;
    assert.ok(functions.sumSeries, 'describes sumSeries');
  });
});
