import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { points, run } from './function-harness.js';

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
