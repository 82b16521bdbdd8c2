/**
 * A StatsD receiver thread: its own SO_REUSEPORT UDP socket (the kernel spreads datagrams over
 * the receivers), optionally the TCP listener, parsing into records for the aggregator rings.
 *
 * The kernel spreads by a hash of each client's address and port, so a few busy clients can load
 * one receiver far more than the others (8 client sockets land 6:2 or worse on two receivers one
 * time in three). A receiver whose own socket is empty therefore also reads the socket of a
 * sibling that has fallen behind (same process, so descriptors are valid here), rather than let
 * the kernel drop what overflows it.
 *
 * Only a sibling that is behind: a client's datagrams all reach one socket, and one thread reading
 * it keeps them in order (a gauge set then a delta, two sets of one gauge). Two threads reading it
 * hand consecutive datagrams to the aggregators through different rings, which can apply them in
 * either order; that is the price of not dropping them, paid only while a receiver is behind.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import type { ByteRingHandle } from './byte-ring.js';
import { DatagramDrain, MAX_DATAGRAM_BYTES, readDatagram } from './datagram-drain.js';
import { ReceiverStat } from './receiver-stats.js';
import { RingSink } from './ring-sink.js';
import { StatsdParser, type ParseCounters } from './statsd-parser.js';
import { RateLimitedLog } from '../rate-limited-log.js';

export interface ReceiverWorkerData {
  index: number;
  host: string;
  port: number;
  /** Whether this receiver also serves StatsD over TCP on the same port. */
  tcp: boolean;
  recvBufferBytes: number;
  maxNameLength: number;
  rings: ByteRingHandle[];
  doorbells: SharedArrayBuffer[];
  stats: SharedArrayBuffer;
  /**
   * Three Int32 per receiver: 1 while its socket is open; how many siblings are in a read of its
   * socket; 1 while it is behind. A sibling's socket is read only while open and behind, and closed
   * only once no read of it is under way (its descriptor number may be reused by the next file).
   */
  alive: SharedArrayBuffer;
}

/** From the pool: the siblings' socket descriptors (by receiver index), stop reading them, stop. */
export type ReceiverCommand = { type: 'siblings'; fds: (number | null)[] } | { type: 'quiesce' } | { type: 'stop' };

export type ReceiverMessage =
  | { type: 'listening'; udpPort: number; tcpPort: number | null; recvBufferBytes: number; fd: number | null }
  | { type: 'quiesced' }
  | { type: 'error'; message: string }
  | { type: 'stopped' };

/** A TCP line that grows past this without a newline is dropped as bad. */
const MAX_TCP_LINE = 64 * 1024;
/**
 * Pause between two drains of the socket while datagrams keep coming: they gather in the kernel's
 * receive buffer meanwhile (at 1M lines/s a receiver's share is ~20 datagrams per ms, a few
 * percent of a 4 MiB buffer), so the thread wakes once per batch instead of once per datagram.
 */
const DRAIN_PAUSE_MS = 1;
/** Drain buffer: several datagrams are parsed into it before the rings are published. */
const DRAIN_BUFFER_BYTES = 8 * MAX_DATAGRAM_BYTES;
/**
 * Datagrams read in one turn of the event loop at most: a receiver that falls behind would
 * otherwise never find the socket empty, and never see a stop request or a TCP client.
 */
const DRAIN_TURN_DATAGRAMS = 1024;
/**
 * While its own socket is quiet, how often a receiver looks at its siblings' sockets: a sibling
 * given every client by the hash fills a 4 MiB buffer in ~40 ms at 2M lines/s.
 */
const SIBLING_CHECK_MS = 10;

const data = workerData as ReceiverWorkerData;
const port = parentPort!;
const stats = new Float64Array(data.stats);
const receiverCount = data.alive.byteLength / 12;
const alive = new Int32Array(data.alive, 0, receiverCount);
const reading = new Int32Array(data.alive, 4 * receiverCount, receiverCount);
/** Set by a receiver whose last turn read DRAIN_TURN_DATAGRAMS and left more queued; cleared once it finds its socket empty. */
const behind = new Int32Array(data.alive, 8 * receiverCount, receiverCount);
const sink = new RingSink(data.rings, data.doorbells);
const counters: ParseCounters = { lines: 0, badLines: 0 };
const badLineLog = new RateLimitedLog('statsd bad line');
const parser = new StatsdParser({ maxNameLength: data.maxNameLength }, (line, reason) =>
  badLineLog.log(`${reason}: ${JSON.stringify(line)}`),
);
let packetsSinceDepthCheck = 0;

function parse(bytes: Uint8Array, start: number, end: number): void {
  try {
    parser.parse(bytes, start, end, sink, counters);
  } catch (err) {
    // The parser is written never to throw; if it does, lose only this chunk.
    counters.badLines++;
    badLineLog.log(`parser error: ${(err as Error).message}`);
  }
}

function ingest(bytes: Uint8Array, start: number, end: number): void {
  parse(bytes, start, end);
  publish(); // before `bytes` goes: the sink holds samples back as ranges of it
}

function publish(): void {
  sink.publish();
  stats[ReceiverStat.lines] = counters.lines;
  stats[ReceiverStat.badLines] = counters.badLines;
  stats[ReceiverStat.queueDrops] = sink.drops;
  if (++packetsSinceDepthCheck >= 64) {
    packetsSinceDepthCheck = 0;
    const depth = sink.maxDepth();
    if (depth > stats[ReceiverStat.queueDepthMax]) stats[ReceiverStat.queueDepthMax] = depth;
  }
}

/**
 * While datagrams keep coming, the socket is read by `drainSocket` on a timer rather than through
 * one 'message' event per datagram; the first datagram after a quiet spell still arrives as an
 * event and starts the draining, and a drain that finds the socket empty hands back to events.
 */
let drain: DatagramDrain | null = null;
/**
 * A Buffer, as the datagrams of 'message' events and TCP chunks are: the parser and the sink then
 * only ever see one kind of array, and their element loads stay monomorphic (a Uint8Array here
 * beside the events' Buffers cost the receive path ~5%, 182-195 against 190-217 ns/line).
 */
const drainBuffer = Buffer.alloc(DRAIN_BUFFER_BYTES);
/** A drainSocket call is scheduled: the socket's events are paused meanwhile. */
let draining = false;
let stopped = false;
/** The siblings' socket descriptors and receiver indexes, read when this thread's own socket is empty. */
let siblings: { index: number; fd: number }[] = [];
let siblingCheck: NodeJS.Timeout | null = null;

/** Reads and parses up to `budget` datagrams queued on the sockets of siblings that are behind; returns how many. */
function readSiblings(budget: number): number {
  let datagrams = 0;
  let bytes = 0;
  let used = 0;
  for (let s = 0; s < siblings.length && datagrams < budget; s++) {
    const { index, fd } = siblings[s];
    while (datagrams < budget && Atomics.load(behind, index) === 1) {
      if (used + MAX_DATAGRAM_BYTES > drainBuffer.length) {
        publish();
        used = 0;
      }
      let length: number;
      // Announced before `alive` is checked: its owner, having cleared `alive`, waits for the read to end (withdrawSocket).
      Atomics.add(reading, index, 1);
      try {
        length = Atomics.load(alive, index) === 1 ? readDatagram(fd, drainBuffer, used) : -1;
      } catch (err) {
        badLineLog.log(`reading statsd receiver ${index}'s socket failed, no longer reading it: ${(err as Error).message}`);
        siblings = siblings.filter((sibling) => sibling.index !== index);
        break;
      } finally {
        Atomics.sub(reading, index, 1);
      }
      if (length < 0) break;
      datagrams++;
      bytes += length;
      parse(drainBuffer, used, used + length);
      used += length;
    }
  }
  if (datagrams > 0) {
    stats[ReceiverStat.packets] += datagrams;
    stats[ReceiverStat.stolenPackets] += datagrams;
    stats[ReceiverStat.bytes] += bytes;
    publish();
  }
  return datagrams;
}

/** Siblings no longer read this thread's socket when this returns: none is in a read, none starts one. */
function withdrawSocket(): void {
  Atomics.store(alive, data.index, 0);
  for (let n = Atomics.load(reading, data.index); n !== 0; n = Atomics.load(reading, data.index)) Atomics.wait(reading, data.index, n, 1);
}

/** Own socket quiet (events resumed): look at the siblings' sockets now and then. */
function scheduleSiblingCheck(): void {
  if (siblings.length === 0 || siblingCheck !== null || stopped) return;
  siblingCheck = setTimeout(() => {
    siblingCheck = null;
    if (draining || drain === null || stopped) return;
    if (!siblings.some((sibling) => Atomics.load(behind, sibling.index) === 1)) {
      scheduleSiblingCheck();
      return;
    }
    drain.pauseEvents();
    draining = true;
    drainSocket();
  }, SIBLING_CHECK_MS);
  siblingCheck.unref();
}

function drainSocket(): void {
  draining = false;
  if (stopped || drain === null) return;
  let datagrams = 0;
  let bytes = 0;
  try {
    // A buffer's worth at a time, then publish (which frees the buffer): one publish call site,
    // reached by every drain. One inside the read loop for a full buffer was first reached when
    // the rate rose past warm-up's, and deoptimised the drain there.
    for (let more = true; more; ) {
      let used = 0;
      while (datagrams < DRAIN_TURN_DATAGRAMS && used + MAX_DATAGRAM_BYTES <= drainBuffer.length) {
        const length = drain.read(drainBuffer, used);
        if (length < 0) break;
        datagrams++;
        bytes += length;
        parse(drainBuffer, used, used + length);
        used += length;
      }
      more = datagrams < DRAIN_TURN_DATAGRAMS && used + MAX_DATAGRAM_BYTES > drainBuffer.length;
      if (used > 0) publish(); // before the siblings' datagrams reuse the buffer
    }
  } catch (err) {
    // Not a read this thread can make after all: back to 'message' events for good.
    badLineLog.log(`udp read failed, using message events: ${(err as Error).message}`);
    drain.resumeEvents();
    drain = null;
    publish();
  }
  if (datagrams > 0) {
    stats[ReceiverStat.packets] += datagrams;
    stats[ReceiverStat.bytes] += bytes;
  }
  Atomics.store(behind, data.index, datagrams === DRAIN_TURN_DATAGRAMS ? 1 : 0);
  // Own socket empty: help a sibling the kernel's hash gave more clients, if it is behind.
  if (drain !== null && datagrams < DRAIN_TURN_DATAGRAMS && siblings.length > 0) datagrams += readSiblings(DRAIN_TURN_DATAGRAMS - datagrams);
  if (drain === null) return;
  if (datagrams === 0) {
    drain.resumeEvents();
    scheduleSiblingCheck();
    return;
  }
  draining = true;
  if (datagrams === DRAIN_TURN_DATAGRAMS) setImmediate(drainSocket); // more queued: go on after one turn
  else setTimeout(drainSocket, DRAIN_PAUSE_MS);
}

function startUdp(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({
      type: data.host.includes(':') ? 'udp6' : 'udp4',
      reusePort: true,
      recvBufferSize: data.recvBufferBytes,
    });
    socket.once('error', reject);
    socket.on('message', (msg) => {
      stats[ReceiverStat.packets]++;
      stats[ReceiverStat.bytes] += msg.length;
      ingest(msg, 0, msg.length);
      if (drain !== null && !draining) {
        drain.pauseEvents();
        draining = true;
        setTimeout(drainSocket, DRAIN_PAUSE_MS);
      }
    });
    socket.bind(data.port, data.host, () => {
      socket.off('error', reject);
      socket.on('error', (err) => badLineLog.log(`udp socket error: ${err.message}`));
      drain = DatagramDrain.open(socket);
      if (drain !== null) Atomics.store(alive, data.index, 1);
      resolve(socket);
    });
  });
}

/** Open TCP connections, destroyed on stop: an idle client must not keep the thread alive. */
const connections = new Set<TcpSocket>();

function startTcp(tcpPort: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((conn) => {
      stats[ReceiverStat.tcpConnections]++;
      connections.add(conn);
      conn.on('close', () => connections.delete(conn));
      let pending: Buffer | null = null;
      /** In the middle of an over-long line: skip up to its newline. */
      let discarding = false;
      conn.on('data', (chunk: Buffer) => {
        let start = 0;
        if (discarding) {
          const newline = chunk.indexOf(10);
          if (newline < 0) return;
          discarding = false;
          start = newline + 1;
        }
        const rest = start > 0 ? chunk.subarray(start) : chunk;
        const buf = pending ? Buffer.concat([pending, rest]) : rest;
        const lastNewline = buf.lastIndexOf(10);
        if (lastNewline < 0) {
          pending = buf.length > MAX_TCP_LINE ? null : buf;
          if (buf.length > MAX_TCP_LINE) {
            discarding = true;
            counters.badLines++;
            counters.lines++;
            stats[ReceiverStat.lines] = counters.lines;
            stats[ReceiverStat.badLines] = counters.badLines;
            badLineLog.log(`tcp line longer than ${MAX_TCP_LINE} bytes dropped`);
          }
          return;
        }
        ingest(buf, 0, lastNewline);
        pending = lastNewline + 1 < buf.length ? buf.subarray(lastNewline + 1) : null;
      });
      conn.on('end', () => {
        if (pending) ingest(pending, 0, pending.length);
        pending = null;
      });
      conn.on('error', () => conn.destroy());
    });
    server.once('error', reject);
    server.listen(tcpPort, data.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

async function main(): Promise<void> {
  const udp = await startUdp();
  const udpPort = udp.address().port;
  const tcp = data.tcp ? await startTcp(udpPort) : null;
  const tcpAddress = tcp?.address();
  port.postMessage({
    type: 'listening',
    udpPort,
    tcpPort: tcpAddress && typeof tcpAddress === 'object' ? tcpAddress.port : null,
    recvBufferBytes: udp.getRecvBufferSize(),
    fd: drain?.fd ?? null,
  } satisfies ReceiverMessage);
  // However this thread ends, siblings must stop reading its descriptor before it is closed.
  process.on('exit', withdrawSocket);

  port.on('message', (msg: ReceiverCommand) => {
    if (msg.type === 'siblings') {
      siblings = drain === null ? [] : msg.fds.flatMap((fd, index) => (fd === null || index === data.index ? [] : [{ index, fd }]));
      scheduleSiblingCheck();
      return;
    }
    if (msg.type === 'quiesce') {
      siblings = [];
      port.postMessage({ type: 'quiesced' } satisfies ReceiverMessage);
      return;
    }
    if (msg.type !== 'stop') return;
    stopped = true; // a scheduled drainSocket now returns at once
    if (siblingCheck !== null) clearTimeout(siblingCheck);
    withdrawSocket();
    udp.close();
    tcp?.close();
    for (const conn of connections) conn.destroy();
    sink.publish();
    port.postMessage({ type: 'stopped' } satisfies ReceiverMessage);
    port.close();
  });
}

main().catch((err: Error) => {
  port.postMessage({ type: 'error', message: err.message } satisfies ReceiverMessage);
});
