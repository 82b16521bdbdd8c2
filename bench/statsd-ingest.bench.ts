/**
 * StatsD ingest: the highest rate Carbonado sustains with under 0.5% loss, against Etsy StatsD in
 * the same run, for 10k and 100k distinct names.
 *
 * For each name count a fresh server is started and the load generator (its own process,
 * bench/statsd-load-generator.ts) steps the offered rate up. Loss is what the generator sent
 * (Σ value/rate over counter lines) against the counters the server flushed: Carbonado's are read
 * back through /render, Etsy StatsD's arrive at an in-process counting carbon sink. The step search
 * stops at the first failing step; then one unthrottled step shows what the server absorbs.
 * Server CPU (100% = one core) and RSS come from /proc, kernel drops from /proc/net/udp.
 *
 * Env knobs: BENCH_QUICK=1 (10k names, few short steps), BENCH_NAMES=10000,100000,
 * BENCH_RATES / BENCH_ETSY_RATES (lines/s lists), BENCH_STEP_SECONDS, BENCH_GENERATORS (generator
 * processes per step), BENCH_FLUSH_SECONDS (Carbonado), BENCH_ETSY_FLUSH_SECONDS,
 * BENCH_SKIP_ETSY=1, BENCH_SKIP_CARBONADO=1, BENCH_KEEP_GOING=1, BENCH_OUT=<file.json> for the raw results.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { setPriority, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
  threadCpuSecondsByName,
  waitFor,
} from './bench-lib.js';
import { udpKernelDrops } from '../src/pipeline/self-metrics.js';
import { SERVER_NODE_FLAGS } from '../src/server-node-flags.js';
import type { GeneratorReport } from './statsd-load-generator.js';

const HOST = '127.0.0.1';
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const GENERATOR = join(here, 'statsd-load-generator.js');
const CARBONADO_CLI = join(repoRoot, 'dist', 'src', 'cli.js');
const NODE24 = existsSync(join(repoRoot, 'node_modules', '.bin', 'node')) ? join(repoRoot, 'node_modules', '.bin', 'node') : process.execPath;
const NODE20 = existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;
const ETSY_DIR = join(process.env.NODE_PREFIX ?? '/tmp/peers-node_modules', 'node_modules', 'statsd');
const RMEM_DEFAULT = '/proc/sys/net/core/rmem_default';
const ETSY_RMEM = 4 * 1024 * 1024;
/** A step passes with |loss| below this and no bad lines. */
const MAX_LOSS = 0.005;
/** Etsy StatsD's figures in the issue are at < 1% loss: its search goes on while loss stays below this. */
const ETSY_MAX_LOSS = 0.01;
/** The issue's target for both name counts. */
const TARGET_LINES_PER_SECOND = 2_000_000;

const env = process.env;
const QUICK = env.BENCH_QUICK === '1';
const list = (text: string | undefined, fallback: number[]): number[] =>
  text ? text.split(',').map((s) => Number(s.trim())).filter((n) => Number.isFinite(n) && n > 0) : fallback;
const NAME_COUNTS = list(env.BENCH_NAMES, QUICK ? [10_000] : [10_000, 100_000]);
const RATES = list(env.BENCH_RATES, QUICK ? [250_000, 500_000, 1_000_000, 2_000_000] : [100_000, 250_000, 500_000, 750_000, 1_000_000, 1_500_000, 2_000_000, 2_500_000, 3_000_000]);
/**
 * Etsy's edge here was 30-40k lines/s at 100k names, and 350-500k+ at 10k names (one run lost 0.46%
 * at 500k, another 0.89%), below the 600-700k it absorbs flat out: steps fine enough, and high
 * enough, to find it.
 */
const ETSY_STEPS = [10_000, 20_000, 30_000, 40_000, 50_000, 100_000, 150_000, 200_000, 250_000, 300_000, 350_000, 400_000, 500_000, 600_000, 700_000];
const ETSY_RATES = list(env.BENCH_ETSY_RATES, QUICK ? [20_000, 100_000, 200_000, 300_000] : ETSY_STEPS);
const STEP_SECONDS = Number(env.BENCH_STEP_SECONDS ?? (QUICK ? 4 : 6));
const GENERATORS = Math.max(1, Math.floor(Number(env.BENCH_GENERATORS ?? 1)));
const FLUSH_SECONDS = Number(env.BENCH_FLUSH_SECONDS ?? 2);
const ETSY_FLUSH_SECONDS = Number(env.BENCH_ETSY_FLUSH_SECONDS ?? 5);
const GENERATOR_NICE = Number(env.BENCH_GENERATOR_NICE ?? -10);
/** BENCH_KEEP_GOING=1: run every rate even after a failed step (a soak: repeat one rate to see how often it fails). */
const KEEP_GOING = env.BENCH_KEEP_GOING === '1';

// ---- load generation ----------------------------------------------------------------------

interface LoadResult {
  lines: number;
  packets: number;
  counterSum: number;
  elapsedSeconds: number;
  linesPerSecond: number;
  forgivenLines: number;
  maxStallMs: number;
  sendErrors: number;
  /** Summed over generator processes; 100% = one core. */
  generatorCpuPercent: number;
}

/**
 * Clients do not slow down when the server is busy, so the generator gets a higher scheduling
 * priority than the server: otherwise, on 2 shared cores, it is descheduled for tens of ms and
 * falls short of its target rate. Needs root (CAP_SYS_NICE); without it the default priority stays.
 */
function raisePriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, GENERATOR_NICE);
  } catch {
    // not permitted: pacing may fall short, which the report shows
  }
}

/** Reads one line from a child's stdout (bounded by `timeoutMs`). */
function nextLine(lines: AsyncIterator<string>, timeoutMs: number): Promise<string | null> {
  return Promise.race([
    lines.next().then((r) => (r.done ? null : r.value)),
    sleep(timeoutMs).then(() => null),
  ]);
}

/**
 * Runs `processes` generators that together offer `rate` lines/s (0 = flat out) for `seconds`,
 * started together: each builds its pool, says `ready`, and all get `go` at once.
 */
async function generateLoad(
  port: number,
  names: number,
  rate: number,
  seconds: number,
  processes = GENERATORS,
  onStart: () => void = () => {},
): Promise<LoadResult> {
  const gens = Array.from({ length: processes }, (_, shard) => {
    const child = spawnTracked(
      NODE24,
      [GENERATOR, '--host', HOST, '--port', String(port), '--names', String(names), '--rate', String(rate / processes),
        '--duration', String(seconds), '--shard', String(shard), '--shards', String(processes), '--wait-go'],
      { pipes: true },
    );
    raisePriority(child.pid);
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    return { child, lines };
  });
  try {
    for (const g of gens) {
      const line = await nextLine(g.lines, 60_000);
      if (line === null || !line.startsWith('ready')) throw new Error(`load generator did not start: ${line}`);
    }
    onStart();
    for (const g of gens) g.child.stdin!.write('go\n');
    const reports: GeneratorReport[] = [];
    for (const g of gens) {
      const line = await nextLine(g.lines, (seconds + 30) * 1000);
      if (line === null) throw new Error('load generator gave no report');
      reports.push(JSON.parse(line) as GeneratorReport);
    }
    const elapsed = Math.max(...reports.map((r) => r.elapsedSeconds));
    const sum = (f: (r: GeneratorReport) => number): number => reports.reduce((a, r) => a + f(r), 0);
    return {
      lines: sum((r) => r.lines),
      packets: sum((r) => r.packets),
      counterSum: sum((r) => r.counterSum),
      elapsedSeconds: elapsed,
      linesPerSecond: Math.round(sum((r) => r.lines) / elapsed),
      forgivenLines: sum((r) => r.forgivenLines),
      maxStallMs: Math.max(...reports.map((r) => r.maxStallMs)),
      sendErrors: sum((r) => r.sendErrors),
      generatorCpuPercent: sum((r) => r.generatorCpuPercent),
    };
  } finally {
    for (const g of gens) await stopChild(g.child, 1000);
  }
}

// ---- the systems under test ---------------------------------------------------------------

interface StepCounts {
  /** Σ counter values the server flushed for this step. */
  counterSum: number;
  /** Lines the server says it parsed, when it reports that. */
  lines: number;
  badLines: number;
  /** Records dropped between the server's own threads, where it reports that. */
  queueDrops: number;
  /** Seconds beyond the two flush intervals that the last of the step's counts took to appear. */
  lateSeconds: number;
}

interface System {
  name: string;
  port: number;
  pid: number;
  flushSeconds: number;
  /** The server's stdout and stderr, for the error report. */
  logFile: string;
  /** Called just before a step's load starts. */
  beginStep(): Promise<void>;
  /** Called after the load stopped; waits for the flushes that cover it and returns its counts. */
  endStep(sentCounterSum: number): Promise<StepCounts>;
  stop(): Promise<void>;
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

interface RenderSeries {
  target: string;
  datapoints: [number | null, number][];
}

async function render(httpPort: number, targets: string[], from: number, until: number): Promise<RenderSeries[] | string> {
  const query = targets.map((t) => `target=${encodeURIComponent(t)}`).join('&');
  const url = `http://${HOST}:${httpPort}/render?${query}&from=${from}&until=${until}&format=json`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
    const body = await res.text();
    if (!res.ok) return `HTTP ${res.status}: ${body.slice(0, 200)}`;
    return JSON.parse(body) as RenderSeries[];
  } catch (err) {
    return (err as Error).message;
  }
}

/** Sum of all non-null values with timestamp >= `since`, and the spacing of the points seen. */
function sumSince(series: RenderSeries[], since: number): { sum: number; step: number } {
  let sum = 0;
  let step = Infinity;
  for (const s of series) {
    for (let i = 0; i < s.datapoints.length; i++) {
      const [v, ts] = s.datapoints[i];
      if (i > 0) step = Math.min(step, ts - s.datapoints[i - 1][1]);
      if (v !== null && ts >= since) sum += v;
    }
  }
  return { sum, step };
}

const COUNTERS_GLOB = 'stats.counters.bench.c.*.count';

/**
 * Carbonado as a child process. A step's counters are summed over every flush slot from two
 * flush intervals before the step began (whatever the slot alignment, the first flush holding
 * the step's data is stamped no earlier) up to now; the gap between steps is kept at three
 * intervals so that this window never reaches the previous step.
 */
async function startCarbonado(flushSeconds: number): Promise<System> {
  // A port picked free can be taken before the server binds it (another process on the box).
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCarbonadoOnce(flushSeconds);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

async function startCarbonadoOnce(flushSeconds: number): Promise<System> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carbonado-bench-'));
  // Flush slots must not be merged by a coarser storage step (a repeated slot keeps the last value).
  mkdirSync(join(dataDir, 'config'));
  writeFileSync(join(dataDir, 'config', 'storage-schemas.conf'), `[bench]\npattern = .*\nretentions = ${flushSeconds}s:1d\n`);
  // BENCH_CARBONADO_CONFIG: a config file for the server, e.g. '{"receivers": 2, "workers": 1}' to compare thread layouts.
  if (env.BENCH_CARBONADO_CONFIG) writeFileSync(join(dataDir, 'config', 'carbonado.json'), env.BENCH_CARBONADO_CONFIG);
  const logFile = join(dataDir, 'carbonado.log');
  const port = await pickFreePort(HOST);
  const httpPort = await pickFreePort(HOST);
  const child = spawnTracked(
    NODE24,
    [...SERVER_NODE_FLAGS, CARBONADO_CLI, 'start', '--host', HOST, '--statsd-port', String(port), '--http-port', String(httpPort),
      '--carbon-port', '0', '--pickle-port', '0', '--flush-interval', `${flushSeconds}s`, '--data-dir', join(dataDir, 'data')],
    { cwd: dataDir, logFile },
  );
  const healthy = await waitFor(async () => {
    if (child.exitCode !== null) return true;
    try {
      return (await fetch(`http://${HOST}:${httpPort}/health`, { signal: AbortSignal.timeout(2000) })).ok;
    } catch {
      return false;
    }
  }, 30_000, 200);
  if (!healthy || child.exitCode !== null) {
    await stopChild(child);
    const tail = logTail(logFile);
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`carbonado did not become healthy:\n${tail}`);
  }
  const listening = logTail(logFile).split('\n').find((l) => l.includes('statsd udp'));
  if (listening) console.log(`  ${listening.trim()}`);
  let stepStart = 0;
  let lastEnd = 0;
  let useSumSeries = true;
  const sys: System = {
    name: 'carbonado',
    port,
    pid: child.pid!,
    flushSeconds,
    logFile,
    async beginStep() {
      const gapEnd = lastEnd + 3 * flushSeconds * 1000;
      if (Date.now() < gapEnd) await sleep(gapEnd - Date.now());
      stepStart = Date.now() / 1000;
    },
    async endStep(sentCounterSum) {
      lastEnd = Date.now();
      await sleep((2 * flushSeconds + 0.5) * 1000);
      const since = Math.floor(stepStart - 2 * flushSeconds);
      const readCounters = async (): Promise<number> => {
        const from = since - flushSeconds;
        const until = Math.ceil(Date.now() / 1000) + flushSeconds;
        let counters = useSumSeries ? await render(httpPort, [`sumSeries(${COUNTERS_GLOB})`], from, until) : 'skipped';
        if (typeof counters === 'string' || counters.length === 0) {
          useSumSeries = false; // sum the raw series here instead
          counters = await render(httpPort, [COUNTERS_GLOB], from, until);
        }
        if (typeof counters === 'string') throw new Error(`carbonado /render failed: ${counters}`);
        const counted = sumSince(counters, since);
        if (counted.step > flushSeconds && Number.isFinite(counted.step)) {
          console.log(`  ! carbonado stores counters every ${counted.step}s but flushes every ${flushSeconds}s: ` +
            'flushes that share a slot overwrite each other, so counter sums come out low');
        }
        return counted.sum;
      };
      // A short count may still be in a flush that has not landed: read again, one interval apart,
      // while the sum keeps growing (bounded), and report how late the last of it came.
      let counterSum = await readCounters();
      let lateSeconds = 0;
      for (let extra = 1; extra <= 5 && counterSum < sentCounterSum; extra++) {
        await sleep(flushSeconds * 1000);
        const again = await readCounters();
        if (again === counterSum) break;
        counterSum = again;
        lateSeconds = extra * flushSeconds;
      }
      const from = since - flushSeconds;
      const until = Math.ceil(Date.now() / 1000) + flushSeconds;
      const own = await render(httpPort, ['carbonado.statsd.lines', 'carbonado.statsd.bad_lines', 'carbonado.statsd.queue_drops'], from, until);
      const ownSum = (name: string): number => {
        if (typeof own === 'string') return NaN;
        const found = own.filter((s) => s.target === name);
        return found.length === 0 ? NaN : sumSince(found, since).sum;
      };
      return {
        counterSum,
        lines: ownSum('carbonado.statsd.lines'),
        badLines: ownSum('carbonado.statsd.bad_lines'),
        queueDrops: ownSum('carbonado.statsd.queue_drops'),
        lateSeconds,
      };
    },
    async stop() {
      await stopChild(child, 10_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return sys;
}

/** Plays carbon for Etsy StatsD's graphite backend and keeps running totals of what it flushed. */
class CountingCarbonSink {
  counterSum = 0;
  linesReceived = 0;
  badLines = 0;
  flushes = 0;
  private server: Server | null = null;

  async listen(): Promise<number> {
    this.server = createServer((socket) => {
      let rest = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) this.count(line);
      });
      // The graphite backend sends each flush on its own connection and ends it: a flush counts
      // once all of it is in. Counted at its `statsd.metrics_received` line, which comes near the
      // start, a 100k-name flush (~450k lines) was still arriving when the step's counts were
      // read, and its counters landed in the next step (-5% there, +7% "loss" here).
      socket.on('end', () => {
        if (rest !== '') this.count(rest);
        rest = '';
        this.flushes++;
      });
      socket.on('error', () => {});
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  private count(line: string): void {
    if (!line.startsWith('stats_counts.')) return;
    const space = line.indexOf(' ');
    const name = line.slice('stats_counts.'.length, space);
    const value = Number(line.slice(space + 1, line.indexOf(' ', space + 1)));
    if (name.startsWith('bench.c.')) this.counterSum += value;
    else if (name === 'statsd.metrics_received') this.linesReceived += value;
    else if (name === 'statsd.bad_lines_seen') this.badLines += value;
  }

  close(): void {
    this.server?.close();
  }
}

async function startEtsy(sink: CountingCarbonSink, sinkPort: number, flushSeconds: number): Promise<System> {
  const runDir = mkdtempSync(join(tmpdir(), 'etsy-statsd-bench-'));
  const port = await pickFreePort(HOST);
  const mgmtPort = await pickFreePort(HOST);
  const config = {
    address: HOST, port, mgmt_address: HOST, mgmt_port: mgmtPort,
    flushInterval: flushSeconds * 1000, percentThreshold: [90],
    backends: ['./backends/graphite'], graphiteHost: HOST, graphitePort: sinkPort,
  };
  const configFile = join(runDir, 'config.js');
  writeFileSync(configFile, `(${JSON.stringify(config, null, 2)})\n`);
  const logFile = join(runDir, 'statsd.log');
  const child: ChildProcess = spawnTracked(NODE20, [join(ETSY_DIR, 'stats.js'), configFile], { cwd: ETSY_DIR, logFile });
  const before = sink.flushes;
  if (!(await waitFor(() => sink.flushes > before || child.exitCode !== null, flushSeconds * 3000 + 5000)) || child.exitCode !== null) {
    await stopChild(child);
    throw new Error(`Etsy StatsD did not flush:\n${logTail(logFile)}`);
  }
  let start = { counterSum: 0, linesReceived: 0, badLines: 0 };
  return {
    name: 'etsy-statsd',
    port,
    pid: child.pid!,
    flushSeconds,
    logFile,
    async beginStep() {
      start = { counterSum: sink.counterSum, linesReceived: sink.linesReceived, badLines: sink.badLines };
    },
    async endStep() {
      // Two whole flushes after the load stopped: everything statsd read has been flushed.
      const flushes = sink.flushes;
      await waitFor(() => sink.flushes >= flushes + 2, flushSeconds * 4000 + 10_000);
      return {
        counterSum: sink.counterSum - start.counterSum,
        lines: sink.linesReceived - start.linesReceived,
        badLines: sink.badLines - start.badLines,
        queueDrops: NaN,
        lateSeconds: 0,
      };
    },
    async stop() {
      await stopChild(child);
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

// ---- steps --------------------------------------------------------------------------------

interface StepResult {
  system: string;
  names: number;
  label: string;
  rateTarget: number;
  sentLinesPerSecond: number;
  counterSumSent: number;
  counterSumFlushed: number;
  /** 1 - flushed/sent over counter values; negative means the server counted more than was sent. */
  loss: number;
  absorbedLinesPerSecond: number;
  serverLines: number;
  badLines: number;
  /** Records the server itself dropped between its threads (Carbonado's queue_drops). */
  queueDrops: number;
  /** Datagrams the kernel dropped on the server's sockets (receive buffers full). */
  kernelDrops: number;
  serverCpuPercent: number;
  /** Server CPU by thread name (statsd-recv, statsd-agg, MainThread, V8Worker...), % of a core. */
  serverThreadCpuPercent: Record<string, number>;
  serverRssMB: number;
  serverPeakRssMB: number;
  generatorCpuPercent: number;
  otherCpuCores: number;
  forgivenLines: number;
  generatorMaxStallMs: number;
  lateSeconds: number;
  pass: boolean;
  /** |loss| < 1%, the criterion of the issue's Etsy StatsD figures. */
  passAtOnePercent: boolean;
}

async function runStep(sys: System, names: number, rate: number, label: string): Promise<StepResult> {
  await sys.beginStep();
  const drops0 = udpKernelDrops(sys.port);
  let cpu0 = 0;
  let threads0 = new Map<string, number>();
  let busy0 = 0;
  let t0 = 0;
  const load = await generateLoad(sys.port, names, rate, STEP_SECONDS, GENERATORS, () => {
    // sampled when the generators are ready, so that the window is the sending only
    cpu0 = processTreeCpuSeconds(sys.pid);
    threads0 = threadCpuSecondsByName(sys.pid);
    busy0 = machineBusySeconds();
    t0 = performance.now();
  });
  const wall = (performance.now() - t0) / 1000;
  const cpu1 = processTreeCpuSeconds(sys.pid);
  const threads1 = threadCpuSecondsByName(sys.pid);
  const busy1 = machineBusySeconds();
  const rss = processRssBytes(sys.pid);
  const counts = await sys.endStep(load.counterSum);
  const drops1 = udpKernelDrops(sys.port);
  const loss = load.counterSum > 0 ? 1 - counts.counterSum / load.counterSum : NaN;
  const serverCpu = cpu1 - cpu0;
  const r: StepResult = {
    system: sys.name,
    names,
    label,
    rateTarget: rate,
    sentLinesPerSecond: load.linesPerSecond,
    counterSumSent: load.counterSum,
    counterSumFlushed: counts.counterSum,
    loss,
    // Lines are assumed lost in the same proportion as counter values.
    absorbedLinesPerSecond: Math.round((load.lines * Math.min(1, 1 - loss)) / load.elapsedSeconds),
    serverLines: counts.lines,
    badLines: counts.badLines,
    queueDrops: counts.queueDrops,
    kernelDrops: drops1 - drops0,
    serverCpuPercent: (serverCpu / wall) * 100,
    serverThreadCpuPercent: Object.fromEntries(
      [...threads1]
        .map(([name, seconds]) => [name, ((seconds - (threads0.get(name) ?? 0)) / wall) * 100] as const)
        .filter(([, percent]) => percent >= 1)
        .sort((a, b) => b[1] - a[1]),
    ),
    serverRssMB: rss / 2 ** 20,
    serverPeakRssMB: processPeakRssBytes(sys.pid) / 2 ** 20,
    generatorCpuPercent: load.generatorCpuPercent,
    otherCpuCores: (busy1 - busy0 - serverCpu) / wall - load.generatorCpuPercent / 100,
    forgivenLines: load.forgivenLines,
    generatorMaxStallMs: load.maxStallMs,
    lateSeconds: counts.lateSeconds,
    pass: Math.abs(loss) < MAX_LOSS && !(counts.badLines > 0),
    passAtOnePercent: Math.abs(loss) < ETSY_MAX_LOSS && !(counts.badLines > 0),
  };
  console.log(
    `  ${sys.name} ${fmt(names)} names ${label.padEnd(11)} target ${fmt(rate).padStart(9)} l/s  sent ${fmt(r.sentLinesPerSecond).padStart(9)} l/s  ` +
      `counters ${fmt(r.counterSumFlushed)}/${fmt(r.counterSumSent)}  loss ${fmt(loss * 100, 3)}%  ` +
      `cpu ${fmt(r.serverCpuPercent)}%  rss ${fmt(r.serverRssMB)} MB  drops ${fmt(r.kernelDrops)}  ${r.pass ? 'PASS' : 'FAIL'}` +
      (r.lateSeconds > 0 ? `  (counts landed ${r.lateSeconds}s late)` : ''),
  );
  const threads = Object.entries(r.serverThreadCpuPercent);
  if (threads.length > 1) console.log(`    server cpu by thread: ${threads.map(([name, percent]) => `${name} ${fmt(percent)}%`).join(', ')}`);
  return r;
}

interface Summary {
  system: string;
  names: number;
  /** Lines/s actually sent in the highest passing step (the generator may fall short of the target). */
  bestRate: number;
  best: StepResult | null;
  /** The same at < 1% loss (searched for Etsy StatsD only). */
  bestRateAtOnePercent: number;
  unthrottled: StepResult | null;
  error?: string;
}

/**
 * Steps up through `rates` until one fails (with `alsoOnePercent`, until one fails the 1% criterion
 * too), then one unthrottled step.
 */
async function stepSearch(sys: System, names: number, rates: number[], results: StepResult[], alsoOnePercent = false): Promise<Summary> {
  await runStep(sys, names, Math.min(rates[0], 100_000), 'warm-up'); // creates every series; not judged
  let best: StepResult | null = null;
  let bestAtOnePercent: StepResult | null = null;
  let failed = false;
  for (const rate of rates) {
    const r = await runStep(sys, names, rate, 'step');
    results.push(r);
    failed ||= !r.pass;
    if (!failed) best = r;
    if (r.passAtOnePercent) bestAtOnePercent = r;
    if (failed && !KEEP_GOING && !(alsoOnePercent && r.passAtOnePercent)) break;
  }
  const unthrottled = await runStep(sys, names, 0, 'unthrottled');
  results.push(unthrottled);
  return {
    system: sys.name,
    names,
    bestRate: best?.sentLinesPerSecond ?? 0,
    best,
    bestRateAtOnePercent: alsoOnePercent ? (bestAtOnePercent?.sentLinesPerSecond ?? 0) : NaN,
    unthrottled,
  };
}

/**
 * What one generator process reaches flat out into a socket that never reads (the kernel drops
 * what overflows): the most this generator can offer, with no receiver competing for the CPU.
 */
async function generatorCeiling(names: number): Promise<LoadResult> {
  // A process that binds, prints its port, then blocks its event loop so that it never reads.
  const script = "const s=require('node:dgram').createSocket('udp4');s.bind(0,'127.0.0.1',()=>{" +
    "console.log(s.address().port);setTimeout(()=>Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,60000),50)})";
  const sink = spawnTracked(NODE24, ['-e', script], { pipes: true });
  try {
    const line = await nextLine(createInterface({ input: sink.stdout! })[Symbol.asyncIterator](), 10_000);
    if (line === null) throw new Error('UDP sink for the generator ceiling did not start');
    await sleep(200);
    return await generateLoad(Number(line), names, 0, 2, 1);
  } finally {
    await stopChild(sink, 1000);
  }
}

// ---- main ---------------------------------------------------------------------------------

function readRmemDefault(): number {
  try {
    return Number(readFileSync(RMEM_DEFAULT, 'utf8'));
  } catch {
    return NaN;
  }
}

/** Sets net.core.rmem_default for Etsy StatsD (it cannot size its socket); restored by the returned function. */
function raiseRmemDefault(bytes: number): () => void {
  const original = readRmemDefault();
  try {
    writeFileSync(RMEM_DEFAULT, String(bytes));
  } catch (err) {
    console.log(`  ! cannot set net.core.rmem_default (${(err as Error).message}); Etsy StatsD runs with ${fmt(original)} bytes`);
    return () => {};
  }
  const restore = (): void => {
    try {
      writeFileSync(RMEM_DEFAULT, String(original));
    } catch {
      // nothing more to do
    }
  };
  process.once('exit', restore);
  return restore;
}

async function main(): Promise<void> {
  const results: StepResult[] = [];
  const summaries: Summary[] = [];
  console.log(`StatsD ingest: names ${NAME_COUNTS.map((n) => fmt(n)).join(', ')}; ${STEP_SECONDS}s steps; ` +
    `${GENERATORS} generator process(es); pass = |counter loss| < ${MAX_LOSS * 100}%`);

  const ceiling = await generatorCeiling(NAME_COUNTS[NAME_COUNTS.length - 1]);
  console.log(`generator ceiling (1 process, flat out into a socket that never reads): ${fmt(ceiling.linesPerSecond)} lines/s, ` +
    `${fmt(ceiling.packets / ceiling.elapsedSeconds)} packets/s, ${fmt(ceiling.lines / ceiling.packets, 1)} lines/packet, cpu ${fmt(ceiling.generatorCpuPercent)}%`);

  if (env.BENCH_SKIP_CARBONADO !== '1') {
    if (!existsSync(CARBONADO_CLI)) {
      console.log(`carbonado: skipped, ${CARBONADO_CLI} does not exist (run npx tsc -p . first)`);
    } else {
      console.log(`carbonado (node ${NODE24}), flush ${FLUSH_SECONDS}s, its own SO_RCVBUF (rmem_max ${fmt(Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8')))})`);
      for (const names of NAME_COUNTS) {
        let sys: System | null = null;
        try {
          sys = await startCarbonado(FLUSH_SECONDS);
          summaries.push(await stepSearch(sys, names, RATES, results));
        } catch (err) {
          const exited = sys !== null && !existsSync(`/proc/${sys.pid}`) ? ' (the server process has exited)' : '';
          console.log(`  carbonado ${fmt(names)} names: ${(err as Error).message}${exited}`);
          if (sys) console.log(`  last lines of its log:\n${logTail(sys.logFile).replace(/^/gm, '    ')}`);
          summaries.push({ system: 'carbonado', names, bestRate: 0, best: null, bestRateAtOnePercent: NaN, unthrottled: null, error: (err as Error).message });
        } finally {
          await sys?.stop();
        }
      }
    }
  }

  if (env.BENCH_SKIP_ETSY !== '1') {
    if (!existsSync(join(ETSY_DIR, 'stats.js'))) {
      console.log(`etsy-statsd: skipped, not installed (npm install --prefix ${dirname(dirname(ETSY_DIR))} statsd)`);
    } else {
      const version = JSON.parse(readFileSync(join(ETSY_DIR, 'package.json'), 'utf8')).version as string;
      const restoreRmem = raiseRmemDefault(ETSY_RMEM);
      console.log(`etsy-statsd ${version} (node ${NODE20}), flush ${ETSY_FLUSH_SECONDS}s, rmem_default ${fmt(readRmemDefault())} bytes`);
      const sink = new CountingCarbonSink();
      const sinkPort = await sink.listen();
      try {
        for (const names of NAME_COUNTS) {
          let sys: System | null = null;
          try {
            sys = await startEtsy(sink, sinkPort, ETSY_FLUSH_SECONDS);
            summaries.push(await stepSearch(sys, names, ETSY_RATES, results, true));
          } catch (err) {
            console.log(`  etsy-statsd ${fmt(names)} names: ${(err as Error).message}`);
            if (sys) console.log(`  last lines of its log:\n${logTail(sys.logFile).replace(/^/gm, '    ')}`);
            summaries.push({ system: 'etsy-statsd', names, bestRate: 0, best: null, bestRateAtOnePercent: NaN, unthrottled: null, error: (err as Error).message });
          } finally {
            await sys?.stop();
          }
        }
      } finally {
        sink.close();
        restoreRmem();
      }
    }
  }

  const pct = (x: number): string => (Number.isFinite(x) ? `${fmt(x * 100, 2)}%` : 'n/a');
  console.log('\nSteps (loss = 1 - flushed/sent Σ counter values; cpu 100% = one core):');
  console.log(
    table(
      ['system', 'names', 'step', 'target l/s', 'sent l/s', 'loss', 'server lines', 'bad', 'queue drops', 'kernel drops', 'cpu%', 'rss MB', 'gen cpu%', 'other cores', 'pass', 'note'],
      results.map((r) => [
        r.system, fmt(r.names), r.label, r.rateTarget === 0 ? 'max' : fmt(r.rateTarget), fmt(r.sentLinesPerSecond), pct(r.loss),
        fmt(r.serverLines), fmt(r.badLines), fmt(r.queueDrops), fmt(r.kernelDrops), fmt(r.serverCpuPercent), fmt(r.serverRssMB), fmt(r.generatorCpuPercent),
        fmt(r.otherCpuCores, 2), r.label === 'unthrottled' ? '-' : r.pass ? 'yes' : r.passAtOnePercent ? 'NO (<1% ok)' : 'NO',
        [
          r.rateTarget > 0 && r.sentLinesPerSecond < r.rateTarget * 0.97
            ? `generator short of target (stalled up to ${fmt(r.generatorMaxStallMs)} ms)`
            : '',
          r.lateSeconds > 0 ? `counts landed ${r.lateSeconds}s late` : '',
        ].filter((n) => n !== '').join('; '),
      ]),
    ),
  );

  console.log(`\nSummary (lines/s sent in the highest step with < ${MAX_LOSS * 100}% loss, and for Etsy also < 1%; unthrottled = what the server absorbed flat out; ` +
    `generator ceiling ${fmt(ceiling.linesPerSecond)} lines/s per process):`);
  const rows: string[][] = [];
  for (const names of NAME_COUNTS) {
    const c = summaries.find((s) => s.system === 'carbonado' && s.names === names);
    const e = summaries.find((s) => s.system === 'etsy-statsd' && s.names === names);
    const ratio = (etsy: number | undefined): string =>
      c && !c.error && etsy !== undefined && etsy > 0 ? `${fmt(c.bestRate / etsy, 1)}x` : 'n/a';
    rows.push([
      fmt(names),
      c ? (c.error ? 'error' : fmt(c.bestRate)) : 'skipped',
      c?.best ? `${fmt(c.best.serverCpuPercent)}% / ${fmt(c.best.serverRssMB)} MB` : 'n/a',
      c?.unthrottled ? fmt(c.unthrottled.absorbedLinesPerSecond) : 'n/a',
      e ? (e.error ? 'error' : fmt(e.bestRate)) : 'skipped',
      e?.best ? `${fmt(e.best.serverCpuPercent)}% / ${fmt(e.best.serverRssMB)} MB` : 'n/a',
      e?.unthrottled ? fmt(e.unthrottled.absorbedLinesPerSecond) : 'n/a',
      ratio(e?.bestRate),
      e ? fmt(e.bestRateAtOnePercent) : 'n/a',
      ratio(e?.bestRateAtOnePercent),
      // 97%: the generator's pacing tolerance at the 2M step
      c ? (c.bestRate >= 0.97 * TARGET_LINES_PER_SECOND ? 'met' : 'NOT met') : 'n/a',
    ]);
  }
  console.log(
    table(
      ['names', 'carbonado l/s', 'cpu / rss', 'unthrottled', 'etsy l/s', 'cpu / rss', 'unthrottled', 'ratio',
        'etsy l/s <1%', 'ratio', 'target 2M'],
      rows,
    ),
  );
  if (env.BENCH_OUT) {
    writeFileSync(env.BENCH_OUT, `${JSON.stringify({ ceiling, results, summaries }, null, 2)}\n`);
    console.log(`raw results: ${env.BENCH_OUT}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
