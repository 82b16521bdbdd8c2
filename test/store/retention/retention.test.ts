import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetentionError, parseRetentionDef, parseRetentions, validateArchives } from '../../../src/store/retention/retention.js';

const DAY = 86_400;

test('parseRetentions accepts carbon retention strings', () => {
  const cases: Array<[text: string, expected: Array<[secondsPerPoint: number, points: number]>]> = [
    ['10s:7d,1m:30d,10m:5y', [[10, 60_480], [60, 43_200], [600, 262_800]]],
    ['60:1440', [[60, 1440]]],
    ['60:90d', [[60, 129_600]]],
    ['1m:1440', [[60, 1440]]],
    ['1min:1h', [[60, 60]]],
    ['15sec:2hours', [[15, 480]]],
    ['1h:2w', [[3600, 336]]],
    ['1d:1y', [[DAY, 365]]],
    [' 10s:1d , 1m:7d ', [[10, 8640], [60, 10_080]]],
    ['10s:1d,\n1m:7d', [[10, 8640], [60, 10_080]]],
    // Whisper rounds a retention that is not a whole number of steps down.
    ['7s:1m', [[7, 8]]],
    // Whisper sorts the archives by precision.
    ['1m:30d,10s:7d', [[10, 60_480], [60, 43_200]]],
  ];
  for (const [text, expected] of cases) {
    const archives = parseRetentions(text);
    assert.deepEqual(
      archives,
      expected.map(([secondsPerPoint, points]) => ({ secondsPerPoint, points, retentionSeconds: secondsPerPoint * points })),
      text,
    );
  }
});

test('parseRetentions rejects bad strings with a message naming the problem', () => {
  const cases: Array<[text: string, message: RegExp]> = [
    ['', /no retentions given/],
    ['10s:7d,', /empty retention definition in '10s:7d,'/],
    ['10s', /'10s' is not 'precision:retention'/],
    ['10x:7d', /invalid unit 'x' in '10x:7d'/],
    ['10s:7mo', /invalid unit 'mo' in '10s:7mo'/],
    ['10S:7d', /invalid precision '10S' in '10S:7d'/],
    ['s:7d', /invalid precision 's'/],
    ['-10s:7d', /invalid precision '-10s'/],
    ['1.5s:7d', /invalid precision '1.5s'/],
    ['10s:d', /invalid retention 'd' in '10s:d'/],
    ['10s:7d:1y', /invalid retention '7d:1y'/],
    ['0s:7d', /precision in '0s:7d' must be at least 1 second/],
    ['10s:0', /'10s:0' keeps no points/],
    ['1h:30m', /'1h:30m' keeps no points: the retention is shorter than one step/],
    ['99999999999999999999:1', /too large/],
    ['10s:7d,10s:30d', /two archives have the same precision 10s/],
    ['1m:7d,60:30d', /two archives have the same precision 60s/],
    ['180s:7d,300s:30d', /precision 300s is not a multiple of the finer precision 180s/],
    ['10s:30d,1m:7d', /the 60s archive keeps 604800s, which must be more than the 2592000s kept by the finer 10s archive/],
    ['10s:1d,1m:1d', /must be more than/],
    ['10s:2,60s:1', /the 10s archive keeps 2 points but one 60s point needs 6 of them/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseRetentions(text), (error: unknown) => {
      assert.ok(error instanceof RetentionError, `${text}: ${String(error)}`);
      assert.match(error.message, message, text);
      return true;
    });
  }
});

test('parseRetentionDef gives retentionSeconds as whole steps', () => {
  assert.deepEqual(parseRetentionDef('7s:1m'), { secondsPerPoint: 7, points: 8, retentionSeconds: 56 });
});

test('validateArchives needs at least one archive and does not modify its input', () => {
  assert.throws(() => validateArchives([]), /at least one archive/);
  const input = [
    { secondsPerPoint: 60, points: 10, retentionSeconds: 600 },
    { secondsPerPoint: 10, points: 10, retentionSeconds: 100 },
  ];
  const sorted = validateArchives(input);
  assert.deepEqual(sorted.map((a) => a.secondsPerPoint), [10, 60]);
  assert.deepEqual(input.map((a) => a.secondsPerPoint), [60, 10]);
});

test('RetentionError names the file, line, section and key when it has them', () => {
  const error = new RetentionError('bad thing', { file: 'a.conf', line: 3, section: 'web', key: 'retentions' });
  assert.equal(error.message, "a.conf line 3, section [web], key 'retentions': bad thing");
  assert.equal(error.problem, 'bad thing');
  assert.equal(new RetentionError('plain').message, 'plain');
});
