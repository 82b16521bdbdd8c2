/**
 * Issue 4's render benchmark side by side with graphite-web, on the same data in the same run:
 * 1,000 series `pr.host_NNNN.cpu` x 8,640 points at 10 s ending at END, values
 * ((i*31 + k*17) % 1000) / 10, as ../shared/peers/bench-render.mjs writes them into whisper files.
 *
 * 1. graphite-web: runs that peer script as a child (`--targets gw`; it starts carbon-cache and
 *    gunicorn, times the queries and stops its servers) and reads its JSON rows.
 * 2. Carbonado: `dist/src/cli.js start` as a child with a `10s:2d` schema for `pr.*`, the same
 *    points (same END as graphite-web's) over carbon plaintext TCP, checked as the peer checks them,
 *    then timed with the peers' own HTTP client at the same concurrencies.
 * Queries (24 h): one series as JSON, sumSeries(pr.*.cpu), /metrics/find?query=pr.* (1,000 names;
 * find.bench.ts covers issue 4's 1M names).
 *
 * BENCH_PEERS=0 skips graphite-web; BENCH_PEERS_DIR points at the peers (default ../shared/peers
 * beside the checkout); BENCH_RENDER_CONC (default 1,2), BENCH_RENDER_DURATION seconds per cell
 * (default 5) and BENCH_RENDER_REPEAT (default 1; graphite-web's sumSeries takes ~6 s a request).
 */
import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmt, pickFreePort, spawnTracked, stopChild, table, waitFor } from './bench-lib.js';
import { percentile } from './carbon-bench-lib.js';
import { SERVER_NODE_FLAGS } from '../src/server-node-flags.js';

const SERIES = 1_000;
const POINTS = 8_640;
const STEP = 10;
const CONNS = 2;
const CONC = (process.env.BENCH_RENDER_CONC ?? '1,2').split(',').map(Number);
const DURATION_S = Number(process.env.BENCH_RENDER_DURATION ?? 5);
const REPEAT = Number(process.env.BENCH_RENDER_REPEAT ?? 1);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PEERS_DIR = resolve(process.env.BENCH_PEERS_DIR ?? join(REPO, '..', 'shared', 'peers'));
const WITH_PEERS = process.env.BENCH_PEERS !== '0';
/** graphite-web's part: whisper files (~70 s), its server start and 3 queries, sumSeries at ~6 s each. */
const PEER_TIMEOUT_MS = 8 * 60_000;

const seriesName = (i: number): string => `pr.host_${String(i).padStart(4, '0')}.cpu`;
const pointValue = (i: number, k: number): number => ((i * 31 + k * 17) % 1000) / 10;

type QueryName = 'single' | 'sum' | 'find';

interface Timing {
  median_ms: number;
  p99_ms: number;
  rps: number;
  requests: number;
  errors: number;
}

interface PeerRow extends Timing {
  target: string;
  query: QueryName;
  concurrency: number;
  check: string;
}

interface BenchOptions {
  url: string;
  concurrency: number;
  durationS: number;
  minRequests: number;
  maxS: number;
  warmup: number;
}

type HttpBench = (options: BenchOptions) => Promise<Timing>;

// ---- the HTTP client -----------------------------------------------------------------------------

/** One GET over `agent`; its latency in ms, or NaN when it failed. */
function timedGet(agent: http.Agent, url: string): Promise<number> {
  return new Promise((done) => {
    const t0 = process.hrtime.bigint();
    const request = http.get(url, { agent, timeout: 120_000 }, (response) => {
      response.resume();
      response.on('end', () => done(response.statusCode === 200 ? Number(process.hrtime.bigint() - t0) / 1e6 : NaN));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => done(NaN));
  });
}

/** The peers' closed loop (http-bench.mjs) for when they are not installed: same stop rule, same percentiles. */
const ownHttpBench: HttpBench = async ({ url, concurrency, durationS, minRequests, maxS, warmup }) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  for (let i = 0; i < warmup; i++) await timedGet(agent, url);
  const latencies: number[] = [];
  let errors = 0;
  const t0 = Date.now();
  const worker = async (): Promise<void> => {
    for (;;) {
      const elapsed = (Date.now() - t0) / 1000;
      if (elapsed >= maxS || (elapsed >= durationS && latencies.length + errors >= minRequests)) return;
      const ms = await timedGet(agent, url);
      if (Number.isNaN(ms)) errors++;
      else latencies.push(ms);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedS = (Date.now() - t0) / 1000;
  agent.destroy();
  return {
    median_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    rps: latencies.length / elapsedS,
    requests: latencies.length,
    errors,
  };
};

async function loadHttpBench(): Promise<{ bench: HttpBench; source: string }> {
  const path = join(PEERS_DIR, 'http-bench.mjs');
  if (existsSync(path)) {
    const module = (await import(pathToFileURL(path).href)) as { httpBench: HttpBench };
    return { bench: module.httpBench, source: path };
  }
  return { bench: ownHttpBench, source: 'own loop (peers not found)' };
}

const median = (xs: readonly number[]): number => percentile(xs, 50);

// ---- checks (the peer script's) --------------------------------------------------------------------

async function getText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  const body = await response.text();
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${body.slice(0, 200)}`);
  return body;
}

/** 8,640 non-null points with the expected first and last values; null when right, else what is wrong. */
function checkRender(body: string, first: number, last: number): string | null {
  const [series] = JSON.parse(body) as Array<{ datapoints: [number | null, number][] }>;
  const known = (series?.datapoints ?? []).filter(([v]) => v !== null);
  const got = `${known.length} non-null points, first=${known[0]?.[0]} last=${known.at(-1)?.[0]}`;
  const right = known.length === POINTS && Math.abs(known[0][0]! - first) < 1e-6 && Math.abs(known.at(-1)![0]! - last) < 1e-6;
  return right ? null : got;
}

function checkFind(body: string): string | null {
  const n = (JSON.parse(body) as unknown[]).length;
  return n === SERIES ? null : `${n} nodes`;
}

function queries(end: number): Array<{ name: QueryName; path: string; check: (body: string) => string | null }> {
  const window = `&from=${end - POINTS * STEP}&until=${end}`;
  let sumFirst = 0;
  let sumLast = 0;
  for (let i = 0; i < SERIES; i++) {
    sumFirst += pointValue(i, 0);
    sumLast += pointValue(i, POINTS - 1);
  }
  return [
    { name: 'single', path: `/render?target=pr.host_0001.cpu&format=json${window}`, check: (b) => checkRender(b, pointValue(1, 0), pointValue(1, POINTS - 1)) },
    { name: 'sum', path: `/render?target=sumSeries(pr.*.cpu)&format=json${window}`, check: (b) => checkRender(b, sumFirst, sumLast) },
    { name: 'find', path: '/metrics/find?query=pr.*', check: checkFind },
  ];
}

// ---- graphite-web (the peer script) ----------------------------------------------------------------

/** graphite-web's rows and the END its data ends at, or why it was skipped. */
async function runGraphiteWeb(workDir: string): Promise<{ rows: PeerRow[]; end: number } | string> {
  if (!WITH_PEERS) return 'BENCH_PEERS=0';
  const script = join(PEERS_DIR, 'bench-render.mjs');
  if (!existsSync(script)) return `no ${script}`;
  if (!existsSync('/usr/bin/gunicorn') || !existsSync('/usr/bin/python3')) return 'gunicorn or /usr/bin/python3 not installed';
  const out = join(workDir, 'graphite-web.json');
  const logFile = join(workDir, 'graphite-web.log');
  const args = [script, '--targets', 'gw', '--out', out, '--conc', CONC.join(','), '--duration', String(DURATION_S), '--repeat', String(REPEAT)];
  const child = spawnTracked(process.execPath, args, { cwd: PEERS_DIR, logFile });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const timer = setTimeout(() => void stopChild(child, 15_000), PEER_TIMEOUT_MS);
  const code = await exited;
  clearTimeout(timer);
  const log = readFileSync(logFile, 'utf8');
  for (const line of log.split('\n')) if (/check|generated/.test(line)) console.log(`  peer: ${line.trim()}`);
  if (code !== 0 || !existsSync(out)) return `peer script exited ${code}; log ${logFile}:\n${log.slice(-1500)}`;
  const result = JSON.parse(readFileSync(out, 'utf8')) as { end: number; rows: PeerRow[] };
  const wrong = result.rows.find((r) => !r.check.startsWith('OK'));
  if (wrong) return `graphite-web answered ${wrong.query} wrongly: ${wrong.check}`;
  return { rows: result.rows, end: result.end };
}

// ---- carbonado --------------------------------------------------------------------------------------

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      done(true);
    });
    socket.on('error', () => done(false));
  });
}

async function startCarbonado(workDir: string): Promise<{ child: ChildProcess; carbonPort: number; base: string }> {
  // As graphite-web's whisper files: one 10 s archive over 2 days.
  mkdirSync(join(workDir, 'config'));
  writeFileSync(join(workDir, 'config', 'storage-schemas.conf'), '[pr]\npattern = ^pr\\.\nretentions = 10s:2d\n');
  const carbonPort = await pickFreePort();
  const httpPort = await pickFreePort();
  const logFile = join(workDir, 'carbonado.log');
  const child = spawnTracked(
    process.execPath,
    [...SERVER_NODE_FLAGS, join(REPO, 'dist/src/cli.js'), 'start', '--host', '127.0.0.1', '--statsd-port', '0', '--pickle-port', '0',
      '--carbon-port', String(carbonPort), '--http-port', String(httpPort), '--data-dir', join(workDir, 'data')],
    { cwd: workDir, logFile },
  );
  const base = `http://127.0.0.1:${httpPort}`;
  const up = await waitFor(async () => {
    if (child.exitCode !== null) return true;
    try {
      return (await fetch(`${base}/health`, { signal: AbortSignal.timeout(1000) })).ok && (await tcpOpen(carbonPort));
    } catch {
      return false;
    }
  }, 60_000, 50);
  if (!up || child.exitCode !== null) throw new Error(`carbonado did not start; see ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
  return { child, carbonPort, base };
}

/** Sends every point over CONNS connections, each series' points in time order on one of them. */
function sendPoints(port: number, end: number): Promise<void> {
  const start = end - (POINTS - 1) * STEP;
  const sendShare = (conn: number): Promise<void> =>
    new Promise((done, fail) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', fail);
      socket.on('close', () => done());
      let k = 0;
      const pump = (): void => {
        while (k < POINTS) {
          const lines: string[] = [];
          for (const stop = Math.min(POINTS, k + 16); k < stop; k++) {
            for (let i = conn; i < SERIES; i += CONNS) lines.push(`${seriesName(i)} ${pointValue(i, k)} ${start + k * STEP}\n`);
          }
          if (!socket.write(lines.join(''))) {
            socket.once('drain', pump);
            return;
          }
        }
        socket.end();
      };
      socket.on('connect', pump);
    });
  return Promise.all(Array.from({ length: CONNS }, (_, c) => sendShare(c))).then(() => undefined);
}

async function runCarbonado(workDir: string, end: number, httpBench: HttpBench): Promise<Map<string, Timing>> {
  const server = await startCarbonado(workDir);
  try {
    const started = performance.now();
    await sendPoints(server.carbonPort, end);
    const sentS = (performance.now() - started) / 1000;
    const qs = queries(end);
    let problems: string[] = [];
    const readable = await waitFor(async () => {
      problems = [];
      for (const q of qs) {
        const wrong = q.check(await getText(server.base + q.path));
        if (wrong !== null) problems.push(`${q.name}: ${wrong}`);
      }
      return problems.length === 0;
    }, 120_000, 250);
    if (!readable) throw new Error(`carbonado answers wrongly after 120 s: ${problems.join('; ')}`);
    console.log(
      `  carbonado: sent ${fmt(SERIES * POINTS)} points over carbon plaintext in ${sentS.toFixed(1)} s; ` +
        `all readable and the 3 checks OK ${((performance.now() - started) / 1000).toFixed(1)} s after sending began`,
    );
    const timings = new Map<string, Timing>();
    for (const q of qs) {
      for (const c of CONC) {
        const reps: Timing[] = [];
        for (let r = 0; r < REPEAT; r++) {
          reps.push(await httpBench({ url: server.base + q.path, concurrency: c, durationS: DURATION_S, minRequests: 5, maxS: 40, warmup: 1 }));
        }
        const errors = reps.reduce((sum, t) => sum + t.errors, 0);
        if (errors > 0) throw new Error(`carbonado ${q.name} c=${c}: ${errors} failed requests`);
        timings.set(`${q.name}/${c}`, {
          median_ms: median(reps.map((t) => t.median_ms)),
          p99_ms: median(reps.map((t) => t.p99_ms)),
          rps: median(reps.map((t) => t.rps)),
          requests: reps.reduce((sum, t) => sum + t.requests, 0),
          errors,
        });
      }
    }
    return timings;
  } finally {
    await stopChild(server.child, 10_000);
  }
}

// ---- the run ----------------------------------------------------------------------------------------

const workDir = mkdtempSync(join(tmpdir(), 'carbonado-render-peers-'));
try {
  const { bench: httpBench, source } = await loadHttpBench();
  console.log(`client: ${source}; concurrency ${CONC.join(',')}, ${DURATION_S} s x ${REPEAT} per cell`);
  // graphite-web first: its END (now - 60 s when it generated the whisper files) is Carbonado's too.
  const peer = await runGraphiteWeb(workDir);
  if (typeof peer === 'string') console.log(`graphite-web: skipped (${peer})`);
  const end = typeof peer === 'string' ? Math.floor(Date.now() / 1000 / STEP) * STEP - 60 : peer.end;
  const ours = await runCarbonado(workDir, end, httpBench);

  const gw = (q: QueryName, c: number): PeerRow | undefined =>
    typeof peer === 'string' ? undefined : peer.rows.find((r) => r.query === q && r.concurrency === c);
  const rows: string[][] = [];
  for (const q of ['single', 'sum', 'find'] as const) {
    for (const c of CONC) {
      const us = ours.get(`${q}/${c}`)!;
      const them = gw(q, c);
      rows.push([
        q, String(c), fmt(us.median_ms, 2), fmt(us.p99_ms, 2), fmt(us.rps, 1),
        fmt(them?.median_ms, 1), fmt(them?.p99_ms, 1), fmt(them?.rps, 2),
        them ? `${fmt(them.median_ms / us.median_ms, 0)}x` : 'n/a', them ? `${fmt(us.rps / them.rps, 0)}x` : 'n/a',
      ]);
    }
  }
  console.log(`\n${SERIES} series x ${POINTS} points (10 s, 24 h), ending ${new Date(end * 1000).toISOString()}`);
  console.log(table(['query', 'conc', 'carbonado p50 ms', 'p99 ms', 'req/s', 'graphite-web p50 ms', 'p99 ms', 'req/s', 'gw p50 / ours', 'ours req/s / gw'], rows));

  const c1 = CONC[0];
  const sum = ours.get(`sum/${c1}`)!;
  const single = ours.get(`single/${c1}`)!;
  const find = ours.get(`find/${c1}`)!;
  const gwSum = gw('sum', c1);
  const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  console.log(`\nissue 4 targets (concurrency ${c1}):`);
  console.log(`  sumSeries over ${SERIES} series p99 < 50 ms: ${fmt(sum.p99_ms, 1)} ms, ${verdict(sum.p99_ms < 50)}`);
  console.log(
    `  sumSeries > 100x graphite-web: ` +
      (gwSum ? `p50 ${fmt(gwSum.median_ms / sum.median_ms, 0)}x, p99 ${fmt(gwSum.p99_ms / sum.p99_ms, 0)}x, ${verdict(gwSum.median_ms / sum.median_ms > 100)}` : 'n/a (no graphite-web)'),
  );
  console.log(`  one series over 24 h p50 < 2 ms: ${fmt(single.median_ms, 2)} ms, ${verdict(single.median_ms < 2)}`);
  console.log(`  /metrics/find p99 < 20 ms: ${fmt(find.p99_ms, 2)} ms over ${SERIES} names here, ${verdict(find.p99_ms < 20)} (the 1M-name target: find.bench.ts)`);
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
