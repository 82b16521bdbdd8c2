/**
 * Graphite carbon listeners: plaintext over TCP and UDP, pickle over TCP. Each read chunk is
 * parsed into one batch and handed to the writer, so a TCP connection that the server has closed
 * after reading everything (the end of a carbon-send) is fully in the write-ahead log.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { PointBatchBuilder, type PointWriter } from '../points.js';
import { CarbonPlaintextParser, type CarbonParseCounters, type CarbonSink } from './carbon-plaintext-parser.js';
import { decodeCarbonPickle, PickleFrameSplitter } from './pickle-reader.js';
import { RateLimitedLog } from './rate-limited-log.js';

export interface CarbonCounters extends CarbonParseCounters {
  connections: number;
  pickleFrames: number;
  badPickles: number;
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
  stop(): Promise<void>;
}

/** A plaintext line that grows past this without a newline is dropped as bad. */
const MAX_LINE = 64 * 1024;

/** Collects one chunk's points with their series ids, then writes them as one batch. */
class BatchSink implements CarbonSink {
  private readonly batch = new PointBatchBuilder(4096);
  constructor(private readonly writer: PointWriter) {}

  point(name: string, value: number, timestamp: number): void {
    this.batch.push(this.writer.seriesId(name), timestamp, value);
  }

  flush(): void {
    if (this.batch.length === 0) return;
    this.writer.append(this.batch);
    this.batch.clear();
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export async function startCarbonListeners(options: CarbonListenersOptions): Promise<CarbonListeners> {
  const counters: CarbonCounters = { lines: 0, badLines: 0, connections: 0, pickleFrames: 0, badPickles: 0 };
  const log = new RateLimitedLog('carbon bad input');
  const parser = new CarbonPlaintextParser({ maxNameLength: options.maxNameLength }, (line, reason) =>
    log.log(`${reason}: ${JSON.stringify(line)}`),
  );
  const sink = new BatchSink(options.writer);
  const parse = (bytes: Uint8Array, start: number, end: number): void => {
    parser.parse(bytes, start, end, sink, counters);
    sink.flush();
  };
  const closers: (() => Promise<void>)[] = [];
  // Open connections, destroyed on stop: server.close() waits for every client to leave.
  const connections = new Set<TcpSocket>();
  const track = (conn: TcpSocket): void => {
    connections.add(conn);
    conn.on('close', () => connections.delete(conn));
  };
  let plaintextPort: number | null = null;
  let picklePort: number | null = null;

  if (options.plaintextPort !== 0) {
    const tcp = createServer((conn) => {
      counters.connections++;
      track(conn);
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
        const buf = pending ? Buffer.concat([pending, rest]) : rest;
        const lastNewline = buf.lastIndexOf(10);
        if (lastNewline < 0) {
          pending = buf;
          if (buf.length > MAX_LINE) {
            discarding = true;
            counters.lines++;
            counters.badLines++;
            log.log(`line longer than ${MAX_LINE} bytes dropped`);
            pending = null;
          }
          return;
        }
        parse(buf, 0, lastNewline + 1);
        pending = lastNewline + 1 < buf.length ? buf.subarray(lastNewline + 1) : null;
      });
      conn.on('end', () => {
        if (pending) parse(pending, 0, pending.length);
        pending = null;
        conn.end(); // everything sent is now in the log: closing is the acknowledgement
      });
      conn.on('error', () => conn.destroy());
    });
    plaintextPort = await listen(tcp, options.plaintextPort, options.host);
    const udp: Socket = createSocket({ type: options.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    udp.on('message', (msg) => parse(msg, 0, msg.length));
    udp.on('error', (err) => log.log(`udp socket error: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(plaintextPort!, options.host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    closers.push(
      () => new Promise((resolve) => tcp.close(() => resolve())),
      () => new Promise((resolve) => udp.close(() => resolve())),
    );
  }

  if (options.picklePort !== 0) {
    const now = () => Math.floor(Date.now() / 1000);
    const pickle = createServer((conn) => {
      counters.connections++;
      track(conn);
      const splitter = new PickleFrameSplitter();
      conn.on('data', (chunk: Buffer) => {
        const problem = splitter.push(chunk, (frame) => {
          counters.pickleFrames++;
          try {
            decodeCarbonPickle(frame, sink, counters, now, {
              maxNameLength: options.maxNameLength,
              onBadEntry: (index, reason) => log.log(`pickle entry ${index}: ${reason}`),
            });
          } catch (err) {
            counters.badPickles++;
            log.log(`pickle frame dropped: ${(err as Error).message}`);
          }
          sink.flush();
        });
        if (problem !== null) {
          counters.badPickles++;
          log.log(`closing pickle connection: ${problem}`);
          conn.destroy();
        }
      });
      conn.on('end', () => conn.end());
      conn.on('error', () => conn.destroy());
    });
    picklePort = await listen(pickle, options.picklePort, options.host);
    closers.push(() => new Promise((resolve) => pickle.close(() => resolve())));
  }

  return {
    plaintextPort,
    picklePort,
    counters,
    async stop() {
      const closed = Promise.all(closers.map((close) => close()));
      for (const conn of connections) conn.destroy();
      await closed;
    },
  };
}
