import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consolidateForMaxDataPoints, renderJson, renderJsonBytes, renderJsonPieces } from '../../src/http/render-json.js';
import type { RenderedSeries } from '../../src/query/render.js';

function series(target: string, start: number, step: number, values: number[], tags: Record<string, string> = { name: target }): RenderedSeries {
  return { target, tags, start, step, end: start + values.length * step, values: Float64Array.from(values) };
}

describe('renderJson', () => {
  it('writes graphite-web JSON byte for byte', () => {
    const out = renderJson([series('a.b', 100, 10, [1, NaN, 2.5])], { noNullPoints: false });
    assert.equal(
      out,
      '[{"target": "a.b", "tags": {"name": "a.b"}, "datapoints": [[1.0, 100], [null, 110], [2.5, 120]]}]',
    );
    assert.deepEqual(JSON.parse(out)[0].datapoints, [
      [1, 100],
      [null, 110],
      [2.5, 120],
    ]);
  });

  it('writes several series, tags in order, and an empty list', () => {
    const out = renderJson(
      [series('x', 0, 60, []), series('y;k=v', 0, 60, [Infinity], { k: 'v', name: 'y' })],
      { noNullPoints: false },
    );
    assert.equal(
      out,
      '[{"target": "x", "tags": {"name": "x"}, "datapoints": []}, ' +
        '{"target": "y;k=v", "tags": {"k": "v", "name": "y"}, "datapoints": [[1e9999, 0]]}]',
    );
    assert.equal(renderJson([], { noNullPoints: false }), '[]');
  });

  it('drops null points and then empty series with noNullPoints', () => {
    const out = renderJson([series('a', 0, 10, [NaN, 3, NaN]), series('b', 0, 10, [NaN])], { noNullPoints: true });
    assert.equal(out, '[{"target": "a", "tags": {"name": "a"}, "datapoints": [[3.0, 10]]}]');
  });

  it('wraps the answer in the jsonp callback, also when every series was dropped', () => {
    const options = { noNullPoints: true, jsonp: 'cb.done' };
    assert.equal(renderJson([series('a', 0, 10, [NaN, 0.25])], options), 'cb.done([{"target": "a", "tags": {"name": "a"}, "datapoints": [[0.25, 10]]}])');
    assert.equal(renderJson([series('a', 0, 10, [NaN])], options), 'cb.done([])');
  });

  it('escapes names and tags to ASCII', () => {
    const out = renderJson([series('caf\u00e9"x', 0, 10, [-0], { 'k\u20ac': 'v\u007f' })], { noNullPoints: false });
    assert.equal(out, '[{"target": "caf\\u00e9\\"x", "tags": {"k\\u20ac": "v\\u007f"}, "datapoints": [[-0.0, 0]]}]');
  });

  it('streams pieces that join to the same bytes as the whole answer', () => {
    const all = [series('a', 100, 10, [1, NaN, 2.5]), series('b', 0, 10, [NaN]), series('c', 1_700_000_000, 60, [1e-7, 1 / 3, -1e300])];
    for (const options of [{ noNullPoints: false }, { noNullPoints: true, jsonp: 'f' }, { noNullPoints: false, maxDataPoints: 2 }]) {
      const pieces = [...renderJsonPieces(all, options)];
      assert.deepEqual(Buffer.concat(pieces), Buffer.from(renderJsonBytes(all, options)));
    }
  });

  it('consolidates to maxDataPoints in buckets aligned to multiples of the bucket width', () => {
    // 12 points of 10 s from t=1000; maxDataPoints 4 -> 3 values per point, 30 s buckets from t=990.
    const s = series('a', 1000, 10, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const out = JSON.parse(renderJson([s], { noNullPoints: false, maxDataPoints: 4 }));
    assert.deepEqual(out[0].datapoints, [
      [1.5, 990],
      [4, 1020],
      [7, 1050],
      [10, 1080],
      [12, 1110],
    ]);
    // A refresh one step later keeps the same bucket boundaries.
    const later = consolidateForMaxDataPoints(series('a', 1010, 10, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]), 4, 120);
    assert.equal(later.start, 990);
    assert.deepEqual([...later.values], [2, 4, 7, 10, 12.5]);
  });

  it("consolidates with the series' consolidation function and xFilesFactor", () => {
    const counts = { ...series('a', 1000, 10, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), consolidationFunc: 'sum' as const };
    assert.deepEqual([...consolidateForMaxDataPoints(counts, 4, 120).values], [3, 12, 21, 30, 12]);
    const upper = { ...counts, consolidationFunc: 'max' as const };
    assert.deepEqual([...consolidateForMaxDataPoints(upper, 4, 120).values], [2, 5, 8, 11, 12]);
    const sparse = { ...series('a', 0, 10, [NaN, NaN, NaN, 1, 2, 2, NaN, 2]), xFilesFactor: 0.5 };
    assert.deepEqual([...consolidateForMaxDataPoints(sparse, 2, 80).values], [NaN, 2]);
  });

  it('consolidates to a single point with maxDataPoints=1', () => {
    const out = JSON.parse(renderJson([series('a', 0, 10, [2, NaN, 4])], { noNullPoints: false, maxDataPoints: 1 }));
    assert.deepEqual(out[0].datapoints, [[3, 0]]);
  });

  it('leaves series that already fit alone', () => {
    const s = series('a', 0, 10, [1, 2, 3]);
    assert.equal(consolidateForMaxDataPoints(s, 10, 30), s);
  });

  it('yields null for buckets without values', () => {
    const got = consolidateForMaxDataPoints(series('a', 0, 10, [NaN, NaN, NaN, NaN, 1, 2, NaN, NaN]), 2, 80);
    assert.equal(got.step, 40);
    assert.equal(got.start, 0);
    assert.deepEqual([...got.values], [NaN, 1.5]);
  });
});
