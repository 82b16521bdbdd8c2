import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PointBatchBuilder } from '../../src/points.js';
import { QueryError } from '../../src/query/query-error.js';
import { renderTargets, seriesTags } from '../../src/query/render.js';
import { MemoryStore } from '../../src/store/memory-store.js';

const T0 = 1_700_000_000;

function fixture(): MemoryStore {
  const store = new MemoryStore({ stepSeconds: 10, retentionSeconds: 3600, now: () => 4e9 });
  const batch = new PointBatchBuilder();
  const names = ['web.b.cpu', 'web.a.cpu', 'web.c.mem', 'db.a.cpu', 'disk.used;dc=1;host=x'];
  names.forEach((name, i) => {
    for (let t = T0; t <= T0 + 60; t += 10) batch.push(store.seriesId(name), t, i * 100 + (t - T0));
  });
  store.append(batch);
  return store;
}

describe('renderTargets', () => {
  it('renders a plain path with Graphite times and tags', () => {
    const [series, ...rest] = renderTargets(fixture(), ['web.a.cpu'], T0, T0 + 30);
    assert.equal(rest.length, 0);
    assert.equal(series.target, 'web.a.cpu');
    assert.deepEqual(series.tags, { name: 'web.a.cpu' });
    assert.equal(series.start, T0 + 10);
    assert.equal(series.end, T0 + 40);
    assert.equal(series.step, 10);
    assert.deepEqual([...series.values], [110, 120, 130]);
  });

  it('expands globs sorted by name, targets in request order', () => {
    const rendered = renderTargets(fixture(), ['web.*.cpu', 'db.a.cpu', '*.a.cpu'], T0, T0 + 30);
    assert.deepEqual(
      rendered.map((s) => s.target),
      ['web.a.cpu', 'web.b.cpu', 'db.a.cpu', 'db.a.cpu', 'web.a.cpu'],
    );
  });

  it('reads every matched series with one store read', () => {
    const store = fixture();
    let reads = 0;
    const read = store.read.bind(store);
    store.read = (names, from, until) => {
      reads++;
      return read(names, from, until);
    };
    renderTargets(store, ['web.*.cpu', 'web.{a,c}.*', 'db.a.cpu'], T0, T0 + 30);
    assert.equal(reads, 1);
  });

  it('matches tagged series by path and keeps their tags', () => {
    const [series] = renderTargets(fixture(), ['disk.*'], T0, T0 + 30);
    assert.equal(series.target, 'disk.used;dc=1;host=x');
    assert.deepEqual(series.tags, { dc: '1', host: 'x', name: 'disk.used' });
    const [exact] = renderTargets(fixture(), ['disk.used;dc=1;host=x'], T0, T0 + 30);
    assert.equal(exact.target, 'disk.used;dc=1;host=x');
  });

  it('returns nothing for unknown paths and skips empty targets', () => {
    assert.deepEqual(renderTargets(fixture(), ['no.such', 'no.*', '  '], T0, T0 + 30), []);
  });

  it('rejects functions with a QueryError naming the target', () => {
    assert.throws(
      () => renderTargets(fixture(), ['sumSeries(web.*.cpu)'], T0, T0 + 30),
      (error: unknown) => error instanceof QueryError && error.message.includes('sumSeries(web.*.cpu)'),
    );
  });
});

describe('seriesTags', () => {
  it('puts name last, after the series tags', () => {
    assert.deepEqual(Object.entries(seriesTags('a.b;z=1;k=v')), [
      ['z', '1'],
      ['k', 'v'],
      ['name', 'a.b'],
    ]);
  });
});
