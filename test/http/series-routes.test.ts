import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PointBatchBuilder } from '../../src/points.js';
import { seriesRoutes } from '../../src/http/series-routes.js';
import { openTempEngine } from '../support/temp-engine.js';

const NOW = 1_800_000_000;

test('DELETE /series removes series by name and glob, with the admin token', async (t) => {
  const { store } = await openTempEngine(t, { now: () => NOW, walSyncIntervalMs: 0 });
  const batch = new PointBatchBuilder();
  for (const name of ['web.a.cpu', 'web.b.cpu', 'web.a.mem', 'db.x']) batch.push(store.seriesId(name), NOW - 10, 1);
  store.append(batch);
  const app = seriesRoutes({ store, adminToken: 's3cret' });

  assert.equal((await app.request('/series?target=web.*.cpu', { method: 'DELETE' })).status, 401);
  const wrong = await app.request('/series?target=web.*.cpu', { method: 'DELETE', headers: { authorization: 'Bearer nope' } });
  assert.equal(wrong.status, 401);
  assert.match(((await wrong.json()) as { error: string }).error, /wrong admin token/);

  const auth = { authorization: 'Bearer s3cret' };
  const res = await app.request('/series?target=web.*.cpu&target=db.x&target=no.such', { method: 'DELETE', headers: auth });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { deleted: 3, targets: ['web.*.cpu', 'db.x', 'no.such'] });
  assert.deepEqual([...store.names()], ['web.a.mem']);
  assert.deepEqual(await store.read(['web.a.cpu'], NOW - 60, NOW), []);

  const missing = await app.request('/series', { method: 'DELETE', headers: auth });
  assert.equal(missing.status, 400);
});

test('without a token only loopback clients may delete', async (t) => {
  const { store } = await openTempEngine(t, { now: () => NOW, walSyncIntervalMs: 0 });
  const app = seriesRoutes({ store, adminToken: undefined });
  // app.request has no socket, so the client is not known to be on loopback.
  const res = await app.request('/series?target=a', { method: 'DELETE' });
  assert.equal(res.status, 403);
});
