/**
 * Graphite carbon listeners: plaintext over TCP and UDP, pickle over TCP, served by a worker
 * thread (carbon-worker.ts) so that sockets and parsing do not compete with the store and the
 * HTTP API for the main event loop. Main appends the worker's batches in slices, one per
 * event-loop turn, so HTTP requests interleave with ingest, and acknowledges each batch once it
 * is in the write-ahead log; a TCP connection is closed (the end of a carbon-send) only after that.
 */
import { Worker } from 'node:worker_threads';
import type { PointWriter } from '../points.js';
import { CarbonBatchWriter } from './carbon-batch-writer.js';
import {
  CarbonStat,
  createCarbonStats,
  type CarbonMainMessage,
  type CarbonWorkerData,
  type CarbonWorkerMessage,
} from './carbon-protocol.js';

/** Cumulative counts since start. */
export interface CarbonCounters {
  /** Lines (plaintext) and entries (pickle) seen, bad ones included. */
  readonly lines: number;
  readonly badLines: number;
  readonly connections: number;
  readonly pickleFrames: number;
  readonly badPickles: number;
  /** UDP datagrams dropped because the store fell behind. */
  readonly queueDrops: number;
}

export interface CarbonListenersOptions {
  host: string;
  plaintextPort: number;
  picklePort: number;
  maxNameLength: number;
  writer: PointWriter;
}

export interface CarbonListeners {
  plaintextPort: number | null;
  picklePort: number | null;
  counters: CarbonCounters;
  /** Closes the listeners and drops open connections; every point already read is appended. */
  stop(): Promise<void>;
}

/**
 * Points appended per event-loop turn. The worker's batches are larger (fewer messages, wake-ups
 * and acknowledgements); a scale poll waiting behind ingest waits for one slice, not a batch.
 */
const SLICE_POINTS = 1024;
/**
 * Points of series not resolved yet per slice: each costs a store lookup and, for a new name, a
 * new series (about 1.4 us of main's CPU in the carbon stages bench, 1M series x 3), so a slice of
 * new names is shorter: 512 of them take about 0.7 ms. Each slice is a WAL write of its own.
 */
export const SLICE_NEW_NAMES = 512;

function countersOf(stats: SharedArrayBuffer): CarbonCounters {
  const slots = new Float64Array(stats);
  return {
    get lines() {
      return slots[CarbonStat.lines];
    },
    get badLines() {
      return slots[CarbonStat.badLines];
    },
    get connections() {
      return slots[CarbonStat.connections];
    },
    get pickleFrames() {
      return slots[CarbonStat.pickleFrames];
    },
    get badPickles() {
      return slots[CarbonStat.badPickles];
    },
    get queueDrops() {
      return slots[CarbonStat.queueDrops];
    },
  };
}

function startWorker(data: CarbonWorkerData): Promise<{ worker: Worker; plaintextPort: number | null; picklePort: number | null }> {
  const worker = new Worker(new URL('./carbon-worker.js', import.meta.url), { workerData: data });
  return new Promise((resolve, reject) => {
    const failed = (err: Error): void => {
      void worker.terminate();
      reject(err);
    };
    worker.once('error', failed);
    worker.once('message', (msg: CarbonWorkerMessage) => {
      worker.off('error', failed);
      if (msg.type === 'listening') resolve({ worker, plaintextPort: msg.plaintextPort, picklePort: msg.picklePort });
      else failed(new Error(`carbon listeners failed to bind ${data.host}: ${msg.type === 'error' ? msg.message : msg.type}`));
    });
  });
}

export async function startCarbonListeners(options: CarbonListenersOptions): Promise<CarbonListeners> {
  const stats = createCarbonStats();
  const { worker, plaintextPort, picklePort } = await startWorker({
    host: options.host,
    plaintextPort: options.plaintextPort,
    picklePort: options.picklePort,
    maxNameLength: options.maxNameLength,
    stats,
  });
  const writer = new CarbonBatchWriter(options.writer);
  const post = (msg: CarbonMainMessage, transfer: ArrayBuffer[] = []): void => worker.postMessage(msg, transfer);

  let stopped!: () => void;
  const whenStopped = new Promise<void>((resolve) => (stopped = resolve));
  /**
   * Messages not handled yet, the first one possibly in part: at most SLICE_POINTS points per
   * event-loop turn, so HTTP gets a turn between slices, and one acknowledgement per batch.
   */
  const queue: CarbonWorkerMessage[] = [];
  const handleOne = (): void => {
    const msg = queue[0];
    if (msg.type === 'batch') {
      if (!writer.appendNext(msg, SLICE_POINTS, SLICE_NEW_NAMES)) {
        setImmediate(handleOne);
        return;
      }
      const { ids, timestamps, values } = msg;
      post({ type: 'ack', seq: msg.seq, ids, timestamps, values }, [ids.buffer as ArrayBuffer, timestamps.buffer as ArrayBuffer, values.buffer as ArrayBuffer]);
    } else if (msg.type === 'stopped') {
      stopped();
    }
    queue.shift();
    if (queue.length > 0) setImmediate(handleOne);
  };
  worker.on('message', (msg: CarbonWorkerMessage) => {
    if (queue.push(msg) === 1) setImmediate(handleOne);
  });
  worker.on('error', (err) => console.error(`carbonado: carbon listener thread failed: ${err.stack ?? err.message}`));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // A thread that died cannot say it stopped; what it sent before is still appended.
  void exited.then(() => setImmediate(function afterQueue() {
    if (queue.length > 0) setImmediate(afterQueue);
    else stopped();
  }));

  let stopping: Promise<void> | null = null;
  return {
    plaintextPort,
    picklePort,
    counters: countersOf(stats),
    stop() {
      stopping ??= (async () => {
        post({ type: 'stop' });
        await whenStopped;
        await exited;
      })();
      return stopping;
    },
  };
}
