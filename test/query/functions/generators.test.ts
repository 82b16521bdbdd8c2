import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { context, points, run, series } from './function-harness.js';
import { AGGREGATOR_NAMES, SERIES_FUNCTIONS } from '../../../src/query/functions/index.js';
import { bindArguments, type ArgValue } from '../../../src/query/functions/registry.js';
import type { Series } from '../../../src/query/series.js';

// The harness's request runs from 0 to 100.
describe('generated series', () => {
  it('time and timeFunction: each point is its timestamp, a point every step from the start while before the end', async () => {
    const [clock] = await run('time', 'the.time', 30);
    assert.deepEqual([clock.name, clock.pathExpression, clock.start, clock.end, clock.step, points(clock)], ['the.time', 'the.time', 0, 100, 30, [0, 30, 60, 90]]);
    assert.deepEqual(points((await run('timeFunction', 'the.time'))[0]), [0, 60]);
    await assert.rejects(run('time', 'the.time', 0), /step must be a positive number/);
  });

  it('sin and sinFunction: sin(timestamp) * amplitude', async () => {
    const [wave] = await run('sin', 'the.wave', 2, 30);
    assert.deepEqual([wave.name, wave.step, points(wave)], ['the.wave', 30, [0, 2 * Math.sin(30), 2 * Math.sin(60), 2 * Math.sin(90)]]);
    assert.deepEqual(points((await run('sinFunction', 'the.wave'))[0]), [0, Math.sin(60)]);
  });

  it('randomWalk and randomWalkFunction start at 0 and move by less than 0.5 a step (no seed: each call differs)', async () => {
    for (const name of ['randomWalk', 'randomWalkFunction']) {
      const [walk] = await run(name, 'the.walk', 10);
      assert.deepEqual([walk.name, walk.step, walk.values.length, walk.values[0]], ['the.walk', 10, 10, 0]);
      for (let i = 1; i < walk.values.length; i++) assert.ok(Math.abs(walk.values[i] - walk.values[i - 1]) <= 0.5);
    }
  });

  it('identity: timestamps a minute apart, with its call as pathExpression', async () => {
    const [identity] = await run('identity', 'the.clock');
    assert.deepEqual([identity.name, identity.pathExpression, identity.step, points(identity)], ['the.clock', 'identity("the.clock")', 60, [0, 60]]);
  });

  it('events: with no event store, one series of nulls at a 1 s step, summed when consolidated', async () => {
    const [events] = await run('events', 'deploy', 'web');
    assert.deepEqual([events.name, events.step, events.start, events.end, events.consolidationFunc], ['events("deploy", "web")', 1, 0, 100, 'sum']);
    assert.equal(events.values.length, 100);
    assert.ok(points(events).every((v) => v === null));
  });
});

describe('points made from the time range alone', () => {
  const limited = (maxPoints: number) => ({ ...context, maxPoints });
  const runLimited = async (maxPoints: number, name: string, ...args: ArgValue[]): Promise<Series[]> => {
    const fn = SERIES_FUNCTIONS.get(name)!;
    return fn.run(limited(maxPoints), bindArguments(fn, args.map((value) => ({ value, position: 0 })), new Map(), 0, AGGREGATOR_NAMES));
  };

  it('generators, events and the bucketing functions refuse a series beyond maxPoints before making it', async () => {
    // The harness's request: 0 to 100 s.
    assert.equal((await runLimited(100, 'events', 'a'))[0].values.length, 100);
    await assert.rejects(runLimited(99, 'events', 'a'), /too many points: events\(\) would make 100 points in one series, the limit is 99 \(render\.maxPoints\)/);
    assert.equal((await runLimited(10, 'time', 'x', 10))[0].values.length, 10);
    for (const name of ['time', 'sin', 'randomWalk', 'timeFunction', 'sinFunction', 'randomWalkFunction']) {
      await assert.rejects(runLimited(9, name, 'x', ...(name.startsWith('sin') ? [1, 10] : [10])), new RegExp(`${name}\\(\\) would make 10 points`));
    }
    await assert.rejects(runLimited(1, 'identity', 'x'), /identity\(\) would make 2 points/);
    const x = series('x', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Aligned buckets run to the bucket after the end: 101 of them.
    assert.equal((await runLimited(101, 'summarize', [x], '1s'))[0].values.length, 101);
    await assert.rejects(runLimited(100, 'summarize', [x], '1s'), /summarize\(\) would make 101 points/);
    await assert.rejects(runLimited(99, 'smartSummarize', [x], '1s'), /smartSummarize\(\) would make 100 points/);
    await assert.rejects(runLimited(99, 'hitcount', [x], '1s'), /hitcount\(\) would make 100 points/);
  });
});
