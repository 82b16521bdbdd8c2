import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from '../../src/config/duration.js';

test('parses every unit of the contract', () => {
  const cases: [string, number][] = [
    ['250ms', 250],
    ['1s', 1000],
    ['10s', 10_000],
    ['1m', 60_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
    ['5y', 5 * 365 * 86_400_000],
    ['1.5s', 1500],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

test('rejects a missing unit, an unknown unit and zero, naming the value', () => {
  for (const bad of ['10', '10 minutes', '1x', '0s', '', 's', '-1s']) {
    assert.throws(() => parseDuration(bad), (err: Error) => err.message.includes(`'${bad}'`), bad);
  }
});
