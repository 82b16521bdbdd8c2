import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { points, run, series } from './function-harness.js';
import { rangeContext, runIn } from './range-harness.js';
import { MAX_TIME_STACK_SHIFTS } from '../../../src/query/functions/time-shifts.js';

describe('time-shift functions', () => {
  it('timeStack reads each shift again and draws it over the first series range', async () => {
    const x = series('x', [1, 2, 3], 100);
    const { context, rereads } = rangeContext(100, 130, (target, from) => [series(target, [from, from, from], from)]);
    const stacked = await runIn(context, 'timeStack', [x], '10s', 0, 2);
    assert.deepEqual(rereads.map((r) => [r.from, r.until]), [[100, 130], [90, 120]]);
    assert.deepEqual(
      stacked.map((s) => [s.name, s.pathExpression, s.start, s.end, points(s), s.tags.timeShift]),
      [
        ['timeShift(x, -10s, 0)', 'timeShift(x, -10s, 0)', 100, 130, [100, 100, 100], '0'],
        ['timeShift(x, -10s, 1)', 'timeShift(x, -10s, 1)', 100, 130, [90, 90, 90], '1'],
      ],
    );
  });

  it('timeStack refuses more than MAX_TIME_STACK_SHIFTS shifts before reading any', async () => {
    const x = series('x', [1, 2, 3], 100);
    const { context, rereads } = rangeContext(100, 130, (target, from) => [series(target, [from, from, from], from)]);
    await assert.rejects(runIn(context, 'timeStack', [x], '1d', -999_999_999, 0), /timeStack\(\): -999999999 to 0 is 999999999 shifts, more than 1000/);
    assert.deepEqual(rereads, []);
    assert.equal((await runIn(context, 'timeStack', [x], '1s', 0, MAX_TIME_STACK_SHIFTS)).length, MAX_TIME_STACK_SHIFTS);
  });

  it('timeSlice nulls the points outside the slice, counting time from the request start', async () => {
    const x = series('x', [1, 2, 3, 4, 5]);
    const [sliced] = await run('timeSlice', [x], 10, 30);
    assert.deepEqual([sliced.name, sliced.pathExpression, points(sliced)], ['timeSlice(x, 10, 30)', 'x', [null, 2, 3, 4, null]]);
    assert.deepEqual(points((await run('timeSlice', [x], '20'))[0]), [null, null, 3, 4, 5]);
  });

  it('delay shifts points later or earlier by whole steps', async () => {
    const x = series('x', [1, 2, 3]);
    const [later] = await run('delay', [x], 1);
    assert.deepEqual([later.name, later.start, points(later)], ['delay(x,1)', 0, [null, 1, 2]]);
    assert.deepEqual(points((await run('delay', [x], -1))[0]), [2, 3, null]);
    assert.deepEqual(points((await run('delay', [x], 5))[0]), [null, null, null]);
    assert.deepEqual(points(x), [1, 2, 3]);
  });
});
