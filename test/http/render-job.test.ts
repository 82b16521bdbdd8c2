import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryError } from '../../src/query/query-error.js';
import type { FetchedRanges } from '../../src/query/evaluator.js';
import { RequestLimitError } from '../../src/http/limits.js';
import { errorFromWire, errorToWire, movablePieces, rangeColumns, rangesFromColumns } from '../../src/http/render-job.js';
import type { SeriesRange } from '../../src/store/series-store.js';

function range(name: string, values: Float64Array, method = 'average'): SeriesRange {
  return { name, start: 1_700_000_000, end: 1_700_000_000 + values.length * 10, step: 10, values, aggregationMethod: method, xFilesFactor: 0.25 };
}

/** What the other thread sees: the columns cloned with their buffers moved. */
function across(fetched: FetchedRanges): { received: FetchedRanges; moved: number } {
  const { columns, transfer } = rangeColumns(fetched);
  return { received: rangesFromColumns(structuredClone(columns, { transfer })), moved: transfer.length };
}

const plain = (fetched: FetchedRanges) => [...fetched].map(([key, ranges]) => [key, ranges.map((r) => ({ ...r, values: [...r.values] }))]);

describe('range columns', () => {
  it('carry ranges on shared and own buffers, a range under two keys, each buffer moved once', () => {
    const shared = new Float64Array(8).map((_, i) => i + 0.5);
    const own = Float64Array.of(1, NaN, 3);
    const a = range('a.b', shared.subarray(0, 3));
    const c = range('a.c;dc=x', shared.subarray(3, 8), 'sum');
    const d = range('d', own, 'max');
    const fetched: FetchedRanges = new Map([
      ['1:2:a.*', [a, c]],
      ['1:2:d', [d]],
      ['0:2:a.b', [a]],
      ['1:2:none', []],
    ]);
    const expected = plain(fetched);
    const { received, moved } = across(fetched);
    assert.equal(moved, 2);
    assert.deepEqual(plain(received), expected);
    assert.equal(shared.length, 0, 'the buffers were moved, not copied');
  });

  it('copy the smaller series into one buffer when there are too many buffers to move', () => {
    const ranges = Array.from({ length: 1500 }, (_, i) => range(`s${i}`, new Float64Array(i % 7 === 0 ? 64 : 3).fill(i)));
    const expected = plain(new Map([['k', ranges]]));
    const { received, moved } = across(new Map([['k', ranges]]));
    assert.equal(moved, 1024);
    assert.deepEqual(plain(received), expected);
  });
});

describe('render job errors and pieces', () => {
  it('come back as the errors they were', () => {
    const query = errorFromWire(structuredClone(errorToWire(new QueryError('unknown function f() (column 1)'))));
    assert.ok(query instanceof QueryError);
    assert.equal(query.message, 'unknown function f() (column 1)');
    const limit = errorFromWire(structuredClone(errorToWire(new RequestLimitError('too many series', 422, 'render.maxSeries'))));
    assert.ok(limit instanceof RequestLimitError);
    assert.deepEqual([limit.message, limit.status, limit.limit], ['too many series', 422, 'render.maxSeries']);
    assert.match(errorFromWire(errorToWire(new TypeError('bug'))).message, /^TypeError: bug/);
  });

  it('join small pieces into ~1 MiB ones of their own buffers, the bytes unchanged', () => {
    const big = new Uint8Array(3 << 19).fill(7);
    const pieces = [Uint8Array.of(1, 2), new Uint8Array(new ArrayBuffer(16), 4, 0), new Uint8Array(new ArrayBuffer(10), 2, 5).fill(3), big, Uint8Array.of(9)];
    const { pieces: joined, transfer } = movablePieces(pieces.values());
    assert.deepEqual(Buffer.concat(joined), Buffer.concat(pieces));
    assert.equal(joined.length, 2);
    assert.deepEqual(transfer, joined.map((piece) => piece.buffer));
    for (const piece of joined) assert.equal(piece.byteLength, piece.buffer.byteLength);
  });
});
