import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePoolConfig, PoolConfigError, poolConfigJson } from '../../src/config/pool-config.js';

const REQUIRED = { qps: 'sumSeries(web.pool1.*.qps)', instances: 10, capacityPerInstance: 1000 };

test('only qps, instances and capacityPerInstance are required; the rest default as the contract shows', () => {
  const c = parsePoolConfig(REQUIRED);
  assert.deepEqual(poolConfigJson(c), {
    ...REQUIRED,
    health: [],
    lines: { fatal: 1.6, warning: 2.0, safe: 3.0 },
    targetRedundancy: 2.0,
    sampleInterval: '1m',
    window: 5,
    trigger: 3,
    minInstances: 1,
    maxInstances: 1000,
    cooldown: '10m',
  });
  assert.equal(c.sampleIntervalSeconds, 60);
  assert.equal(c.cooldownSeconds, 600);
});

test("the contract's full example parses and shows back unchanged", () => {
  const body = {
    qps: 'sumSeries(web.pool1.*.qps)',
    instances: 'web.pool1.instances',
    capacityPerInstance: 1000,
    health: [{ target: 'web.pool1.slow_ratio', above: 0.01 }],
    lines: { fatal: 1.5, warning: 2.2, safe: 3.5 },
    targetRedundancy: 2.5,
    sampleInterval: '30s',
    window: 7,
    trigger: 4,
    minInstances: 2,
    maxInstances: 50,
    cooldown: '15m',
  };
  const c = parsePoolConfig(body);
  assert.deepEqual(poolConfigJson(c), body);
  assert.equal(c.sampleIntervalSeconds, 30);
  assert.equal(c.cooldownSeconds, 900);
});

test('a partial lines object keeps the other defaults', () => {
  assert.deepEqual(parsePoolConfig({ ...REQUIRED, lines: { safe: 4 } }).lines, { fatal: 1.6, warning: 2.0, safe: 4 });
});

test('every bad value is an error naming its field', () => {
  const cases: [unknown, string, RegExp][] = [
    [{ ...REQUIRED, lines: { fatal: 'x' } }, 'lines.fatal', /^lines\.fatal: expected a number > 0, got "x"$/],
    [{ ...REQUIRED, lines: { fatl: 1 } }, 'lines.fatl', /unknown key/],
    [{ ...REQUIRED, lines: { fatal: 2.5 } }, 'lines', /fatal < warning < safe, got fatal 2.5, warning 2, safe 3/],
    [{ ...REQUIRED, lines: [1, 2, 3] }, 'lines', /got an array/],
    [{ ...REQUIRED, qpz: 'a' }, 'qpz', /unknown key \(expected one of qps, instances/],
    [{ instances: 1, capacityPerInstance: 1 }, 'qps', /required/],
    [{ ...REQUIRED, qps: '' }, 'qps', /non-empty string/],
    [{ ...REQUIRED, instances: 2.5 }, 'instances', /whole number >= 0 or a render target, got 2\.5/],
    [{ ...REQUIRED, instances: -1 }, 'instances', /got -1/],
    [{ ...REQUIRED, capacityPerInstance: 0 }, 'capacityPerInstance', /number > 0, got 0/],
    [{ qps: 'a', instances: 1 }, 'capacityPerInstance', /required/],
    [{ ...REQUIRED, targetRedundancy: 5 }, 'targetRedundancy', /above lines\.fatal \(1\.6\) and below lines\.safe \(3\), got 5/],
    [{ ...REQUIRED, targetRedundancy: 1.5 }, 'targetRedundancy', /got 1\.5/],
    [{ ...REQUIRED, sampleInterval: '1x' }, 'sampleInterval', /bad duration '1x'/],
    [{ ...REQUIRED, sampleInterval: '1500ms' }, 'sampleInterval', /whole seconds/],
    [{ ...REQUIRED, cooldown: 600 }, 'cooldown', /duration such as "1m", got 600/],
    [{ ...REQUIRED, window: 0 }, 'window', /whole number >= 1, got 0/],
    [{ ...REQUIRED, trigger: 6 }, 'trigger', /must not exceed window \(5\), got 6/],
    [{ ...REQUIRED, minInstances: 0 }, 'minInstances', /whole number >= 1/],
    [{ ...REQUIRED, minInstances: 10, maxInstances: 5 }, 'maxInstances', />= minInstances \(10\), got 5/],
    [{ ...REQUIRED, health: { target: 'a' } }, 'health', /array of \{target, above\}/],
    [{ ...REQUIRED, health: ['a'] }, 'health[0]', /JSON object, got "a"/],
    [{ ...REQUIRED, health: [{ target: 'a', above: 'x' }] }, 'health[0].above', /expected a number, got "x"/],
    [{ ...REQUIRED, health: [{ target: 'a', above: 1 }, { above: 1 }] }, 'health[1].target', /required/],
    [{ ...REQUIRED, health: [{ target: 'a', above: 1, below: 2 }] }, 'health[0].below', /unknown key/],
    [[REQUIRED], '', /expected the pool config as a JSON object, got an array/],
    [null, '', /got null/],
  ];
  for (const [body, field, message] of cases) {
    assert.throws(
      () => parsePoolConfig(body),
      (err: unknown) => err instanceof PoolConfigError && err.field === field && message.test(err.message),
      `${JSON.stringify(body)} should fail on '${field}'`,
    );
  }
});
