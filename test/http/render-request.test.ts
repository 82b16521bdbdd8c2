import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestParams } from '../../src/http/request-params.js';
import { parseRenderRequest } from '../../src/http/render-request.js';
import { QueryError } from '../../src/query/query-error.js';

const NOW = 1_700_000_000;
const parse = (query: string) => parseRenderRequest(new RequestParams(new URLSearchParams(query)), NOW);

function rejects(query: string, fragment: string): void {
  assert.throws(
    () => parse(query),
    (error: unknown) => error instanceof QueryError && error.message.includes(fragment),
  );
}

describe('parseRenderRequest', () => {
  it('applies graphite-web defaults', () => {
    const request = parse('target=a.b');
    assert.deepEqual(request, {
      targets: ['a.b'],
      from: NOW - 86400,
      until: NOW,
      format: 'json',
      tz: 'UTC',
      noNullPoints: false,
    });
  });

  it('gives whole seconds, as graphite-web does, whatever the fraction of the clock', () => {
    const request = parseRenderRequest(new RequestParams(new URLSearchParams('target=a&from=-1min')), NOW + 0.836);
    assert.deepEqual([request.from, request.until], [NOW - 60, NOW]);
    const shifted = parseRenderRequest(new RequestParams(new URLSearchParams('target=a&now=-1h&until=now')), NOW + 0.5);
    assert.deepEqual([shifted.from, shifted.until], [NOW - 3600 - 86400, NOW - 3600]);
  });

  it('reads every option', () => {
    const request = parse(
      'target=a&target=b&from=-1h&until=-10min&format=csv&tz=Europe/Paris&maxDataPoints=100&noNullPoints&jsonp=cb.x',
    );
    assert.deepEqual(request.targets, ['a', 'b']);
    assert.equal(request.from, NOW - 3600);
    assert.equal(request.until, NOW - 600);
    assert.equal(request.format, 'csv');
    assert.equal(request.tz, 'Europe/Paris');
    assert.equal(request.maxDataPoints, 100);
    assert.equal(request.noNullPoints, true);
    assert.equal(request.jsonp, 'cb.x');
  });

  it('accepts target[] and the now parameter, and swaps a reversed range', () => {
    const request = parse('target[]=a&target[]=b&now=1000000&from=now&until=-1h');
    assert.deepEqual(request.targets, ['a', 'b']);
    assert.equal(request.from, 1_000_000 - 3600);
    assert.equal(request.until, 1_000_000);
  });

  it('ignores what graphite-web ignores: unknown tz, non-numeric or zero maxDataPoints', () => {
    const request = parse('target=a&tz=Nowhere/Land&maxDataPoints=abc');
    assert.equal(request.tz, 'UTC');
    assert.equal(request.maxDataPoints, undefined);
    assert.equal(parse('target=a&maxDataPoints=0').maxDataPoints, undefined);
  });

  it('rejects bad input with messages naming it', () => {
    rejects('target=a&from=-1fortnight', "'-1fortnight'");
    rejects('target=a&until=soon', "'soon'");
    rejects('target=a&from=now&until=now', 'empty time range');
    rejects('target=a&format=png', "'png'");
    rejects('target=a&jsonp=alert(1)', "'alert(1)'");
  });

  it('takes an empty jsonp as none, as graphite-web does', () => {
    assert.equal(parse('target=a&jsonp=').jsonp, undefined);
  });
});
