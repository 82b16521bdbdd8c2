/**
 * CPU per StatsD line with the real threads: receiver threads and aggregator threads started in
 * this process as the pipeline wires them (one ring per receiver and aggregator), fed over UDP by
 * the load generator (its own process) at a fixed rate. The figure is this process's CPU time,
 * all threads, per line received: unlike statsd-receive-path.bench.ts it includes the socket's
 * per-datagram cost and the thread wake-ups, and it holds up on a shared machine where loss
 * figures do not.
 *
 * Env: BENCH_NAMES (100000), BENCH_RATE (lines/s, 1000000), BENCH_SECONDS (5),
 * BENCH_RECEIVERS, BENCH_WORKERS (the configuration's defaults).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAggregatorPool } from '../src/aggregate/aggregator-pool.js';
import { defaultAggregatorOptions } from '../src/aggregate/statsd-aggregator.js';
import { defaultConfig } from '../src/config/config.js';
import { createByteRing, createDoorbell } from '../src/ingest/byte-ring.js';
import { ReceiverStat } from '../src/ingest/receiver-stats.js';
import { startStatsdReceivers } from '../src/ingest/statsd-receivers.js';
import type { GeneratorReport } from './statsd-load-generator.js';

const NAMES = Number(process.env.BENCH_NAMES ?? 100_000);
const RATE = Number(process.env.BENCH_RATE ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RECEIVERS = Number(process.env.BENCH_RECEIVERS ?? defaultConfig().receivers);
const WORKERS = Number(process.env.BENCH_WORKERS ?? defaultConfig().workers);
const GENERATOR = join(dirname(fileURLToPath(import.meta.url)), 'statsd-load-generator.js');

const rings = Array.from({ length: RECEIVERS }, () => Array.from({ length: WORKERS }, () => createByteRing(32 << 20)));
const doorbells = Array.from({ length: WORKERS }, () => createDoorbell());
const pool = startAggregatorPool(
  Array.from({ length: WORKERS }, (_, a) => rings.map((r) => r[a])),
  doorbells,
  { ...defaultAggregatorOptions },
);
const receivers = await startStatsdReceivers({
  host: '127.0.0.1',
  port: 0,
  recvBufferBytes: 8 << 20,
  maxNameLength: 1024,
  rings,
  doorbells,
});

function generate(seconds: number): Promise<GeneratorReport> {
  const args = [GENERATOR, '--port', String(receivers.udpPort), '--names', String(NAMES), '--rate', String(RATE), '--duration', String(seconds)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', () => resolve(JSON.parse(out.trim().split('\n').at(-1)!) as GeneratorReport));
  });
}

/** User and system CPU seconds of this process's threads, summed by thread name (statsd-recv-N, statsd-agg-N, ...). */
function threadCpu(): Map<string, { user: number; system: number }> {
  const ticksPerSecond = 100; // USER_HZ on Linux
  const byName = new Map<string, { user: number; system: number }>();
  for (const task of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close).replace(/-\d+$/, '');
      const fields = stat.slice(close + 2).split(' ');
      const sum = byName.get(name) ?? { user: 0, system: 0 };
      sum.user += Number(fields[11]) / ticksPerSecond;
      sum.system += Number(fields[12]) / ticksPerSecond;
      byName.set(name, sum);
    } catch {
      // the thread exited meanwhile
    }
  }
  return byName;
}

const received = (): number => receivers.stats.reduce((n, s) => n + s[ReceiverStat.lines], 0);

try {
  await generate(2); // warm-up: every name is known and the code optimised
  await pool.flush();
  const linesBefore = received();
  const packetsBefore = receivers.stats.map((s) => [s[ReceiverStat.packets], s[ReceiverStat.stolenPackets]]);
  const cpuBefore = process.cpuUsage();
  const threadsBefore = threadCpu();
  const report = await generate(SECONDS);
  await new Promise((r) => setTimeout(r, 300)); // the sockets' last datagrams
  await pool.flush();
  const cpu = process.cpuUsage(cpuBefore);
  const threadsAfter = threadCpu();
  const lines = received() - linesBefore;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const perLine = (seconds: number): string => ((seconds * 1e9) / lines).toFixed(0);
  const byThread = [...threadsAfter]
    .map(([name, t]) => {
      const before = threadsBefore.get(name) ?? { user: 0, system: 0 };
      return { name, user: t.user - before.user, system: t.system - before.system };
    })
    .filter((t) => t.user + t.system > 0)
    .sort((a, b) => b.user + b.system - (a.user + a.system))
    .map((t) => `${t.name} ${perLine(t.user)}+${perLine(t.system)}`);
  console.log(
    `statsd threads: ${RECEIVERS} receivers, ${WORKERS} aggregators, ${NAMES} names, target ${RATE} lines/s: ` +
      `sent ${report.lines}, received ${lines} (${((1 - lines / report.lines) * 100).toFixed(2)}% short), ` +
      `${((cpuSeconds * 1e9) / lines).toFixed(0)} ns CPU per line over all threads (${((cpuSeconds / SECONDS) * 100).toFixed(0)}% of a core)`,
  );
  console.log(`  ns per line by thread (all threads of a name summed), user+system: ${byThread.join(', ')}`);
  // The kernel spreads the generator's 8 sockets over the receivers by a hash of their ports, so
  // the split differs from run to run; a receiver given more reads its own socket, the others help.
  const read = receivers.stats.map((s, r) => {
    const packets = s[ReceiverStat.packets] - packetsBefore[r][0];
    const stolen = s[ReceiverStat.stolenPackets] - packetsBefore[r][1];
    return { own: packets - stolen, stolen };
  });
  const ownTotal = read.reduce((n, r) => n + r.own, 0);
  console.log(
    `  datagrams read from own socket: ${read.map((r) => `${((r.own / ownTotal) * 100).toFixed(0)}%`).join(' / ')}; ` +
      `from a sibling's: ${read.map((r) => r.stolen).join(' / ')}`,
  );
} finally {
  await receivers.stop();
  await pool.stop();
}
