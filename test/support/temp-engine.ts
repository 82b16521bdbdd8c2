/** Test support: a real storage engine in a fresh temp directory, closed and removed after the test. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { EMBEDDED_STORAGE_AGGREGATION, EMBEDDED_STORAGE_SCHEMAS, loadRetentionPolicy } from '../../src/store/retention/index.js';
import { StorageEngine, type StorageEngineOptions } from '../../src/store/storage-engine.js';

export interface TempEngineOptions extends Omit<StorageEngineOptions, 'dataDir' | 'policy'> {
  /** A subdirectory of the temp directory for the engine's files, leaving the rest to the test. */
  engineDir?: string;
}

export interface TempEngine {
  store: StorageEngine;
  /** The temp directory; the retention files and the engine's files are in it. */
  dataDir: string;
}

/** Opens the engine with the embedded retention (10s:7d,...), written out so a config/ in the working directory cannot change it. */
export async function openTempEngine(t: TestContext, options: TempEngineOptions = {}): Promise<TempEngine> {
  const { engineDir, ...engineOptions } = options;
  const dataDir = mkdtempSync(join(tmpdir(), 'carbonado-test-'));
  const schemasPath = join(dataDir, 'storage-schemas.conf');
  const aggregationPath = join(dataDir, 'storage-aggregation.conf');
  writeFileSync(schemasPath, EMBEDDED_STORAGE_SCHEMAS);
  writeFileSync(aggregationPath, EMBEDDED_STORAGE_AGGREGATION);
  const policy = loadRetentionPolicy({ schemasPath, aggregationPath });
  const store = await StorageEngine.open({
    ...engineOptions,
    dataDir: engineDir === undefined ? dataDir : join(dataDir, engineDir),
    policy,
  });
  t.after(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { store, dataDir };
}
