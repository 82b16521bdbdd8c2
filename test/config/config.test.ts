import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defaultConfig, loadConfig } from '../../src/config/config.js';

function configFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-config-'));
  const path = join(dir, 'carbonado.json');
  writeFileSync(path, content);
  return path;
}

test('defaults follow the contract', () => {
  const c = defaultConfig();
  assert.equal(c.dataDir, './data');
  assert.equal(c.host, '0.0.0.0');
  assert.deepEqual([c.statsdPort, c.carbonPort, c.picklePort, c.httpPort], [8125, 2003, 2004, 8080]);
  assert.equal(c.flushIntervalMs, 10_000);
  assert.ok(c.workers >= 1);
  assert.deepEqual(c.statsd.percentThresholds, [90]);
  assert.equal(c.statsd.legacyNamespace, false);
});

test('flags override the file, which overrides the defaults', () => {
  const path = configFile(JSON.stringify({ httpPort: 9000, statsdPort: 9125, flushInterval: '1m', statsd: { legacyNamespace: true } }));
  const c = loadConfig(path, { httpPort: 9001 });
  assert.equal(c.httpPort, 9001);
  assert.equal(c.statsdPort, 9125);
  assert.equal(c.flushIntervalMs, 60_000);
  assert.equal(c.statsd.legacyNamespace, true);
  assert.equal(c.carbonPort, 2003);
});

test('an unknown or bad key is an error that names it', () => {
  const cases: [unknown, RegExp][] = [
    [{ httpPrt: 1 }, /unknown config key 'httpPrt'/],
    [{ httpPort: 70000 }, /'httpPort'.*70000/],
    [{ flushInterval: '10' }, /'flushInterval'.*'10'/],
    [{ flushInterval: 10 }, /'flushInterval'/],
    [{ workers: 0 }, /'workers'/],
    [{ statsd: { percentThresholds: [90, 'x'] } }, /'statsd.percentThresholds'/],
    [{ statsd: { deleteGauges: 'yes' } }, /'statsd.deleteGauges'.*"yes"/],
    [{ statsd: { nope: 1 } }, /unknown config key 'statsd.nope'/],
  ];
  for (const [raw, message] of cases) {
    assert.throws(() => loadConfig(configFile(JSON.stringify(raw)), {}), (err: Error) => err instanceof ConfigError && message.test(err.message), JSON.stringify(raw));
  }
});

test('more aggregator threads than a receiver can address is an error naming workers; the default stays within it', () => {
  assert.throws(() => loadConfig(configFile(JSON.stringify({ workers: 32 })), {}), (err: Error) => err instanceof ConfigError && /'workers'.*32/.test(err.message));
  assert.equal(loadConfig(configFile(JSON.stringify({ workers: 31 })), {}).workers, 31);
  assert.ok(defaultConfig().workers <= 31);
});

test('a file that is not JSON, or missing, is named in the error', () => {
  const path = configFile('{ not json');
  assert.throws(() => loadConfig(path, {}), (err: Error) => err instanceof ConfigError && err.message.includes(path));
  assert.throws(() => loadConfig('/nonexistent/carbonado.json', {}), /cannot read config file \/nonexistent\/carbonado.json/);
});
