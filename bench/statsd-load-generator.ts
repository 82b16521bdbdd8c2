/**
 * StatsD UDP load generator, run as its own process by bench/statsd-ingest.bench.ts.
 *
 *   node dist/bench/statsd-load-generator.js --port 8125 --names 10000 --rate 500000 --duration 6
 *
 * It precomputes a pool of ~1400-byte datagrams that covers every name once (50% counters, 25%
 * timers, 15% gauges, 10% sets; 20% of counter and timer lines carry @0.5 or @0.1), then cycles
 * through it at an even pace. Only whole packets are sent, so the exact Σ value/rate of the
 * counter lines sent is known. The last stdout line is one JSON object (see `GeneratorReport`).
 *
 * Options: --host 127.0.0.1, --port (required), --names 10000, --rate 0 (lines/s, 0 = as fast as
 * possible), --duration 6 (s), --packet-bytes 1400, --seed 1, --prefix bench,
 * --shard 0 --shards 1 (several generator processes start at different points of the pool),
 * --wait-go (print `ready` and start on a `go` line on stdin, so several generators start together).
 *
 * Names: `<prefix>.<type>.svcNN_hostNNN_<kind>_metric_NNNNNNN` (45 characters) with type c, t, g
 * or s, so that one glob node matches all counters (`<prefix>.c.*`).
 */
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { buildPool } from './statsd-load-pool.js';

export interface GeneratorReport {
  tool: 'statsd-load-generator';
  names: number;
  rateTarget: number;
  poolPackets: number;
  packets: number;
  lines: number;
  bytes: number;
  elapsedSeconds: number;
  linesPerSecond: number;
  packetsPerSecond: number;
  /** Σ value/sampleRate over the counter lines sent: what an exact StatsD flushes as counts. */
  counterSum: number;
  byType: { c: number; ms: number; g: number; s: number };
  /** Lines the pacer gave up on because the generator itself fell >100 ms behind (no catch-up bursts). */
  forgivenLines: number;
  /** Longest time between two pacing ticks: how long the generator itself was stalled. */
  maxStallMs: number;
  /** Socket errors (e.g. ECONNREFUSED while nothing listens). */
  sendErrors: number;
  generatorCpuPercent: number;
}

const { values: opts } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    names: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '0' },
    duration: { type: 'string', default: '6' },
    'packet-bytes': { type: 'string', default: '1400' },
    seed: { type: 'string', default: '1' },
    prefix: { type: 'string', default: 'bench' },
    shard: { type: 'string', default: '0' },
    shards: { type: 'string', default: '1' },
    'wait-go': { type: 'boolean', default: false },
    sockets: { type: 'string', default: '8' },
  },
  strict: true,
});

function positive(name: string, text: string | undefined, allowZero = false): number {
  const n = Number(text);
  if (text === undefined || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    process.stderr.write(`statsd-load-generator: --${name} needs a ${allowZero ? 'non-negative' : 'positive'} number, got '${text}'\n`);
    process.exit(2);
  }
  return n;
}

const host = opts.host!;
const port = positive('port', opts.port);
const names = Math.floor(positive('names', opts.names));
const rate = positive('rate', opts.rate, true);
const duration = positive('duration', opts.duration);
const packetBytes = Math.floor(positive('packet-bytes', opts['packet-bytes']));
const shard = Math.floor(positive('shard', opts.shard, true));
const shards = Math.floor(positive('shards', opts.shards));
const prefix = opts.prefix!;
const socketCount = Math.floor(positive('sockets', opts.sockets));
const seed = Math.floor(positive('seed', opts.seed)) >>> 0;

const pool = buildPool({ names, packetBytes, prefix, seed });
const poolSize = pool.packets.length;
let meanLinesPerPacket = 0;
for (let i = 0; i < poolSize; i++) meanLinesPerPacket += pool.lines[i];
meanLinesPerPacket /= poolSize;

// ---- sending ------------------------------------------------------------------------------

// Several source sockets, as many clients would be: the kernel spreads SO_REUSEPORT receivers by
// source address and port, so a single socket would reach only one receiver thread.
const sockets = Array.from({ length: socketCount }, () => createSocket('udp4'));
let socket = sockets[0];
let next = Math.floor((shard % shards) * (poolSize / shards));
let packets = 0;
let lines = 0;
let bytes = 0;
let counterSum = 0;
const byType = new Float64Array(4);
let sendErrors = 0;
let forgiven = 0;
let lastTick = 0;
let maxStall = 0;
let startNs = 0n;
let cpuAtStart: NodeJS.CpuUsage | undefined;
let finished = false;

/** Packets libuv may hold queued (socket buffer full) before the pacer waits. */
const MAX_QUEUED = 256;

function sendOne(): void {
  const i = next;
  socket = sockets[packets % socketCount];
  socket.send(pool.packets[i]); // no callback: libuv sends synchronously when it can (cheapest path)
  packets++;
  lines += pool.lines[i];
  bytes += pool.packets[i].length;
  counterSum += pool.counterSums[i];
  const base = i * 4;
  byType[0] += pool.typeCounts[base];
  byType[1] += pool.typeCounts[base + 1];
  byType[2] += pool.typeCounts[base + 2];
  byType[3] += pool.typeCounts[base + 3];
  next = i + 1 === poolSize ? 0 : i + 1;
}

function elapsedSeconds(): number {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

/** After a stall the generator catches up at no more than this multiple of the target rate. */
const CATCH_UP_FACTOR = 1.5;
/** A backlog beyond this is forgiven rather than caught up (seconds of load). */
const MAX_BACKLOG_SECONDS = 0.1;
/** Most load sent back to back in one tick; ticks come every ~1 ms, this leaves room for late timers. */
const MAX_BURST_SECONDS = 0.004;
/** Lines the pacer may send right now: refills at CATCH_UP_FACTOR × rate, holds at most a burst. */
let tokens = 0;

/**
 * Even pacing, so the receiver sees no bursts: a token bucket that refills at 1.5× the target
 * rate and holds at most 4 ms worth (at least one packet). After a stall (GC, scheduling on a busy
 * box) the generator catches up at that 1.5× ceiling; a backlog beyond 100 ms is forgiven instead
 * of being sent. The report gives the rate actually achieved and the longest stall.
 */
function pacedTick(): void {
  const now = elapsedSeconds();
  const sinceLast = now - lastTick;
  if (sinceLast > maxStall) maxStall = sinceLast;
  lastTick = now;
  if (now >= duration) return finish();
  let due = rate * now - forgiven;
  if (due - lines > rate * MAX_BACKLOG_SECONDS) {
    forgiven += due - lines - rate * MAX_BACKLOG_SECONDS;
    due = rate * now - forgiven;
  }
  tokens = Math.min(tokens + CATCH_UP_FACTOR * rate * sinceLast, Math.max(rate * MAX_BURST_SECONDS, 2 * meanLinesPerPacket));
  while (lines < due && tokens > 0 && socket.getSendQueueCount() < MAX_QUEUED) {
    const before = lines;
    sendOne();
    tokens -= lines - before;
  }
  // Never spin while waiting for tokens: the CPU belongs to the server under test.
  if (lines < due && tokens > 0) setImmediate(pacedTick);
  else setTimeout(pacedTick, 1);
}

function flatOutTick(): void {
  if (elapsedSeconds() >= duration) return finish();
  for (let burst = 0; burst < 64 && socket.getSendQueueCount() < MAX_QUEUED; burst++) sendOne();
  setImmediate(flatOutTick);
}

function finish(): void {
  if (finished) return;
  finished = true;
  const elapsed = elapsedSeconds();
  const cpu = process.cpuUsage(cpuAtStart); // the sending only, not building the pool
  const report: GeneratorReport = {
    tool: 'statsd-load-generator',
    names,
    rateTarget: rate,
    poolPackets: poolSize,
    packets,
    lines,
    bytes,
    elapsedSeconds: +elapsed.toFixed(3),
    linesPerSecond: Math.round(lines / elapsed),
    packetsPerSecond: Math.round(packets / elapsed),
    counterSum,
    byType: { c: byType[0], ms: byType[1], g: byType[2], s: byType[3] },
    forgivenLines: Math.round(forgiven),
    maxStallMs: +(maxStall * 1000).toFixed(1),
    sendErrors,
    generatorCpuPercent: +((((cpu.user + cpu.system) / 1e6) / elapsed) * 100).toFixed(1),
  };
  // Let libuv drain what it queued (bounded), then report and exit.
  const drainDeadline = Date.now() + 3000;
  const drain = (): void => {
    if (sockets.some((s) => s.getSendQueueCount() > 0) && Date.now() < drainDeadline) {
      setTimeout(drain, 5);
      return;
    }
    process.stdout.write(`${JSON.stringify(report)}\n`, () => {
      for (const s of sockets) s.close();
      process.exit(0);
    });
  };
  drain();
}

for (const s of sockets) {
  s.on('error', () => {
    sendErrors++;
  });
}

function start(): void {
  startNs = process.hrtime.bigint();
  cpuAtStart = process.cpuUsage();
  if (rate > 0) pacedTick();
  else flatOutTick();
  // Hard stop in case anything wedges.
  setTimeout(finish, (duration + 10) * 1000).unref();
}

let connected = 0;
for (const s of sockets) s.connect(port, host, onConnected);

function onConnected(): void {
  if (++connected < socketCount) return;
  for (const s of sockets) {
    try {
      s.setSendBufferSize(4 * 1024 * 1024);
    } catch {
      // capped by net.core.wmem_max; the default works too
    }
  }
  if (!opts['wait-go']) return start();
  process.stdout.write(`ready ${JSON.stringify({ poolPackets: poolSize, meanLinesPerPacket })}\n`);
  const input = createInterface({ input: process.stdin });
  input.on('line', (line) => {
    if (line.trim() === 'go' && startNs === 0n) start();
  });
  input.on('close', () => {
    if (startNs === 0n) process.exit(1); // the harness went away before `go`
  });
}
