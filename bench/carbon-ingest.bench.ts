/**
 * Carbon plaintext ingest over TCP, end to end: carbonado (`dist/src/cli.js start`), then Graphite's
 * carbon-cache and VictoriaMetrics (Debian packages, see ../shared/peers/install.sh) fed by the
 * same generator in the same run, so the ratios between them hold even on a noisy machine.
 *
 * The generator is this file in its own process (`--generate`): it builds the whole payload
 * first, reports ready, and on "go" writes it over N connections with backpressure and
 * half-closes each; the clock stops when the server has closed every connection, which carbonado
 * does once everything read is parsed and in its write-ahead log. Names and values are those of
 * ../shared/peers/carbon-send.mjs. Carbonado's points are then checked: the carbonado.carbon.lines
 * self metric must add up to the total, and sampled series render back with every exact value.
 * The server is then restarted to time the WAL replay.
 *
 * BENCH_QUICK=1: 10k series only, carbonado only. BENCH_PEERS=0 skips the peers in a full run.
 * BENCH_SCENARIO=1M runs only the scenarios whose label contains that text.
 */
import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  fmt,
  machineBusySeconds,
  pickFreePort,
  processPeakRssBytes,
  processRssBytes,
  processTreeCpuSeconds,
  sleep,
  spawnTracked,
  stopChild,
  table,
  waitFor,
} from './bench-lib.js';
import { SERVER_NODE_FLAGS } from '../src/server-node-flags.js';

const STEP = 10;
const PREFIX = 'cb';
const seriesName = (i: number): string => `${PREFIX}.host_${String(i % 100).padStart(2, '0')}.metric_${String(i).padStart(6, '0')}`;
/** Value of series i at point k (carbon-send.mjs's formula), so any sample can be checked exactly. */
const pointValue = (i: number, k: number): number => ((i * 31 + k * 17) % 1000) / 10;

interface GeneratorArgs {
  port: number;
  series: number;
  points: number;
  conns: number;
  end: number;
}

interface GeneratorResult {
  points: number;
  bytes: number;
  elapsedS: number;
  writtenS: number;
  pointsPerS: number;
  firstTs: number;
  lastTs: number;
}

// ---- generator (child process) ---------------------------------------------------------------

async function runGenerator(args: GeneratorArgs): Promise<void> {
  const { port, series, points, conns, end } = args;
  const start = end - (points - 1) * STEP;
  // Series are split across connections so each series' points stay in time order.
  const payload: Buffer[][] = Array.from({ length: conns }, () => []);
  let totalBytes = 0;
  for (let c = 0; c < conns; c++) {
    let parts: string[] = [];
    let size = 0;
    for (let k = 0; k < points; k++) {
      const ts = start + k * STEP;
      for (let i = c; i < series; i += conns) {
        const line = `${seriesName(i)} ${pointValue(i, k)} ${ts}\n`;
        parts.push(line);
        size += line.length;
        if (size >= 262_144) {
          payload[c].push(Buffer.from(parts.join('')));
          parts = [];
          size = 0;
        }
      }
    }
    if (parts.length > 0) payload[c].push(Buffer.from(parts.join('')));
    for (const b of payload[c]) totalBytes += b.length;
  }
  const input = createInterface({ input: process.stdin });
  const go = new Promise<void>((resolve) => input.once('line', () => resolve()));
  process.stdout.write('ready\n');
  await go;
  input.close();

  const send = (buffers: Buffer[]): Promise<{ written: number; closed: number }> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      let next = 0;
      let written = NaN;
      socket.on('error', reject);
      const pump = (): void => {
        while (next < buffers.length) {
          if (!socket.write(buffers[next++])) {
            socket.once('drain', pump);
            return;
          }
        }
        socket.end(() => (written = performance.now()));
      };
      socket.on('connect', pump);
      socket.resume();
      socket.on('close', () => resolve({ written, closed: performance.now() }));
    });
  const t0 = performance.now();
  const done = await Promise.all(payload.map(send));
  const elapsedS = (Math.max(...done.map((d) => d.closed)) - t0) / 1000;
  const result: GeneratorResult = {
    points: series * points,
    bytes: totalBytes,
    elapsedS,
    writtenS: (Math.max(...done.map((d) => d.written)) - t0) / 1000,
    pointsPerS: (series * points) / elapsedS,
    firstTs: start,
    lastTs: end,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[2] === '--generate') {
  await runGenerator(JSON.parse(process.argv[3]) as GeneratorArgs);
  process.exit(0);
}

// ---- driver ------------------------------------------------------------------------------------

const QUICK = process.env.BENCH_QUICK === '1';
const WITH_PEERS = !QUICK && process.env.BENCH_PEERS !== '0';
const CONNS = 2;
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const PY = '/usr/bin/python3'; // not `python3`: a pyenv shim on PATH cannot see Debian's carbon
const workDir = mkdtempSync(join(tmpdir(), 'carbonado-carbon-bench-'));
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));

const SCENARIOS = QUICK
  ? [{ label: '10k series x 180', series: 10_000, points: 180 }]
  : [
      { label: '10k series x 180', series: 10_000, points: 180 },
      { label: '1M series x 3', series: 1_000_000, points: 3 },
    ].filter((s) => s.label.includes(process.env.BENCH_SCENARIO ?? ''));

interface Run {
  target: string;
  scenario: string;
  sent: GeneratorResult;
  serverCpuPct: number;
  otherCpuCores: number;
  rssBytes: number;
  peakRssBytes: number;
  verified: string;
}

/** A peer's run: CPU from the generator's measurement, memory read from the still-running server. */
function peerRun(target: string, scenario: string, generated: { sent: GeneratorResult; cpuS: number; otherCpuS: number }, pid: number, verified: string): Run {
  const { sent, cpuS, otherCpuS } = generated;
  return {
    target,
    scenario,
    sent,
    serverCpuPct: (100 * cpuS) / sent.elapsedS,
    otherCpuCores: otherCpuS / sent.elapsedS,
    rssBytes: processRssBytes(pid),
    peakRssBytes: processPeakRssBytes(pid),
    verified,
  };
}

/** Starts the generator, waits until its payload is built, then times the send against `serverPid`. */
async function generate(args: GeneratorArgs, serverPid: number): Promise<{ sent: GeneratorResult; cpuS: number; otherCpuS: number }> {
  const child = spawnTracked(process.execPath, [SELF, '--generate', JSON.stringify(args)], { pipes: true });
  const lines = createInterface({ input: child.stdout! });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.value !== 'ready') throw new Error(`generator said ${String(first.value)}`);
  const cpu0 = processTreeCpuSeconds(serverPid);
  const busy0 = machineBusySeconds();
  const wall0 = performance.now();
  child.stdin!.write('go\n');
  const last = await iterator.next();
  const cpuS = processTreeCpuSeconds(serverPid) - cpu0;
  const busyS = machineBusySeconds() - busy0;
  const wallS = (performance.now() - wall0) / 1000;
  lines.close();
  await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
  const sent = JSON.parse(String(last.value)) as GeneratorResult;
  // Everything on the machine but the server, over the send (the generator is most of it).
  return { sent, cpuS, otherCpuS: ((busyS - cpuS) * sent.elapsedS) / wallS };
}

async function httpJson(url: string, timeoutMs = 60_000): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

// ---- carbonado -----------------------------------------------------------------------------

/**
 * CPU seconds of a process's threads, summed by thread name (MainThread, WorkerThread: the carbon
 * listener, V8Worker: GC and compiler helpers...): the whole-process figure hides which thread is the limit.
 */
function threadCpuSeconds(pid: number): Map<string, number> {
  const ticksPerSecond = 100; // USER_HZ on Linux
  const byName = new Map<string, number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      byName.set(name, (byName.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / ticksPerSecond);
    } catch {
      // the thread exited meanwhile
    }
  }
  return byName;
}

interface Carbonado {
  child: ChildProcess;
  carbonPort: number;
  httpPort: number;
  logFile: string;
}

/** BENCH_NODE_FLAGS: V8 or Node flags for Carbonado's process (`--trace-gc`), which NODE_OPTIONS refuses. */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');

async function startCarbonado(dataDir: string, logFile: string, ports?: { carbonPort: number; httpPort: number }): Promise<Carbonado> {
  const carbonPort = ports?.carbonPort ?? (await pickFreePort());
  const httpPort = ports?.httpPort ?? (await pickFreePort());
  const child = spawnTracked(
    process.execPath,
    [
      ...SERVER_NODE_FLAGS,
      ...NODE_FLAGS,
      join(REPO, 'dist/src/cli.js'),
      'start',
      '--host', '127.0.0.1',
      '--statsd-port', '0',
      '--pickle-port', '0',
      '--carbon-port', String(carbonPort),
      '--http-port', String(httpPort),
      // Not shorter: a count per flush lands in a 10 s slot, and a repeated slot keeps the last value.
      '--flush-interval', '10s',
      '--data-dir', dataDir,
    ],
    { cwd: REPO, logFile },
  );
  const up = await waitFor(async () => {
    if (child.exitCode !== null) return true;
    try {
      await httpJson(`http://127.0.0.1:${httpPort}/health`, 1000);
      return tcpOpen(carbonPort);
    } catch {
      return false;
    }
  }, 120_000, 20);
  if (!up || child.exitCode !== null) throw new Error(`carbonado did not start; see ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
  return { child, carbonPort, httpPort, logFile };
}

type RenderSeries = { target: string; datapoints: [number | null, number][] };

async function render(httpPort: number, targets: readonly string[], from: number, until: number): Promise<RenderSeries[]> {
  const query = new URLSearchParams({ from: String(from), until: String(until), format: 'json' });
  for (const t of targets) query.append('target', t);
  return (await httpJson(`http://127.0.0.1:${httpPort}/render?${query}`)) as RenderSeries[];
}

/** Sum of carbonado.carbon.lines over the run, once it has caught up with `expected` (or timed out). */
async function carbonLinesCounted(httpPort: number, from: number, expected: number): Promise<number> {
  let counted = 0;
  let last: [number | null, number][] = [];
  await waitFor(async () => {
    const until = Math.floor(Date.now() / 1000) + 60;
    const [series] = await render(httpPort, ['carbonado.carbon.lines'], from, until);
    counted = (series?.datapoints ?? []).reduce((sum, [v]) => sum + (v ?? 0), 0);
    last = series?.datapoints ?? [];
    return counted >= expected;
  }, 30_000, 500);
  if (counted !== expected) console.log(`  carbonado.carbon.lines from ${from}: ${JSON.stringify(last.filter(([v]) => v !== null))}`);
  return counted;
}

/** Renders sampled series back and checks every value; returns how many points were wrong or missing. */
async function checkSample(httpPort: number, series: number, points: number, sent: GeneratorResult): Promise<{ checked: number; bad: number }> {
  const sample = new Set<number>([0, series - 1]);
  for (let j = 1; sample.size < Math.min(series, 50); j++) sample.add(Math.floor((j * 7919 * 104_729) % series));
  const ids = [...sample];
  const result = await render(httpPort, ids.map(seriesName), sent.firstTs - STEP, sent.lastTs + STEP);
  const byName = new Map(result.map((r) => [r.target, r]));
  let bad = 0;
  for (const i of ids) {
    const found = new Map((byName.get(seriesName(i))?.datapoints ?? []).filter(([v]) => v !== null).map(([v, t]) => [t, v]));
    for (let k = 0; k < points; k++) if (found.get(sent.firstTs + k * STEP) !== pointValue(i, k)) bad++;
  }
  return { checked: ids.length * points, bad };
}

async function runCarbonado(scenario: (typeof SCENARIOS)[number], restarts: string[][]): Promise<Run> {
  const dataDir = join(workDir, 'carbonado-data');
  rmSync(dataDir, { recursive: true, force: true });
  const logFile = join(workDir, 'carbonado.log');
  const server = await startCarbonado(dataDir, logFile);
  // Self metrics are stamped with their interval's start, and render's `from` is exclusive of its slot.
  const startedAt = Math.floor(Date.now() / 1000) - 60;
  const end = Math.floor(Date.now() / 1000 / STEP) * STEP - 60;
  const threads0 = threadCpuSeconds(server.child.pid!);
  const { sent, cpuS, otherCpuS } = await generate({ port: server.carbonPort, series: scenario.series, points: scenario.points, conns: CONNS, end }, server.child.pid!);
  const threads1 = threadCpuSeconds(server.child.pid!);
  const nsPerPoint = (thread: string): string => fmt((1e9 * ((threads1.get(thread) ?? 0) - (threads0.get(thread) ?? 0))) / sent.points);
  console.log(
    `  ${scenario.label}: server CPU per point by thread: main ${nsPerPoint('MainThread')} ns, carbon worker ${nsPerPoint('WorkerThread')} ns, ` +
      `V8 helpers ${nsPerPoint('V8Worker')} ns, libuv pool ${nsPerPoint('libuv-worker')} ns`,
  );
  const rssBytes = processRssBytes(server.child.pid!);
  const counted = await carbonLinesCounted(server.httpPort, startedAt, sent.points);
  const sample = await checkSample(server.httpPort, scenario.series, scenario.points, sent);
  const peakRssBytes = processPeakRssBytes(server.child.pid!);
  const verified =
    `${counted === sent.points ? 'ok' : 'MISMATCH'}: carbon.lines ${fmt(counted)}/${fmt(sent.points)}; ` +
    `sample ${fmt(sample.checked - sample.bad)}/${fmt(sample.checked)} exact`;

  // Restart: SIGTERM persists and stops; the next start replays the head from the WAL.
  const stopStarted = performance.now();
  await stopChild(server.child, 60_000);
  const stopMs = performance.now() - stopStarted;
  const restartStarted = performance.now();
  const again = await startCarbonado(dataDir, logFile, server);
  const restartMs = performance.now() - restartStarted;
  const replay = /replayed (\d+) points from the write-ahead log in (\d+) ms/.exec(readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('replayed')).pop() ?? '');
  const [check] = await render(again.httpPort, [seriesName(0)], sent.firstTs - STEP, sent.lastTs + STEP);
  const back = (check?.datapoints ?? []).filter(([v]) => v !== null).length;
  await stopChild(again.child, 60_000);
  restarts.push([
    scenario.label,
    fmt(stopMs),
    fmt(restartMs),
    replay ? fmt(Number(replay[1])) : 'n/a',
    replay ? fmt(Number(replay[2])) : 'n/a',
    replay ? fmt(Number(replay[1]) / (Number(replay[2]) / 1000)) : 'n/a',
    `${back}/${scenario.points}`,
  ]);
  rmSync(dataDir, { recursive: true, force: true });
  return {
    target: 'carbonado',
    scenario: scenario.label,
    sent,
    serverCpuPct: (100 * cpuS) / sent.elapsedS,
    otherCpuCores: otherCpuS / sent.elapsedS,
    rssBytes,
    peakRssBytes,
    verified,
  };
}

// ---- peers (as ../shared/peers/servers.mjs starts them) ---------------------------------------

function peersInstalled(): boolean {
  return existsSync('/usr/bin/carbon-cache') && existsSync('/usr/bin/victoria-metrics') && existsSync(PY);
}

/** Debian's carbon.conf values, bound to loopback, our dirs and ports, no create limit (as servers.mjs). */
function writeCarbonConf(dir: string, storageDir: string, linePort: number, picklePort: number, queryPort: number, retention: string): string {
  mkdirSync(dir, { recursive: true });
  mkdirSync(storageDir, { recursive: true });
  writeFileSync(
    join(dir, 'carbon.conf'),
    `[cache]
STORAGE_DIR = ${storageDir}/
LOCAL_DATA_DIR = ${storageDir}/whisper/
WHITELISTS_DIR = ${storageDir}/lists/
CONF_DIR = ${dir}/
LOG_DIR = ${storageDir}/log/
PID_DIR = ${storageDir}/
DATABASE = whisper
ENABLE_LOGROTATION = False
USER =
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = 500
MAX_CREATES_PER_MINUTE = inf
MIN_TIMESTAMP_RESOLUTION = 1
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = ${linePort}
ENABLE_UDP_LISTENER = False
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = ${picklePort}
USE_INSECURE_UNPICKLER = False
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = ${queryPort}
USE_FLOW_CONTROL = True
LOG_UPDATES = False
LOG_CREATES = False
LOG_CACHE_HITS = False
LOG_CACHE_QUEUE_SORTS = False
LOG_LISTENER_CONNECTIONS = False
CACHE_WRITE_STRATEGY = sorted
WHISPER_AUTOFLUSH = False
WHISPER_FALLOCATE_CREATE = True
ENABLE_MANHOLE = False
ENABLE_AMQP = False
`,
  );
  writeFileSync(join(dir, 'storage-schemas.conf'), `[bench]\npattern = ^cb\\.\nretentions = ${retention}\n\n[default]\npattern = .*\nretentions = 10s:2d\n`);
  writeFileSync(join(dir, 'storage-aggregation.conf'), `[default]\npattern = .*\nxFilesFactor = 0\naggregationMethod = average\n`);
  return join(dir, 'carbon.conf');
}

async function runCarbonCache(scenario: (typeof SCENARIOS)[number]): Promise<Run> {
  const dir = join(workDir, 'carbon-cache');
  rmSync(dir, { recursive: true, force: true });
  const storageDir = join(dir, 'storage');
  const [linePort, picklePort, queryPort] = [await pickFreePort(), await pickFreePort(), await pickFreePort()];
  // 10s:6h as in the peers' runs; 10s:1h for 1M series, whose whisper files would otherwise fill the disk.
  const retention = scenario.series > 100_000 ? '10s:1h' : '10s:6h';
  const conf = writeCarbonConf(join(dir, 'conf'), storageDir, linePort, picklePort, queryPort, retention);
  const child = spawnTracked(
    PY,
    ['/usr/bin/carbon-cache', `--config=${conf}`, '--nodaemon', `--pidfile=${join(storageDir, 'carbon-cache.pid')}`, `--logdir=${join(storageDir, 'log')}`, 'start'],
    { logFile: join(dir, 'carbon-cache.log') },
  );
  if (!(await waitFor(() => tcpOpen(linePort), 30_000, 200))) throw new Error(`carbon-cache did not start; see ${dir}/carbon-cache.log`);
  const end = Math.floor(Date.now() / 1000 / STEP) * STEP - 60;
  const generated = await generate({ port: linePort, series: scenario.series, points: scenario.points, conns: CONNS, end }, child.pid!);
  const run = peerRun('carbon-cache', scenario.label, generated, child.pid!, 'absorbed only (whisper writes lag; not waited for)');
  await stopChild(child, 10_000);
  rmSync(dir, { recursive: true, force: true });
  return run;
}

async function vmRowsInserted(httpPort: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/metrics`, { signal: AbortSignal.timeout(5000) });
  const match = /^vm_rows_inserted_total\{type="graphite"\} (\d+)/m.exec(await response.text());
  return match ? Number(match[1]) : 0;
}

async function runVictoriaMetrics(scenario: (typeof SCENARIOS)[number]): Promise<Run> {
  const dir = join(workDir, 'vm');
  rmSync(dir, { recursive: true, force: true });
  const [httpPort, graphitePort] = [await pickFreePort(), await pickFreePort()];
  const child = spawnTracked(
    '/usr/bin/victoria-metrics',
    [`-storageDataPath=${join(dir, 'data')}`, `-httpListenAddr=127.0.0.1:${httpPort}`, `-graphiteListenAddr=127.0.0.1:${graphitePort}`, '-search.disableCache', '-loggerLevel=WARN'],
    { logFile: join(workDir, 'vm.log') },
  );
  const up = await waitFor(async () => {
    try {
      return (await fetch(`http://127.0.0.1:${httpPort}/health`, { signal: AbortSignal.timeout(1000) })).ok;
    } catch {
      return false;
    }
  }, 30_000, 200);
  if (!up) throw new Error(`victoria-metrics did not start; see ${workDir}/vm.log`);
  const end = Math.floor(Date.now() / 1000 / STEP) * STEP - 60;
  const generated = await generate({ port: graphitePort, series: scenario.series, points: scenario.points, conns: CONNS, end }, child.pid!);
  const { sent } = generated;
  const closedAt = performance.now();
  let inserted = 0;
  await waitFor(async () => (inserted = await vmRowsInserted(httpPort)) >= sent.points, 60_000, 50);
  const verified = `rows_inserted ${fmt(inserted)}/${fmt(sent.points)}, ${fmt((performance.now() - closedAt) / 1000, 2)} s after close`;
  const run = peerRun('VictoriaMetrics', scenario.label, generated, child.pid!, verified);
  await stopChild(child, 10_000);
  rmSync(dir, { recursive: true, force: true });
  return run;
}

// ---- run ------------------------------------------------------------------------------------------

console.log(`carbon plaintext ingest over TCP, ${CONNS} connections, payload built before the clock starts${QUICK ? ' (BENCH_QUICK: 10k series, no peers)' : ''}`);
const runs: Run[] = [];
const restarts: string[][] = [];
const peers = WITH_PEERS && peersInstalled();
if (WITH_PEERS && !peers) console.log('peers not installed (run ../shared/peers/install.sh): measuring carbonado alone');
for (const scenario of SCENARIOS) {
  try {
    runs.push(await runCarbonado(scenario, restarts));
  } catch (err) {
    const log = join(workDir, 'carbonado.log');
    console.log(`carbonado failed: ${(err as Error).message}\n--- end of its log:\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : '(none)'}`);
    process.exit(1);
  }
  if (peers) {
    runs.push(await runCarbonCache(scenario));
    await sleep(500);
    runs.push(await runVictoriaMetrics(scenario));
  }
}

const mib = (bytes: number): string => fmt(bytes / 1024 ** 2);
console.log(
  table(
    ['scenario', 'target', 'points', 'MB sent', 'seconds', 'points/s', 'server CPU %', 'other cores', 'RSS MiB', 'peak MiB', 'check'],
    runs.map((r) => [
      r.scenario,
      r.target,
      fmt(r.sent.points),
      fmt(r.sent.bytes / 1e6, 1),
      fmt(r.sent.elapsedS, 2),
      fmt(r.sent.pointsPerS),
      fmt(r.serverCpuPct),
      fmt(r.otherCpuCores, 2),
      mib(r.rssBytes),
      mib(r.peakRssBytes),
      r.verified,
    ]),
  ),
);

if (peers) {
  const ratioRows: string[][] = [];
  for (const scenario of SCENARIOS) {
    const ours = runs.find((r) => r.target === 'carbonado' && r.scenario === scenario.label)!;
    for (const peer of runs.filter((r) => r.target !== 'carbonado' && r.scenario === scenario.label)) {
      const goal = peer.target === 'carbon-cache' ? '>= 10x' : '>= 1x (on par)';
      const ratio = ours.sent.pointsPerS / peer.sent.pointsPerS;
      ratioRows.push([scenario.label, `carbonado / ${peer.target}`, `${fmt(ratio, 2)}x`, goal, fmt((ours.sent.pointsPerS / ours.serverCpuPct) * 100), fmt((peer.sent.pointsPerS / peer.serverCpuPct) * 100)]);
    }
  }
  console.log(`\nratios (same generator, same run):`);
  console.log(table(['scenario', 'ratio', 'points/s', 'target', 'ours per core', 'peer per core'], ratioRows));
}
console.log(`\ncarbonado restart after each scenario (SIGTERM, start again, WAL replay of the unsealed head):`);
console.log(table(['scenario', 'stop ms', 'restart ms (spawn to /health)', 'replayed points', 'replay ms', 'replay points/s', 'series 0 back'], restarts));
const best = Math.max(...runs.filter((r) => r.target === 'carbonado').map((r) => r.sent.pointsPerS));
console.log(`\ntarget: >= 1,000,000 points/s plaintext; carbonado best here ${fmt(best)} points/s`);
process.exit(0);
