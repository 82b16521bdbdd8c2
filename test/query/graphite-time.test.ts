import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatGraphiteDateTime, isKnownTimeZone, parseGraphiteTime } from '../../src/query/graphite-time.js';
import { QueryError } from '../../src/query/query-error.js';

// Wednesday 2024-03-13 14:25:30 UTC
const NOW = Date.UTC(2024, 2, 13, 14, 25, 30) / 1000;
const utc = (y: number, mo: number, d: number, h = 0, mi = 0) => Date.UTC(y, mo - 1, d, h, mi) / 1000;

const cases: Array<[text: string, expected: number]> = [
  ['now', NOW],
  ['', NOW],
  ['-1h', NOW - 3600],
  ['-30s', NOW - 30],
  ['-10min', NOW - 600],
  ['-10minutes', NOW - 600],
  ['-2d', NOW - 2 * 86400],
  ['-2days', NOW - 2 * 86400],
  ['-1w', NOW - 7 * 86400],
  ['-1mon', NOW - 30 * 86400],
  ['-1months', NOW - 30 * 86400],
  ['-1y', NOW - 365 * 86400],
  ['-1h30min', NOW - 5400],
  ['+1h', NOW + 3600],
  ['now-1h', NOW - 3600],
  ['1700000000', 1700000000],
  [' 1700000000 ', 1700000000],
  ['20240101', utc(2024, 1, 1)],
  ['04:00_20110501', utc(2011, 5, 1, 4)],
  ['16:30_20110501', utc(2011, 5, 1, 16, 30)],
  ['4:00pm_20110501', utc(2011, 5, 1, 16)],
  ['9am20110501', utc(2011, 5, 1, 9)],
  ['12/25/2023', utc(2023, 12, 25)],
  ['12/25/23', utc(2023, 12, 25)],
  ['01/02/69', utc(2069, 1, 2)],
  ['today', utc(2024, 3, 13)],
  ['yesterday', utc(2024, 3, 12)],
  ['tomorrow', utc(2024, 3, 14)],
  ['midnight', utc(2024, 3, 13)],
  ['noon', utc(2024, 3, 13, 12)],
  ['teatime', utc(2024, 3, 13, 16)],
  ['noon yesterday', utc(2024, 3, 12, 12)],
  ['noon+yesterday'.replace('+', ' '), utc(2024, 3, 12, 12)],
  ['midnight-1d', utc(2024, 3, 12)],
  ['jan1', utc(2024, 1, 1)],
  ['feb29', utc(2024, 2, 29)],
  ['monday', utc(2024, 3, 11)],
  ['wednesday', utc(2024, 3, 13)],
  ['thursday', utc(2024, 3, 7)],
  ['20240313-1d', utc(2024, 3, 12)],
];

describe('parseGraphiteTime', () => {
  for (const [text, expected] of cases) {
    it(`'${text}'`, () => assert.equal(parseGraphiteTime(text, { now: NOW }), expected));
  }

  it('reads wall-clock references in the given time zone', () => {
    // 2024-03-13 midnight in New York is 04:00 UTC (EDT, UTC-4).
    assert.equal(parseGraphiteTime('midnight', { now: NOW, tz: 'America/New_York' }), utc(2024, 3, 13, 4));
    assert.equal(parseGraphiteTime('20240101', { now: NOW, tz: 'America/New_York' }), utc(2024, 1, 1, 5));
    assert.equal(parseGraphiteTime('-1h', { now: NOW, tz: 'America/New_York' }), NOW - 3600);
  });

  for (const bad of ['-1m', '-1x', 'garbage', '-h', '13/45/2020', '25:00_20200101', 'feb30', 'jan', '-1.5h']) {
    it(`rejects '${bad}' with a QueryError naming it`, () => {
      assert.throws(
        () => parseGraphiteTime(bad, { now: NOW }),
        (error: unknown) => error instanceof QueryError && error.message.includes(`'${bad}'`),
      );
    });
  }
});

describe('time zone helpers', () => {
  it('knows real zones only', () => {
    assert.equal(isKnownTimeZone('Europe/Berlin'), true);
    assert.equal(isKnownTimeZone('Mars/Olympus'), false);
  });

  it('formats CSV timestamps', () => {
    assert.equal(formatGraphiteDateTime(utc(2024, 3, 13, 4, 5) + 6), '2024-03-13 04:05:06');
    assert.equal(formatGraphiteDateTime(utc(2024, 3, 13, 4, 5), 'Europe/Berlin'), '2024-03-13 05:05:00');
  });
});
