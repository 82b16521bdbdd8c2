import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RetentionError } from '../../../src/store/retention/retention.js';
import {
  DEFAULT_ARCHIVES,
  EMBEDDED_STORAGE_SCHEMAS,
  archivesForName,
  parseIniSections,
  parseStorageSchemas,
} from '../../../src/store/retention/storage-schemas.js';

function steps(archives: readonly { secondsPerPoint: number; points: number }[]): string {
  return archives.map((a) => `${a.secondsPerPoint}:${a.points}`).join(',');
}

const FILE = `# Carbon's internal metrics
[carbon]
pattern = ^carbon\\.
retentions = 60:90d

; a comment in the other style
[prod]
pattern = ;env=prod
retentions = 10s:1d,
             1m:30d

[Catch-All]
Pattern: .*
RETENTIONS: 1m:1d
`;

test('first matching section wins; patterns are searched, not anchored', () => {
  const schemas = parseStorageSchemas(FILE, 'schemas.conf');
  assert.deepEqual(schemas.map((s) => s.name), ['carbon', 'prod', 'Catch-All']);
  assert.equal(steps(archivesForName(schemas, 'carbon.agents.a.cpu')), '60:129600');
  assert.equal(steps(archivesForName(schemas, 'web.hits;env=prod;host=a')), '10:8640,60:43200');
  assert.equal(steps(archivesForName(schemas, 'web.carbon.x')), '60:1440');
  assert.equal(steps(archivesForName(schemas, 'web.hits;env=dev')), '60:1440');
});

test('a name no section matches gets the default 10s:7d,1m:30d,10m:5y', () => {
  const schemas = parseStorageSchemas('[only]\npattern = ^web\\.\nretentions = 1m:1d\n', 'schemas.conf');
  assert.equal(archivesForName(schemas, 'db.x'), DEFAULT_ARCHIVES);
  assert.equal(steps(DEFAULT_ARCHIVES), '10:60480,60:43200,600:262800');
  assert.ok(DEFAULT_ARCHIVES.every((archive) => Object.isFrozen(archive)), 'each shared default archive is frozen');
});

test('the embedded default and config/storage-schemas.conf give every series 10s:7d,1m:30d,10m:5y', () => {
  const shipped = parseStorageSchemas(readFileSync('config/storage-schemas.conf', 'utf8'), 'config/storage-schemas.conf');
  const embedded = parseStorageSchemas(EMBEDDED_STORAGE_SCHEMAS, 'embedded');
  for (const schemas of [shipped, embedded]) {
    assert.equal(schemas.length, 1);
    assert.equal(schemas[0].pattern.source, '.*');
    for (const name of ['a', 'stats.timers.x.upper_90', 'x;k=v']) {
      assert.deepEqual(archivesForName(schemas, name), DEFAULT_ARCHIVES);
    }
  }
});

test('Python named groups are accepted', () => {
  const [schema] = parseStorageSchemas('[g]\npattern = ^(?P<app>\\w+)\\.(?P=app)$\nretentions = 60:10\n', 'f');
  assert.ok(schema.pattern.test('web.web'));
  assert.ok(!schema.pattern.test('web.db'));
});

function assertFileError(text: string, message: string): void {
  assert.throws(() => parseStorageSchemas(text, 'schemas.conf'), (error: unknown) => {
    assert.ok(error instanceof RetentionError, String(error));
    assert.equal(error.message, message);
    return true;
  });
}

test('retention problems name the file, line, section and key', () => {
  assertFileError(
    '[a]\npattern = ^a\.\nretentions = 60:1\n\n[web]\npattern = ^web\\.\nretentions = 180s:7d,300s:30d\n',
    "schemas.conf line 7, section [web], key 'retentions': precision 300s is not a multiple of the finer precision 180s, so its points cannot be rolled up from it (in '180s:7d,300s:30d')",
  );
  assertFileError(
    '[web]\npattern = x\nretentions = 10s:7x\n',
    "schemas.conf line 3, section [web], key 'retentions': invalid unit 'x' in '10s:7x' (use s, m/min, h, d, w or y) (in '10s:7x')",
  );
});

test('file structure problems name the file, line, section and key', () => {
  assertFileError('[web]\nretentions = 1m:1d\n', "schemas.conf line 1, section [web]: section has no 'pattern' (use 'pattern = .*' to match every series)");
  assertFileError('[web]\npattern = x\n', "schemas.conf line 1, section [web]: section has no 'retentions' (e.g. 'retentions = 10s:7d,1m:30d,10m:5y')");
  assertFileError(
    '[web]\npattern = (x\nretentions = 1m:1d\n',
    "schemas.conf line 2, section [web], key 'pattern': invalid regular expression '(x': Invalid regular expression: /(x/: Unterminated group",
  );
  assertFileError('[web]\npattern = x\nretention = 1m:1d\n', "schemas.conf line 3, section [web], key 'retention': unknown key; expected one of pattern, retentions");
  assertFileError('pattern = x\n', "schemas.conf line 1, key 'pattern': 'pattern' comes before any [section] header");
  assertFileError('[web]\npattern x\n', "schemas.conf line 2, section [web]: expected '[section]' or 'key = value', found 'pattern x'");
  assertFileError('[web]\npattern = x\npattern = y\n', "schemas.conf line 3, section [web], key 'pattern': 'pattern' is already set on line 2");
  assertFileError('[a]\npattern = x\nretentions = 60:1\n[a]\n', 'schemas.conf line 4: section [a] is already defined on line 1');
});

test('INI reading: comments, CRLF, continuation lines, separators and case', () => {
  const sections = parseIniSections('# c\r\n[s]\r\nKey: a:b=c\r\n  more\r\n; c\r\nother = # not a comment ;\r\n', 'f');
  assert.equal(sections.length, 1);
  assert.equal(sections[0].line, 2);
  assert.deepEqual([...sections[0].entries.values()], [
    { key: 'key', value: 'a:b=c\nmore', line: 3 },
    { key: 'other', value: '# not a comment ;', line: 6 },
  ]);
  assert.deepEqual(parseIniSections('', 'f'), []);
});
