import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { WorkerExitError, WorkerPool } from '../../src/http/worker-pool.js';
import type { EchoTask } from './echo-worker.js';

function pool(t: TestContext, threads: number): WorkerPool<EchoTask, number> {
  const p = new WorkerPool<EchoTask, number>(new URL('./echo-worker.js', import.meta.url), threads);
  t.after(() => p.close());
  return p;
}

describe('WorkerPool', () => {
  it('runs tasks one at a time per thread, in the order given', async (t) => {
    const p = pool(t, 1);
    const finished: number[] = [];
    const runs = [3, 1, 2].map((value) => p.run({ value, waitMs: value * 5 }).then((result) => (finished.push(value), result)));
    assert.deepEqual(await Promise.all(runs), [6, 2, 4]);
    assert.deepEqual(finished, [3, 1, 2]);
  });

  it('runs tasks side by side on several threads', async (t) => {
    const p = pool(t, 2);
    const slow = assert.rejects(p.run({ value: 1, waitMs: 10_000 }), WorkerExitError);
    assert.equal(await p.run({ value: 2 }), 4);
    await p.close();
    await slow;
  });

  it('rejects a task whose handler throws, and keeps the worker', async (t) => {
    const p = pool(t, 1);
    await assert.rejects(p.run({ value: 7, fail: true }), /task 7 failed/);
    assert.equal(await p.run({ value: 8 }), 16);
  });

  it('fails only the task of a worker that exits, and starts a new one', async (t) => {
    const p = pool(t, 1);
    const crashing = p.run({ value: 4, exit: true });
    const queued = p.run({ value: 5 });
    await assert.rejects(crashing, (error) => error instanceof WorkerExitError && /exit code 2/.test(error.message));
    assert.equal(await queued, 10);
  });

  it('drops an aborted task: queued, or running (its worker stopped)', async (t) => {
    const p = pool(t, 1);
    const running = new AbortController();
    const queued = new AbortController();
    const slow = p.run({ value: 1, waitMs: 10_000 }, { signal: running.signal });
    const waiting = p.run({ value: 2 }, { signal: queued.signal });
    const after = p.run({ value: 3 });
    queued.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
    running.abort();
    await assert.rejects(slow, { name: 'AbortError' });
    assert.equal(await after, 6);
  });

  it('close() fails queued tasks and later ones', async (t) => {
    const p = pool(t, 1);
    const running = assert.rejects(p.run({ value: 1, waitMs: 10_000 }), WorkerExitError);
    const queued = assert.rejects(p.run({ value: 2 }), /closed/);
    await p.close();
    await Promise.all([running, queued]);
    await assert.rejects(p.run({ value: 3 }), /closed/);
  });
});
