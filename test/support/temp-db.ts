/** Test support: a real LevelDB (the store's key and value encodings) in a fresh temp directory, closed and removed after the test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { ClassicLevel } from 'classic-level';

export type TempDb = ClassicLevel<Uint8Array, Uint8Array>;

/** The database is `<dir>/db`; `dir` is the temp directory, for a test that puts more beside it. */
export async function openTempDb(t: TestContext, prefix = 'carbonado-db-'): Promise<{ db: TempDb; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db: TempDb = new ClassicLevel(join(dir, 'db'), { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  t.after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db, dir };
}
