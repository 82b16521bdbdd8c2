import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readRequestParams, RequestParams } from '../../src/http/request-params.js';
import { QueryError } from '../../src/query/query-error.js';

describe('RequestParams', () => {
  it('keeps repeats in order and answers single lookups with the last value', () => {
    const params = new RequestParams([
      ['target', 'a'],
      ['from', '-1h'],
      ['target', 'b'],
      ['from', '-2h'],
    ]);
    assert.deepEqual(params.getAll('target'), ['a', 'b']);
    assert.equal(params.get('from'), '-2h');
    assert.equal(params.get('until'), undefined);
    assert.equal(params.has('target'), true);
  });
});

describe('readRequestParams', () => {
  it('merges the query string with a url-encoded form body, decoding + as space', async () => {
    const request = new Request('http://x/render?target=q.1&from=noon+yesterday', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'target=f.1&target=f.%2A&until=now',
    });
    const params = await readRequestParams(request);
    assert.deepEqual(params.getAll('target'), ['q.1', 'f.1', 'f.*']);
    assert.equal(params.get('from'), 'noon yesterday');
    assert.equal(params.get('until'), 'now');
  });

  it('reads multipart form bodies', async () => {
    const form = new FormData();
    form.append('target', 'a');
    form.append('target', 'b');
    const params = await readRequestParams(new Request('http://x/render', { method: 'POST', body: form }));
    assert.deepEqual(params.getAll('target'), ['a', 'b']);
  });

  it('answers a body that is not valid multipart with a QueryError (a 400), not a TypeError (a 500)', async () => {
    const request = new Request('http://x/render', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=xx' }, body: 'garbage' });
    await assert.rejects(readRequestParams(request), (error: Error) => error instanceof QueryError && /^bad multipart\/form-data body: /.test(error.message));
  });
});
