/**
 * Heavy renders on worker threads: a request whose fetched data is big (many points or series) is
 * evaluated and formatted on a RenderPool worker, so the main thread, which also runs ingest and
 * every small query, only parses, reads the store and sends the bytes back. Small requests stay on
 * the main thread, where they answer faster than a hand-over to a thread would.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { EvaluateOptions, FetchedRanges, FetchedTargets, SeriesSource } from '../query/evaluator.js';
import type { RenderLimits } from './limits.js';
import type { BodyOptions } from './render-body.js';
import { errorFromWire, errorToWire, rangeColumns, type RenderJob, type RenderJobResult, type SourceRequest } from './render-job.js';

export interface RenderPoolOptions {
  /** Worker threads; default: one fewer than the CPUs, at least one (the main thread keeps a core). */
  threads?: number;
  /** A request whose fetched data holds at least this many points renders on the pool. */
  minPoints?: number;
  /** ... or at least this many series. */
  minSeries?: number;
  /** The worker module; tests wrap the real one. */
  script?: URL;
}

/**
 * From bench/render-pool.bench.ts: on the main thread a JSON render costs it ~0.1 µs per point and
 * ~5-7 µs per series, so a render below either threshold takes it ~10 ms at most, about what a
 * request waits behind one store-read slice; on the pool the main thread keeps only the read (~2 µs
 * per series, ~0.02 µs per point). Lower thresholds would queue dashboards' ordinary requests
 * (10 series x 24 h = 86,400 points) behind big renders on the pool's one thread here.
 */
export const DEFAULT_MIN_POINTS = 100_000;
export const DEFAULT_MIN_SERIES = 2_000;

/** The worker rendering a request died (an uncaught error, process.exit, out of memory) or was stopped. */
export class WorkerExitError extends Error {
  override readonly name = 'WorkerExitError';
}

/** A rendered answer: its bytes, in pieces. */
export interface PooledAnswer {
  contentType: string;
  pieces: Uint8Array[];
}

export class RenderPool {
  readonly minPoints: number;
  readonly minSeries: number;
  readonly threads: number;
  private readonly script: URL;
  private started?: Piscina<RenderJob, RenderJobResult>;

  constructor(options: RenderPoolOptions = {}) {
    this.minPoints = options.minPoints ?? DEFAULT_MIN_POINTS;
    this.minSeries = options.minSeries ?? DEFAULT_MIN_SERIES;
    this.threads = options.threads ?? Math.max(1, availableParallelism() - 1);
    this.script = options.script ?? new URL('./render-worker.js', import.meta.url);
  }

  /**
   * The piscina pool, started on a server's first heavy render rather than with the server: a worker
   * start, modules loaded, took 60-120 ms on a busy 2-core machine. piscina replaces a dead or aborted
   * worker only up to minThreads, so with none the renders queued behind it would wait for the next
   * render to come; hence one, and workers once started stay (idle, they do not keep the process alive).
   */
  private get pool(): Piscina<RenderJob, RenderJobResult> {
    if (this.started) return this.started;
    this.started = new Piscina({ filename: this.script.href, maxThreads: this.threads, minThreads: 1, idleTimeout: Infinity });
    // A worker failing with no render on it (its module does not load) is told here; unheard, it would stop the server.
    this.started.on('error', (error: unknown) => console.error('http: render pool:', error));
    return this.started;
  }

  /**
   * Whether rendering this fetched data is worth a worker (a series fetched under two keys counts
   * twice: close enough); `madePoints`: points functions make without reading (generators).
   */
  wants(fetched: FetchedRanges, madePoints = 0): boolean {
    let series = 0;
    let points = madePoints;
    for (const ranges of fetched.values()) {
      series += ranges.length;
      for (const range of ranges) points += range.values.length;
    }
    return points >= this.minPoints || series >= this.minSeries;
  }

  /**
   * Evaluates and formats on a worker. The fetched arrays are moved to it (big ones unusable here after);
   * what else it needs it asks of `source` here. Errors come back as the errors they were there.
   */
  async render(source: SeriesSource, targets: FetchedTargets, evaluate: EvaluateOptions, body: BodyOptions, limits: RenderLimits, signal?: AbortSignal): Promise<PooledAnswer> {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (request: SourceRequest) => void serveSource(source, port1, request));
    try {
      const { columns, transfer } = rangeColumns(targets.fetched);
      const job: RenderJob = { expressions: targets.expressions, fetched: columns, evaluate, body, limits, reduces: source.reduces, port: port2 };
      const result = await this.pool.run(job, { transferList: [port2, ...transfer], signal }).catch((error: unknown) => {
        // The worker answers every render, its errors included; a rejection is its thread's end.
        if (signal?.aborted) throw error;
        throw new WorkerExitError(`its worker thread stopped (${describe(error)})`);
      });
      if ('error' in result) throw errorFromWire(result.error);
      return result;
    } finally {
      port1.close();
    }
  }

  /** Stops the workers; renders still running on them fail. */
  async close(): Promise<void> {
    await this.started?.destroy();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Answers a worker's request for data from the store. */
async function serveSource(source: SeriesSource, port: MessagePort, request: SourceRequest): Promise<void> {
  try {
    if ('plan' in request) {
      const { columns, transfer } = rangeColumns(await source.fetch(request.plan));
      port.postMessage({ id: request.id, fetched: columns }, transfer);
    } else {
      port.postMessage({ id: request.id, reduced: await source.reduce(request.reduction, request.from, request.until, request.xFilesFactor) });
    }
  } catch (error) {
    port.postMessage({ id: request.id, error: errorToWire(error) });
  }
}
