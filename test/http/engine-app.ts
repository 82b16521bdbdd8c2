/** Test support: the HTTP app over a real storage engine in a temp directory, with some data. */
import type { TestContext } from 'node:test';
import { createHttpApp } from '../../src/http/app.js';
import type { RenderLimits } from '../../src/http/limits.js';
import { PointBatchBuilder } from '../../src/points.js';
import { openTempEngine } from '../support/temp-engine.js';

export const T0 = 1_700_000_000;
/** The engine's clock: an hour after the data, so the data sits in the 10 s archive. */
export const NOW = T0 + 3600;

export const SERIES = [
  'web.a.cpu',
  'web.b.cpu',
  'web.b.mem',
  'web.b',
  'db.x.load',
  'disk.used;dc=east;host=web1',
  'disk.used;dc=east;host=web2',
  'disk.used;dc=west;host=db1',
  'disk.free;dc=east;host=web1',
  'disk.free;host=lonely',
];

/** An engine holding SERIES, each with a point every 10 s over [T0, T0 + 60]. */
export async function engineApp(t: TestContext, limits?: Partial<RenderLimits>) {
  const { store } = await openTempEngine(t, { now: () => NOW });
  const batch = new PointBatchBuilder();
  for (const [i, name] of SERIES.entries()) {
    for (let ts = T0; ts <= T0 + 60; ts += 10) batch.push(store.seriesId(name), ts, i + (ts - T0) / 10);
  }
  store.append(batch);
  const app = createHttpApp({ store, health: () => ({}), limits });
  return { app, store };
}
