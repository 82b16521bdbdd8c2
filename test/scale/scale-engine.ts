/** A real storage engine in a fresh directory for the Scale API tests, with a helper to write points. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { PointBatchBuilder } from '../../src/points.js';
import { EMBEDDED_STORAGE_AGGREGATION, EMBEDDED_STORAGE_SCHEMAS, loadRetentionPolicy } from '../../src/store/retention/index.js';
import { StorageEngine } from '../../src/store/storage-engine.js';

export interface ScaleEngine {
  store: StorageEngine;
  dataDir: string;
  /** Writes `points` of one series: [timestamp, value] pairs. */
  write(name: string, points: readonly (readonly [number, number])[]): void;
}

/** The embedded retention (10s:7d,...), written out so a config/ in the working directory cannot change it. */
export async function openScaleEngine(t: TestContext, now: () => number): Promise<ScaleEngine> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carbonado-scale-'));
  const schemasPath = join(dataDir, 'storage-schemas.conf');
  const aggregationPath = join(dataDir, 'storage-aggregation.conf');
  writeFileSync(schemasPath, EMBEDDED_STORAGE_SCHEMAS);
  writeFileSync(aggregationPath, EMBEDDED_STORAGE_AGGREGATION);
  const policy = loadRetentionPolicy({ schemasPath, aggregationPath });
  const store = await StorageEngine.open({ dataDir: join(dataDir, 'db'), policy, now, walSyncIntervalMs: 0 });
  t.after(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
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
