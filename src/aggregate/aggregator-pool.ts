/** The aggregator threads, one per shard, and the flush round-trip to all of them. */
import { Worker } from 'node:worker_threads';
import type { ByteRingHandle } from '../ingest/index.js';
import type { AggregatorFlushReply, AggregatorRequest, AggregatorWorkerData } from './aggregator-worker.js';
import type { AggregatorOptions } from './statsd-aggregator.js';

export interface AggregatorPool {
  readonly size: number;
  /** Closes the current interval in every shard and returns their aggregates (index = shard). */
  flush(): Promise<AggregatorFlushReply[]>;
  /** Final flush, then the threads exit. */
  stop(): Promise<AggregatorFlushReply[]>;
}

export function startAggregatorPool(
  ringsByAggregator: ByteRingHandle[][],
  doorbells: SharedArrayBuffer[],
  options: AggregatorOptions,
): AggregatorPool {
  let nextId = 1;
  /** Waiting flush requests per shard, by request id. */
  const pending = ringsByAggregator.map(() => new Map<number, (reply: AggregatorFlushReply) => void>());
  const gone = ringsByAggregator.map(() => false);
  /** What a shard whose thread died answers, so flushes and shutdown never wait on it. */
  const emptyReply = (id: number): AggregatorFlushReply => ({
    type: 'flushed', id, newNames: [], firstNewId: 0, ids: new Uint32Array(0), values: new Float64Array(0),
    length: 0, metricCount: 0, records: 0, flushMs: 0,
  });
  const workers = ringsByAggregator.map((rings, index) => {
    const data: AggregatorWorkerData = { index, rings, doorbell: doorbells[index], options };
    const worker = new Worker(new URL('./aggregator-worker.js', import.meta.url), {
      workerData: data,
      name: `statsd-agg-${index}`, // the OS thread name: per-thread CPU in /proc and top -H
    });
    worker.on('message', (reply: AggregatorFlushReply) => pending[index].get(reply.id)?.(reply));
    worker.on('error', (err) => console.error(`carbonado: aggregator thread ${index} failed: ${err.stack ?? err.message}`));
    worker.once('exit', () => {
      gone[index] = true;
      for (const [id, resolve] of pending[index]) resolve(emptyReply(id));
    });
    return worker;
  });
  // Listened for from the start: a thread may exit before its siblings' last replies arrive.
  const exited = workers.map((w) => new Promise((resolve) => w.once('exit', resolve)));

  const roundTrip = (type: AggregatorRequest['type']): Promise<AggregatorFlushReply[]> =>
    Promise.all(
      workers.map(
        (worker, index) =>
          new Promise<AggregatorFlushReply>((resolve) => {
            const id = nextId++;
            if (gone[index]) return resolve(emptyReply(id));
            pending[index].set(id, (reply) => {
              pending[index].delete(id);
              resolve(reply);
            });
            worker.postMessage({ type, id } satisfies AggregatorRequest);
          }),
      ),
    );

  return {
    size: workers.length,
    flush: () => roundTrip('flush'),
    async stop() {
      const replies = await roundTrip('stop');
      await Promise.all(exited);
      return replies;
    },
  };
}
