/**
 * An aggregator thread: owns one shard of the StatsD series, drains the rings every receiver
 * writes to it, and answers flush requests with the interval's aggregates in typed arrays.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ByteRingReader, waitForDoorbell, type ByteRingHandle } from '../ingest/index.js';
import { lowerThisThreadPriority } from '../ingest/thread-priority.js';
import { StatsdAggregator, type AggregatorOptions } from './statsd-aggregator.js';

export interface AggregatorWorkerData {
  index: number;
  rings: ByteRingHandle[];
  doorbell: SharedArrayBuffer;
  options: AggregatorOptions;
}

export type AggregatorRequest = { type: 'flush'; id: number } | { type: 'stop'; id: number };

export interface AggregatorFlushReply {
  type: 'flushed';
  id: number;
  newNames: string[];
  firstNewId: number;
  ids: Uint32Array;
  values: Float64Array;
  length: number;
  metricCount: number;
  /** Records applied since the previous flush. */
  records: number;
  /** Wall time of this flush's computation, ms. */
  flushMs: number;
}

/** Bytes drained per ring before giving the event loop a turn (so flush requests are seen). */
const DRAIN_SLICE = 1 << 20;
/**
 * Longest sleep with records waiting: receivers ring the doorbell only once 256 KiB are waiting
 * (ring-sink.ts), so a trickle is picked up by this timeout (or by the next flush, which drains).
 */
const IDLE_WAIT_MS = 100;

/**
 * Nice increment of this thread. When the CPUs are saturated a receiver that misses its turn loses
 * datagrams (the kernel's receive buffer is capped at rmem_max, a few tens of ms at 2M lines/s)
 * while an aggregator that misses its turn loses nothing (its rings hold seconds), so the
 * aggregators yield to the receivers and catch up when they idle.
 */
const NICE_INCREMENT = 5;

lowerThisThreadPriority(NICE_INCREMENT);

const data = workerData as AggregatorWorkerData;
const port = parentPort!;
const aggregator = new StatsdAggregator(data.options);
const readers = data.rings.map((r) => new ByteRingReader(r));
const bell = new Int32Array(data.doorbell);
let records = 0;
let stopping = false;

/** One per ring: record ids are numbered per sending receiver, so the aggregator must know the ring. */
const appliers = readers.map((_, source) => (view: DataView, bytes: Uint8Array, offsets: Uint32Array, count: number): void => {
  aggregator.addBatch(view, bytes, offsets, count, source);
  records += count;
});

function drainAll(maxBytes: number): number {
  let total = 0;
  for (let i = 0; i < readers.length; i++) total += readers[i].drainBatches(appliers[i], maxBytes);
  return total;
}

const allEmpty = (): boolean => readers.every((r) => r.depth() === 0);
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function drainLoop(): Promise<void> {
  while (!stopping) {
    if (drainAll(DRAIN_SLICE) > 0) await yieldToEventLoop();
    else await waitForDoorbell(bell, allEmpty, IDLE_WAIT_MS);
  }
}

function flush(id: number): AggregatorFlushReply {
  // Everything published before the flush request belongs to the interval being closed.
  while (drainAll(Infinity) > 0);
  const started = performance.now();
  const out = aggregator.flush();
  const reply: AggregatorFlushReply = {
    type: 'flushed',
    id,
    newNames: out.newNames,
    firstNewId: out.firstNewId,
    ids: out.ids.slice(0, out.length),
    values: out.values.slice(0, out.length),
    length: out.length,
    metricCount: out.metricCount,
    records,
    flushMs: performance.now() - started,
  };
  records = 0;
  return reply;
}

port.on('message', (msg: AggregatorRequest) => {
  const reply = flush(msg.id);
  port.postMessage(reply, [reply.ids.buffer as ArrayBuffer, reply.values.buffer as ArrayBuffer]);
  if (msg.type === 'stop') {
    stopping = true;
    port.close();
  }
});

void drainLoop();
