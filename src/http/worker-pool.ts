/**
 * A small pool of worker threads, each running one task at a time in the order submitted. Its
 * surface is piscina's (`run(task, {transfer, signal})`, `close()`), so moving to piscina touches
 * this file only. Workers start on first use, and an idle one does not keep the process alive.
 * A worker that dies (an uncaught error, process.exit, out of memory) fails only the task it was
 * running, with WorkerExitError, and the next task starts a new one.
 */
import { parentPort, Worker, type Transferable } from 'node:worker_threads';

/** The worker running a task died before answering. */
export class WorkerExitError extends Error {
  override readonly name = 'WorkerExitError';
}

export interface RunOptions {
  /** Moved to the worker rather than copied (ArrayBuffers, MessagePorts). */
  transfer?: readonly Transferable[];
  /** Aborting drops a queued task, and stops the worker running it. */
  signal?: AbortSignal;
}

interface Pending {
  task: unknown;
  transfer: readonly Transferable[];
  resolve(result: unknown): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** What a worker posts back: the task's result, or why the task failed. */
type Reply = { result: unknown } | { failure: string };

export class WorkerPool<Task, Result> {
  private readonly workers = new Set<Worker>();
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private closed = false;

  constructor(
    private readonly script: URL,
    readonly threads: number,
  ) {}

  run(task: Task, options: RunOptions = {}): Promise<Result> {
    if (this.closed) return Promise.reject(new Error('the worker pool is closed'));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<Result>((resolve, reject) => {
      const pending: Pending = { task, transfer: options.transfer ?? [], resolve: resolve as (result: unknown) => void, reject, signal };
      if (signal) {
        pending.onAbort = () => this.abort(pending);
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** Fails queued tasks and stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) this.settle(pending).reject(new Error('the worker pool is closed'));
    await Promise.all([...this.workers].map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      const worker = this.idle.pop() ?? (this.workers.size < this.threads ? this.spawn() : undefined);
      if (!worker) return;
      const pending = this.queue.shift()!;
      try {
        worker.postMessage(pending.task, pending.transfer);
      } catch (error) {
        this.idle.push(worker);
        this.settle(pending).reject(error);
        continue;
      }
      this.running.set(worker, pending);
      worker.ref();
    }
  }

  private spawn(): Worker {
    const worker = new Worker(this.script);
    worker.unref();
    this.workers.add(worker);
    let error: Error | undefined;
    worker.on('message', (reply: Reply) => {
      const pending = this.running.get(worker);
      if (!pending) return;
      this.running.delete(worker);
      worker.unref();
      this.idle.push(worker);
      if ('failure' in reply) this.settle(pending).reject(new Error(reply.failure));
      else this.settle(pending).resolve(reply.result);
      this.dispatch();
    });
    worker.on('error', (e) => (error = e));
    worker.on('exit', (code) => {
      this.workers.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      const pending = this.running.get(worker);
      this.running.delete(worker);
      if (pending) {
        const why = error ? `${error.name}: ${error.message}` : `exit code ${code}`;
        this.settle(pending).reject(new WorkerExitError(`its worker thread stopped (${why})`));
      }
      this.dispatch();
    });
    return worker;
  }

  private abort(pending: Pending): void {
    const queued = this.queue.indexOf(pending);
    if (queued >= 0) this.queue.splice(queued, 1);
    for (const [worker, task] of this.running) {
      if (task !== pending) continue;
      // A worker cannot be interrupted mid-task: stopping it is the only way to get its thread back.
      this.running.delete(worker);
      void worker.terminate();
    }
    this.settle(pending).reject(abortError());
  }

  /** The pending task, no longer listening to its signal. */
  private settle(pending: Pending): Pending {
    if (pending.onAbort) pending.signal!.removeEventListener('abort', pending.onAbort);
    return pending;
  }
}

function abortError(): Error {
  return new DOMException('the task was aborted', 'AbortError');
}

/**
 * The worker's side: runs `handle` on each task the pool sends, one at a time, and posts back its
 * result (moving `transfer`) or, when it throws, its message.
 */
export function serveTasks<Task, Result>(handle: (task: Task) => Promise<{ result: Result; transfer?: readonly Transferable[] }>): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks() runs in a worker thread');
  port.on('message', (task: Task) => {
    handle(task).then(
      ({ result, transfer }) => port.postMessage({ result } satisfies Reply, transfer),
      (error: unknown) => port.postMessage({ failure: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies Reply),
    );
  });
}
