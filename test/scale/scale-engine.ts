/** A real storage engine in a fresh directory for the Scale API tests, with a helper to write points. */
import type { TestContext } from 'node:test';
import { PointBatchBuilder } from '../../src/points.js';
import { StorageEngine } from '../../src/store/storage-engine.js';
import { openTempEngine } from '../support/temp-engine.js';

export interface ScaleEngine {
  store: StorageEngine;
  dataDir: string;
  /** Writes `points` of one series: [timestamp, value] pairs. */
  write(name: string, points: readonly (readonly [number, number])[]): void;
}

/** The engine's files go under <dataDir>/db, leaving dataDir to the pool registry. */
export async function openScaleEngine(t: TestContext, now: () => number): Promise<ScaleEngine> {
  const { store, dataDir } = await openTempEngine(t, { engineDir: 'db', now, walSyncIntervalMs: 0 });
  const write = (name: string, points: readonly (readonly [number, number])[]): void => {
    const batch = new PointBatchBuilder(points.length);
    const id = store.seriesId(name);
    for (const [timestamp, value] of points) batch.push(id, timestamp, value);
    store.append(batch);
  };
  return { store, dataDir, write };
}

/** One point a minute from `start`: value(k) for k = 0 .. minutes-1 (NaN skips the minute). */
export function perMinute(start: number, minutes: number, value: (k: number) => number): [number, number][] {
  const points: [number, number][] = [];
  for (let k = 0; k < minutes; k++) {
    const v = value(k);
    if (!Number.isNaN(v)) points.push([start + k * 60, v]);
  }
  return points;
}
