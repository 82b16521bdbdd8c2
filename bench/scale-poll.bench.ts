/**
 * Scale API under load, in one carbonado process (the real pipeline): decision poll latency
 * (p50/p99 over HTTP) for 100 pools whose qps is summed at ingest from 10k hosts, while a carbon
 * client feeds those 10k hosts' qps as fast as the server takes it. Then the ingest cost of the
 * aggregation rules: points/s appended through the store alone, through the aggregating writer
 * with no rules, and with the pool rule.
 *
 * The server runs on the main thread; the carbon load generator and the polling client run in
 * worker threads, so neither steals the server's event loop.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { loadConfig } from '../src/config/index.js';
import { AggregatingWriter } from '../src/pipeline/aggregating-writer.js';
import { startPipeline } from '../src/pipeline/index.js';
import { PointBatchBuilder } from '../src/points.js';
import { parseAggregationRules } from '../src/scale/aggregation-rules.js';
import { IngestAggregator } from '../src/scale/ingest-aggregator.js';
import { parsePoolConfig } from '../src/config/pool-config.js';
import { loadRetentionPolicy } from '../src/store/retention/index.js';
import { StorageEngine } from '../src/store/storage-engine.js';
import { pickFreePort } from './bench-lib.js';
import { lowerThisThreadPriority } from '../src/ingest/thread-priority.js';
import { percentile } from './carbon-bench-lib.js';

const POOLS = 100;
const HOSTS = 10_000;
const POLL_SECONDS = 10;
const RULE = 'out.<pool>.qps (60) = sum web.<pool>.*.qps\n';

type Job = { role: 'carbon'; port: number; stop: Int32Array } | { role: 'poll'; url: string; seconds: number };

const hostName = (h: number): string => `web.pool${h % POOLS}.host${h}.qps`;

/** Worker: sends every host's qps, round after round, until told to stop; reports the lines sent. */
async function carbonLoad(port: number, stop: Int32Array): Promise<void> {
  // The senders of a real deployment are other machines: on this box the generator runs below the
  // server (nice +10) so that it loads the server without taking the main thread's turn on a core.
  lowerThisThreadPriority(10);
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let sent = 0;
  while (Atomics.load(stop, 0) === 0) {
    const now = Math.floor(Date.now() / 1000);
    let chunk = '';
    for (let h = 0; h < HOSTS; h++) {
      chunk += `${hostName(h)} ${(h % 97) + 1} ${now}\n`;
      if (chunk.length > 256 * 1024 || h === HOSTS - 1) {
        if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
        chunk = '';
      }
    }
    sent += HOSTS;
  }
  await new Promise<void>((resolve) => socket.end(resolve));
  parentPort!.postMessage({ sent });
}

/** Worker: polls every pool's decision in turn for `seconds`; reports the latencies in ms. */
async function poll(url: string, seconds: number): Promise<void> {
  const latencies: number[] = [];
  const end = Date.now() + seconds * 1000;
  let errors = 0;
  for (let i = 0; Date.now() < end; i++) {
    const started = performance.now();
    const response = await fetch(`${url}/scale/pools/pool${i % POOLS}/decision`);
    const body = (await response.json()) as { action?: string };
    latencies.push(performance.now() - started);
    if (response.status !== 200 || body.action === undefined) errors++;
  }
  parentPort!.postMessage({ latencies, errors });
}

function runWorker<T>(job: Job): { done: Promise<T> } {
  const worker = new Worker(new URL(import.meta.url), { workerData: job });
  return {
    done: new Promise<T>((resolve, reject) => {
      worker.once('message', (m: T) => resolve(m));
      worker.once('error', reject);
    }),
  };
}

async function pollLatencyUnderIngest(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-scale-bench-'));
  const rulesFile = join(dir, 'aggregation-rules.conf');
  writeFileSync(rulesFile, RULE);
  const config = loadConfig(undefined, {
    dataDir: join(dir, 'data'),
    host: '127.0.0.1',
    statsdPort: 0,
    carbonPort: await pickFreePort(),
    picklePort: 0,
    httpPort: await pickFreePort(),
    scale: { rulesFile },
  });
  const log = console.log;
  console.log = () => {};
  const pipeline = await startPipeline(config);
  console.log = log;
  const { store, scale } = pipeline;

  // An hour of per-minute pool aggregates and instance counts, as the rules would have written them.
  const now = Math.floor(Date.now() / 1000);
  const seed = new PointBatchBuilder(POOLS * 3 * 60);
  for (let p = 0; p < POOLS; p++) {
    const qps = store.seriesId(`out.pool${p}.qps`);
    const instances = store.seriesId(`out.pool${p}.instances`);
    const slow = store.seriesId(`out.pool${p}.slow_ratio`);
    for (let m = 60; m >= 1; m--) {
      const t = now - (now % 60) - m * 60;
      seed.push(qps, t, 3000 + 2000 * Math.sin((m + p * 7) / 9));
      seed.push(instances, t, 40);
      seed.push(slow, t, m % 17 === 0 ? 0.02 : 0.004);
    }
    scale.registry.put(
      `pool${p}`,
      parsePoolConfig({
        qps: `out.pool${p}.qps`,
        instances: `out.pool${p}.instances`,
        capacityPerInstance: 150,
        health: [{ target: `out.pool${p}.slow_ratio`, above: 0.01 }],
      }),
    );
  }
  store.append(seed);

  const url = `http://127.0.0.1:${pipeline.httpPort}`;
  // Warm up the HTTP path and the JIT.
  for (let i = 0; i < 300; i++) await (await fetch(`${url}/scale/pools/pool${i % POOLS}/decision`)).json();

  const idle = await runWorker<{ latencies: number[]; errors: number }>({ role: 'poll', url, seconds: 3 }).done;

  const stop = new Int32Array(new SharedArrayBuffer(4));
  const carbon = runWorker<{ sent: number }>({ role: 'carbon', port: pipeline.carbonPort!, stop });
  await new Promise((resolve) => setTimeout(resolve, 1000)); // ingest up to speed
  console.log(`decision polls, ${POOLS} pools summed at ingest from ${HOSTS} hosts (target p99 < 5 ms over HTTP)`);

  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const direct: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await scale.registry.decision(`pool${i % POOLS}`);
    direct.push(performance.now() - t0);
  }
  console.log(`  in-process registry.decision() under ingest: p50 ${percentile(direct, 50).toFixed(2)} ms, p99 ${percentile(direct, 99).toFixed(2)} ms`);
  const inBefore = scale.aggregator.stats().pointsIn;
  const started = performance.now();
  const loaded = await runWorker<{ latencies: number[]; errors: number }>({ role: 'poll', url, seconds: POLL_SECONDS }).done;
  const ingested = scale.aggregator.stats().pointsIn - inBefore;
  const seconds = (performance.now() - started) / 1000;
  lag.disable();
  console.log(`  event loop delay under ingest: p50 ${(lag.percentile(50) / 1e6).toFixed(2)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(2)} ms, max ${(lag.max / 1e6).toFixed(2)} ms`);
  Atomics.store(stop, 0, 1);
  await carbon.done;
  const stats = scale.aggregator.stats();

  const row = (what: string, r: { latencies: number[]; errors: number }) =>
    console.log(
      `${what}: ${r.latencies.length} polls, p50 ${percentile(r.latencies, 50).toFixed(2)} ms, p99 ${percentile(r.latencies, 99).toFixed(2)} ms, max ${Math.max(...r.latencies).toFixed(2)} ms${r.errors ? `, ${r.errors} errors` : ''}`,
    );
  row('  HTTP, idle                ', idle);
  row('  HTTP, under carbon ingest ', loaded);
  console.log(`  carbon ingest meanwhile: ${Math.round(ingested / seconds).toLocaleString('en')} points/s through the rules (${stats.outputs} pool aggregates, ${stats.pointsDroppedLate} late)`);
  console.log(`  RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`);

  console.log = () => {};
  await pipeline.stop();
  console.log = log;
  rmSync(dir, { recursive: true, force: true });
}

/** Points/s appended to a real engine: directly, through the writer without rules, and with the pool rule. */
async function ingestCostOfRules(): Promise<void> {
  const rounds = 60;
  const measure = async (mode: 'store' | 'no rules' | 'pool rule'): Promise<number> => {
    const dir = mkdtempSync(join(tmpdir(), 'carbonado-scale-bench-'));
    const store = await StorageEngine.open({ dataDir: dir, policy: loadRetentionPolicy({}), walSyncIntervalMs: 1000 });
    const aggregator = new IngestAggregator(mode === 'pool rule' ? parseAggregationRules(RULE) : []);
    const writer = mode === 'store' ? store : new AggregatingWriter(store, aggregator);
    const ids = Uint32Array.from({ length: HOSTS }, (_, h) => writer.seriesId(hostName(h)));
    const batch = new PointBatchBuilder(4096);
    const start = Math.floor(Date.now() / 1000) - rounds * 10;
    const began = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (let h = 0; h < HOSTS; h++) {
        batch.push(ids[h], start + r * 10, h % 97);
        if (batch.length === 4096) {
          writer.append(batch);
          batch.clear();
        }
      }
      if (mode !== 'store') (writer as AggregatingWriter).flushAggregates(start + r * 10);
    }
    writer.append(batch);
    const rate = (rounds * HOSTS) / ((performance.now() - began) / 1000);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    return rate;
  };
  console.log(`ingest cost of the aggregation rules (${HOSTS} hosts x 60 rounds, batches of 4096, real engine)`);
  for (const mode of ['store', 'no rules', 'pool rule', 'store', 'no rules', 'pool rule'] as const) {
    const rate = await measure(mode);
    console.log(`  ${mode.padEnd(10)} ${Math.round(rate).toLocaleString('en').padStart(12)} points/s`);
  }
}

if (isMainThread) {
  await pollLatencyUnderIngest();
  if (process.env.SKIP_COST === undefined) await ingestCostOfRules();
  process.exit(0);
} else {
  const job = workerData as Job;
  if (job.role === 'carbon') await carbonLoad(job.port, job.stop);
  else await poll(job.url, job.seconds);
}
