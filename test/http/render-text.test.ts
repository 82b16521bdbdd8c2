import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderCsvPieces, renderRawPieces } from '../../src/http/render-text.js';
import type { RenderedSeries } from '../../src/query/render.js';

const T = Date.UTC(2024, 0, 2, 3, 4, 0) / 1000;

function series(target: string, values: number[]): RenderedSeries {
  return { target, tags: { name: target }, start: T, end: T + values.length * 60, step: 60, values: Float64Array.from(values) };
}

describe('renderCsvPieces', () => {
  it('writes one Excel-dialect row per point, empty for null', () => {
    const out = [...renderCsvPieces([series('a.b', [1, NaN, 0.25])], 'UTC')].join('');
    assert.equal(out, 'a.b,2024-01-02 03:04:00,1.0\r\na.b,2024-01-02 03:05:00,\r\na.b,2024-01-02 03:06:00,0.25\r\n');
  });

  it('uses the time zone and quotes names that need it', () => {
    const out = [...renderCsvPieces([series('a,"b"', [2])], 'Asia/Tokyo')].join('');
    assert.equal(out, '"a,""b""",2024-01-02 12:04:00,2.0\r\n');
  });
});

describe('renderRawPieces', () => {
  it('writes name,start,end,step|values with None for null', () => {
    const out = [...renderRawPieces([series('a.b', [1, NaN, 1e-5]), series('c', [])])].join('');
    assert.equal(out, `a.b,${T},${T + 180},60|1.0,None,1e-05\nc,${T},${T},60|\n`);
  });
});
