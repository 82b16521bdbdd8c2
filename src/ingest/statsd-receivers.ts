/**
 * Starts the StatsD receiver threads: all bound to one port with SO_REUSEPORT, each also reading
 * its siblings' sockets when its own is empty (see receiver-worker.ts).
 */
import { Worker } from 'node:worker_threads';
import type { ByteRingHandle } from './byte-ring.js';
import { createReceiverStats } from './receiver-stats.js';
import type { ReceiverCommand, ReceiverMessage, ReceiverWorkerData } from './receiver-worker.js';

export interface StatsdReceiversOptions {
  host: string;
  port: number;
  recvBufferBytes: number;
  maxNameLength: number;
  /** rings[receiver][aggregator] */
  rings: ByteRingHandle[][];
  /** doorbells[aggregator] */
  doorbells: SharedArrayBuffer[];
}

export interface StatsdReceivers {
  udpPort: number;
  tcpPort: number | null;
  /** Effective SO_RCVBUF as the kernel reports it (Linux reports double the usable size). */
  recvBufferBytes: number;
  /** One Float64Array of ReceiverStat slots per receiver. */
  stats: Float64Array[];
  stop(): Promise<void>;
}

interface StartedReceiver {
  worker: Worker;
  listening: Extract<ReceiverMessage, { type: 'listening' }>;
  /** Settles when the thread ends; listened for from its start, as it may end before stop() asks it to. */
  exited: Promise<void>;
}

function startReceiver(data: ReceiverWorkerData): Promise<StartedReceiver> {
  const worker = new Worker(new URL('./receiver-worker.js', import.meta.url), {
    workerData: data,
    name: `statsd-recv-${data.index}`, // the OS thread name: per-thread CPU in /proc and top -H
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    /** Why the thread could not start: told once it has ended. */
    let failure: Error | null = null;
    worker.once('error', reject);
    worker.once('exit', (code) => reject(failure ?? new Error(`statsd receiver ${data.index} exited (code ${code}) before it listened`)));
    worker.once('message', (msg: ReceiverMessage) => {
      if (msg.type === 'listening') {
        resolve({ worker, listening: msg, exited });
        return;
      }
      // Ended before the start fails: a thread whose UDP socket bound before its TCP listen failed
      // stays alive, holding the port, in a process whose start failed.
      failure = new Error(`statsd receiver ${data.index} failed to bind ${data.host}:${data.port}: ${msg.type === 'error' ? msg.message : msg.type}`);
      void worker.terminate();
    });
  });
}

/** Asks a thread to stop reading its siblings' sockets; settles on its reply, or at once if it has ended. */
function quiesced(worker: Worker, exited: Promise<void>): Promise<void> {
  let onMessage!: (msg: ReceiverMessage) => void;
  const replied = new Promise<void>((resolve) => {
    onMessage = (msg) => {
      if (msg.type === 'quiesced') resolve();
    };
    worker.on('message', onMessage);
  });
  worker.postMessage({ type: 'quiesce' } satisfies ReceiverCommand);
  return Promise.race([replied, exited]).finally(() => worker.off('message', onMessage));
}

export async function startStatsdReceivers(options: StatsdReceiversOptions): Promise<StatsdReceivers> {
  const statsBuffers = options.rings.map(() => createReceiverStats());
  const alive = new SharedArrayBuffer(12 * options.rings.length);
  const base = (index: number, port: number): ReceiverWorkerData => ({
    index,
    host: options.host,
    port,
    tcp: index === 0,
    recvBufferBytes: options.recvBufferBytes,
    maxNameLength: options.maxNameLength,
    rings: options.rings[index],
    doorbells: options.doorbells,
    stats: statsBuffers[index],
    alive,
  });
  // The first receiver binds (perhaps an ephemeral port); the others join that port.
  const first = await startReceiver(base(0, options.port));
  const others = await Promise.allSettled(
    options.rings.slice(1).map((_, i) => startReceiver(base(i + 1, first.listening.udpPort))),
  );
  const failed = others.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    // A half-started pool would keep its threads (and the port) alive after the start failed.
    const up = [first, ...others.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))];
    await Promise.all(up.map(({ worker, exited }) => worker.terminate().then(() => exited)));
    throw failed.reason;
  }
  const started = [first, ...others.map((r) => (r as PromiseFulfilledResult<StartedReceiver>).value)];
  const workers = started.map((r) => r.worker);
  const command = (w: Worker, msg: ReceiverCommand): void => w.postMessage(msg);
  let stopping = false;
  for (const { worker, exited } of started) {
    worker.on('error', (err) => console.error(`carbonado: statsd receiver thread failed: ${err.stack ?? err.message}`));
    // A thread gone unasked: the others stop reading its (closed, perhaps reused) descriptor.
    void exited.then(() => {
      if (!stopping) for (const other of workers) if (other !== worker) command(other, { type: 'quiesce' });
    });
  }
  const fds = started.map((r) => r.listening.fd);
  if (workers.length > 1) for (const w of workers) command(w, { type: 'siblings', fds });
  return {
    udpPort: first.listening.udpPort,
    tcpPort: first.listening.tcpPort,
    recvBufferBytes: first.listening.recvBufferBytes,
    stats: statsBuffers.map((b) => new Float64Array(b)),
    async stop() {
      stopping = true;
      // Every thread stops reading its siblings' sockets before any socket closes. A thread already
      // gone (crashed, or exited unasked) answers nothing: its end stands for its reply.
      await Promise.all(started.map(({ worker, exited }) => quiesced(worker, exited)));
      await Promise.all(
        started.map(({ worker, exited }) => {
          command(worker, { type: 'stop' });
          return exited;
        }),
      );
    },
  };
}
