import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_AGGREGATION_PATH,
  DEFAULT_ARCHIVES,
  DEFAULT_SCHEMAS_PATH,
  RetentionError,
  loadRetentionPolicy,
} from '../../../src/store/retention/index.js';

function withTempDir(run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-retention-'));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function inDirectory(dir: string, run: () => void): void {
  const previous = process.cwd();
  process.chdir(dir);
  try {
    run();
  } finally {
    process.chdir(previous);
  }
}

test('explicit files are read and every name a rule matches gets the same shared objects', () => {
  withTempDir((dir) => {
    const schemasPath = join(dir, 'schemas.conf');
    const aggregationPath = join(dir, 'aggregation.conf');
    writeFileSync(schemasPath, '[web]\npattern = ^web\\.\nretentions = 1m:1d,1h:30d\n');
    writeFileSync(aggregationPath, '[hits]\npattern = hits$\naggregationMethod = sum\nxFilesFactor = 0\n');
    const policy = loadRetentionPolicy({ schemasPath, aggregationPath });
    assert.deepEqual(policy.sources, { schemas: schemasPath, aggregation: aggregationPath });

    const web = policy.archivesFor('web.hits');
    assert.deepEqual(web, [
      { secondsPerPoint: 60, points: 1440, retentionSeconds: 86_400 },
      { secondsPerPoint: 3600, points: 720, retentionSeconds: 2_592_000 },
    ]);
    assert.equal(policy.archivesFor('web.other'), web);
    assert.equal(policy.archivesFor('db.hits'), DEFAULT_ARCHIVES);
    assert.deepEqual(policy.aggregationFor('web.hits'), { method: 'sum', xFilesFactor: 0 });
    assert.equal(policy.aggregationFor('web.hits'), policy.aggregationFor('web.hits'));
    // A file replaces the embedded rules entirely.
    assert.deepEqual(policy.aggregationFor('stats.gauges.q'), { method: 'average', xFilesFactor: 0.5 });
  });
});

test('an explicit path that does not exist is an error', () => {
  withTempDir((dir) => {
    const missing = join(dir, 'nope.conf');
    assert.throws(() => loadRetentionPolicy({ schemasPath: missing }), (error: unknown) => {
      assert.ok(error instanceof RetentionError);
      assert.equal(error.message, `storage schemas file '${missing}' does not exist`);
      return true;
    });
    assert.throws(() => loadRetentionPolicy({ aggregationPath: missing }), /storage aggregation file '.*nope\.conf' does not exist/);
  });
});

test('without paths: the default files when present, else the embedded defaults', () => {
  withTempDir((dir) => {
    inDirectory(dir, () => {
      const embedded = loadRetentionPolicy();
      assert.deepEqual(embedded.sources, { schemas: 'embedded', aggregation: 'embedded' });
      assert.deepEqual(embedded.archivesFor('anything'), DEFAULT_ARCHIVES);
      assert.deepEqual(embedded.aggregationFor('stats.timers.x.upper_90'), { method: 'max', xFilesFactor: 0.1 });

      mkdirSync('config');
      writeFileSync(DEFAULT_SCHEMAS_PATH, '[all]\npattern = .*\nretentions = 1m:7d\n');
      writeFileSync(DEFAULT_AGGREGATION_PATH, '[all]\npattern = .*\naggregationMethod = last\n');
      const fromFiles = loadRetentionPolicy({});
      assert.deepEqual(fromFiles.sources, { schemas: DEFAULT_SCHEMAS_PATH, aggregation: DEFAULT_AGGREGATION_PATH });
      assert.deepEqual(fromFiles.archivesFor('x'), [{ secondsPerPoint: 60, points: 10_080, retentionSeconds: 604_800 }]);
      assert.deepEqual(fromFiles.aggregationFor('x'), { method: 'last', xFilesFactor: 0.5 });
    });
  });
});

test('errors in a file name that file', () => {
  withTempDir((dir) => {
    const schemasPath = join(dir, 'schemas.conf');
    writeFileSync(schemasPath, '[web]\npattern = .*\nretentions = 10s:7d,10s:30d\n');
    assert.throws(
      () => loadRetentionPolicy({ schemasPath }),
      new RegExp(`^RetentionError: ${schemasPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 3, section \\[web\\], key 'retentions': two archives have the same precision 10s`),
    );
  });
});
