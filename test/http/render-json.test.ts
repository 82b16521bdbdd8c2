import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consolidateForMaxDataPoints, renderJson } from '../../src/http/render-json.js';
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

  it('consolidates to maxDataPoints like graphite-web', () => {
    // 12 points of 10 s from t=1000; maxDataPoints 4 -> 3 values per point, 30 s buckets nudged to
    // t=1020 (the next multiple of 30 after 1000), dropping one value fewer than the nudge covers.
    const s = series('a', 1000, 10, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const out = JSON.parse(renderJson([s], { noNullPoints: false, maxDataPoints: 4 }));
    assert.deepEqual(out[0].datapoints, [
      [3, 1020],
      [6, 1050],
      [9, 1080],
      [11.5, 1110],
    ]);
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
    assert.equal(got.start, 40);
    // Nudged to t=40, three values dropped: [NaN, 1, 2, NaN] and [NaN] remain.
    assert.deepEqual([...got.values], [1.5, NaN]);
  });
});
