/**
 * The worker threads a pool keeps to itself, for tests of how they end: Node announces each new
 * thread on `process`, so a test can collect the ones a call started and wait for them to end.
 */
import type { Worker } from 'node:worker_threads';

/** Runs `start` and returns the threads it started, with its outcome (a rejection is not thrown). */
export async function threadsStartedBy<T>(start: () => Promise<T>): Promise<{ threads: Worker[]; outcome: PromiseSettledResult<T> }> {
  const threads: Worker[] = [];
  const record = (worker: Worker): void => void threads.push(worker);
  process.on('worker', record);
  try {
    const [outcome] = await Promise.allSettled([start()]);
    return { threads, outcome };
  } finally {
    process.off('worker', record);
  }
}

/** Whether every thread ends within `ms`; those still running after that are terminated, so the test process can end. */
export async function allEndWithin(threads: readonly Worker[], ms: number): Promise<boolean> {
  // An ended thread's id is -1; one still running is waited for ('exit' cannot fire in between).
  const ends = threads.map((t) => new Promise<unknown>((resolve) => (t.threadId === -1 ? resolve(0) : t.once('exit', resolve))));
  const ended = await Promise.race([
    Promise.all(ends).then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), ms).unref()),
  ]);
  if (!ended) for (const t of threads) await t.terminate();
  return ended;
}
