/**
 * The carbon worker thread: plaintext over TCP and UDP (one port), pickle over TCP, and their
 * parsing, off the main thread that runs the store and the HTTP API. Points go to main in batches
 * (carbon-batcher.ts). A TCP connection is closed by the server, carbon-send's acknowledgement,
 * only once main has confirmed that every batch holding its points is appended to the store.
 *
 * Backpressure: with WINDOW batches unacknowledged the TCP sockets are paused until main catches
 * up, and UDP datagrams beyond a larger bound are dropped and counted; main's queue stays bounded.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { CarbonBatcher } from './carbon-batcher.js';
import { CarbonPlaintextParser, type CarbonParseCounters } from './carbon-plaintext-parser.js';
import { CarbonStat, type CarbonMainMessage, type CarbonWorkerData, type CarbonWorkerMessage } from './carbon-protocol.js';
import { decodeCarbonPickle, PickleFrameSplitter } from './pickle-reader.js';
import { RateLimitedLog } from '../rate-limited-log.js';
import { lowerThisThreadPriority } from './thread-priority.js';

/** A plaintext line that grows past this without a newline is dropped as bad. */
const MAX_LINE = 64 * 1024;
/** Unacknowledged batches at which TCP reading pauses; it resumes at half. */
const WINDOW = 8;
/** Unacknowledged batches past which UDP datagrams are dropped (UDP cannot be paused). */
const UDP_DROP_AT = 4 * WINDOW;

/**
 * Nice increment of this thread: parsing yields to the store and the API under overload. At +5 the
 * scale poll's p99 under flat-out carbon ingest (2.2-2.8M points/s since the parser got faster)
 * read 5.8-7.1 ms; at +10, 4.6-4.9 ms with ingest still 2.3-2.5M points/s.
 */
const NICE_INCREMENT = 10;

lowerThisThreadPriority(NICE_INCREMENT);
const data = workerData as CarbonWorkerData;
const port = parentPort!;
const stats = new Float64Array(data.stats);
const counters: CarbonParseCounters = { lines: 0, badLines: 0 };
const log = new RateLimitedLog('carbon bad input');
const parser = new CarbonPlaintextParser({ maxNameLength: data.maxNameLength }, (line, reason) =>
  log.log(`${reason}: ${JSON.stringify(line)}`),
);

/** Open connections: paused together, destroyed on stop (server.close() waits for every client). */
const connections = new Set<TcpSocket>();
let paused = false;
let inFlight = 0;
let acked = 0;
/** Connections that ended, waiting for main to append their last batch. */
let closeWaiters: { seq: number; conn: TcpSocket }[] = [];

function publishCounters(): void {
  stats[CarbonStat.lines] = counters.lines;
  stats[CarbonStat.badLines] = counters.badLines;
}

const batcher = new CarbonBatcher((batch, transfer) => {
  publishCounters(); // main sees counters at least as new as the batch
  port.postMessage(batch satisfies CarbonWorkerMessage, transfer);
  if (++inFlight >= WINDOW && !paused) {
    paused = true;
    for (const conn of connections) conn.pause();
  }
});

let flushScheduled = false;
/** Coalesces what one I/O turn read into as few batches as the limits allow. */
function scheduleFlush(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(() => {
    flushScheduled = false;
    batcher.flush();
  });
}

function onAck(seq: number): void {
  inFlight--;
  acked = seq;
  if (paused && inFlight <= WINDOW / 2) {
    paused = false;
    for (const conn of connections) conn.resume();
  }
  if (closeWaiters.length === 0) return;
  const waiting: { seq: number; conn: TcpSocket }[] = [];
  for (const w of closeWaiters) {
    if (w.seq <= acked) w.conn.end();
    else waiting.push(w);
  }
  closeWaiters = waiting;
}

/** Closes the connection once main has appended batch `seq` (0: nothing to wait for). */
function endWhenAppended(conn: TcpSocket, seq: number): void {
  batcher.flush();
  if (seq <= acked) conn.end();
  else closeWaiters.push({ seq, conn });
}

/**
 * After parsing input that began when batcher.points was `before`: the batch now holding the
 * input's last point, or `lastSeq` (a connection's previous answer) if it produced none.
 */
function afterParse(lastSeq: number, before: number): number {
  publishCounters();
  if (batcher.points === before) return lastSeq;
  scheduleFlush();
  return batcher.latestSeq();
}

function parsePlaintext(bytes: Uint8Array, end: number, lastSeq: number): number {
  const before = batcher.points;
  parser.parse(bytes, 0, end, batcher, counters);
  return afterParse(lastSeq, before);
}

function accept(conn: TcpSocket): void {
  stats[CarbonStat.connections]++;
  connections.add(conn);
  conn.on('close', () => connections.delete(conn));
  conn.on('error', () => conn.destroy());
  if (paused) conn.pause();
}

function plaintextConnection(conn: TcpSocket): void {
  accept(conn);
  let lastSeq = 0;
  let pending: Buffer | null = null;
  /** In the middle of an over-long line: skip up to its newline. */
  let discarding = false;
  conn.on('data', (chunk: Buffer) => {
    let rest = chunk;
    if (discarding) {
      const newline = chunk.indexOf(10);
      if (newline < 0) return;
      discarding = false;
      rest = chunk.subarray(newline + 1);
    }
    if (pending) {
      const newline = rest.indexOf(10);
      if (newline >= 0) {
        // Only the line split across reads is joined; the rest of the chunk is parsed where it is.
        // Joining whole chunks copied nearly every read into a fresh buffer: parsing 50 KB reads
        // that way cost 379-759 ns per point against 213-615 (8 runs each, one thread).
        const line = Buffer.concat([pending, rest.subarray(0, newline + 1)]);
        pending = null;
        lastSeq = parsePlaintext(line, line.length, lastSeq);
        rest = rest.subarray(newline + 1);
      }
    }
    const buf = pending ? Buffer.concat([pending, rest]) : rest;
    const lastNewline = buf.lastIndexOf(10);
    if (lastNewline < 0) {
      pending = buf.length > 0 ? buf : null;
      if (buf.length > MAX_LINE) {
        discarding = true;
        counters.lines++;
        counters.badLines++;
        publishCounters();
        log.log(`line longer than ${MAX_LINE} bytes dropped`);
        pending = null;
      }
      return;
    }
    lastSeq = parsePlaintext(buf, lastNewline + 1, lastSeq);
    pending = lastNewline + 1 < buf.length ? buf.subarray(lastNewline + 1) : null;
  });
  conn.on('end', () => {
    if (pending) lastSeq = parsePlaintext(pending, pending.length, lastSeq);
    pending = null;
    endWhenAppended(conn, lastSeq); // everything sent is then in the log: closing is the acknowledgement
  });
}

const now = (): number => Math.floor(Date.now() / 1000);

function pickleConnection(conn: TcpSocket): void {
  accept(conn);
  let lastSeq = 0;
  const splitter = new PickleFrameSplitter();
  const decode = (frame: Uint8Array): void => {
    stats[CarbonStat.pickleFrames]++;
    try {
      decodeCarbonPickle(frame, batcher, counters, now, {
        maxNameLength: data.maxNameLength,
        onBadEntry: (index, reason) => log.log(`pickle entry ${index}: ${reason}`),
      });
    } catch (err) {
      stats[CarbonStat.badPickles]++;
      log.log(`pickle frame dropped: ${(err as Error).message}`);
    }
  };
  conn.on('data', (chunk: Buffer) => {
    const before = batcher.points;
    const problem = splitter.push(chunk, decode);
    lastSeq = afterParse(lastSeq, before);
    if (problem !== null) {
      stats[CarbonStat.badPickles]++;
      log.log(`closing pickle connection: ${problem}`);
      conn.destroy();
    }
  });
  conn.on('end', () => endWhenAppended(conn, lastSeq));
}

function listen(server: Server, listenPort: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, data.host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : listenPort);
    });
  });
}

function bindUdp(udpPort: number): Promise<Socket> {
  const udp = createSocket({ type: data.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  udp.on('message', (msg) => {
    if (inFlight >= UDP_DROP_AT) {
      stats[CarbonStat.queueDrops]++;
      return;
    }
    parsePlaintext(msg, msg.length, 0);
  });
  return new Promise((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(udpPort, data.host, () => {
      udp.off('error', reject);
      udp.on('error', (err) => log.log(`udp socket error: ${err.message}`));
      resolve(udp);
    });
  });
}

async function main(): Promise<void> {
  const closers: (() => Promise<void>)[] = [];
  let plaintextPort: number | null = null;
  let picklePort: number | null = null;
  // Half-open: Node would otherwise close a connection as soon as the client ends it, before
  // main has appended what it sent.
  if (data.plaintextPort !== 0) {
    const tcp = createServer({ allowHalfOpen: true }, plaintextConnection);
    plaintextPort = await listen(tcp, data.plaintextPort);
    const udp = await bindUdp(plaintextPort);
    closers.push(
      () => new Promise((resolve) => tcp.close(() => resolve())),
      () => new Promise((resolve) => udp.close(() => resolve())),
    );
  }
  if (data.picklePort !== 0) {
    const pickle = createServer({ allowHalfOpen: true }, pickleConnection);
    picklePort = await listen(pickle, data.picklePort);
    closers.push(() => new Promise((resolve) => pickle.close(() => resolve())));
  }
  port.on('message', (msg: CarbonMainMessage) => {
    if (msg.type === 'ack') {
      batcher.recycle(msg.ids, msg.timestamps, msg.values);
      onAck(msg.seq);
      return;
    }
    const closed = Promise.all(closers.map((close) => close()));
    for (const conn of connections) conn.destroy();
    void closed.then(() => {
      batcher.flush();
      publishCounters();
      port.postMessage({ type: 'stopped' } satisfies CarbonWorkerMessage);
      port.close();
    });
  });
  port.postMessage({ type: 'listening', plaintextPort, picklePort } satisfies CarbonWorkerMessage);
}

main().catch((err: Error) => {
  port.postMessage({ type: 'error', message: err.message } satisfies CarbonWorkerMessage);
});
