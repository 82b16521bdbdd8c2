/**
 * Wires the single-node pipeline: StatsD receivers -> aggregator shards -> storage engine, carbon
 * thread -> storage engine, storage engine -> HTTP; the store and HTTP share the main thread, heavy
 * renders run on the render pool.
 * Owns the lifecycle: aligned flushes, and on SIGTERM/SIGINT a final flush, everything
 * persisted, and exit 0.
 */
import { mkdirSync } from 'node:fs';
import { serve, type ServerType } from '@hono/node-server';
import { startAggregatorPool, type AggregatorPool } from '../aggregate/aggregator-pool.js';
import { defaultAggregatorOptions, type AggregatorOptions } from '../aggregate/statsd-aggregator.js';
import { ConfigError, type CarbonadoConfig } from '../config/index.js';
import { startCarbonListeners, type CarbonListeners } from '../ingest/carbon-listeners.js';
import { createByteRing, createDoorbell, type ByteRingHandle } from '../ingest/index.js';
import { startStatsdReceivers, type StatsdReceivers } from '../ingest/statsd-receivers.js';
import { createHttpApp } from '../http/app.js';
import { RenderPool } from '../http/render-pool.js';
import { IngestAggregator } from '../scale/ingest-aggregator.js';
import { PoolRegistry } from '../scale/pool-registry.js';
import { poolTargetProblem } from '../scale/pool-targets.js';
import { resolveRulesFile, watchRulesFile, type RulesFile } from '../scale/rules-file.js';
import { loadRetentionPolicy, RetentionError, type RetentionPolicy } from '../store/retention/index.js';
import { StorageEngine } from '../store/storage-engine.js';
import { AggregatingWriter } from './aggregating-writer.js';
import { FlushWriter } from './flush-writer.js';
import { SelfMetrics } from './self-metrics.js';

/** A receiver->aggregator ring absorbs an aggregator's flush pause at millions of lines/s. */
const MAX_RING_BYTES = 32 * 1024 * 1024;
const MIN_RING_BYTES = 2 * 1024 * 1024;
/** All rings together; with many threads each ring gets less (there are receivers x workers of them). */
const RING_BUDGET_BYTES = 512 * 1024 * 1024;

/** Bytes per receiver->aggregator ring: a power of two within [MIN, MAX] sharing the budget. */
function ringBytes(rings: number): number {
  let size = MAX_RING_BYTES;
  while (size > MIN_RING_BYTES && size * rings > RING_BUDGET_BYTES) size /= 2;
  return size;
}

export interface RunningPipeline {
  statsdPort: number | null;
  carbonPort: number | null;
  picklePort: number | null;
  httpPort: number | null;
  store: StorageEngine;
  /** The Scale API's pools and ingest aggregator. */
  scale: { registry: PoolRegistry; aggregator: IngestAggregator };
  stop(): Promise<void>;
}

export interface PipelineOptions {
  /** Wall clock (ms) of the ingest aggregator's flushes and the scale decisions; tests replay history with their own. */
  now?: () => number;
}

/** How often finished aggregation-rule buckets are written to the store. */
const AGGREGATE_FLUSH_MS = 1000;

function aggregatorOptions(config: CarbonadoConfig): AggregatorOptions {
  const s = config.statsd;
  return {
    ...defaultAggregatorOptions,
    flushIntervalMs: config.flushIntervalMs,
    percentThresholds: s.percentThresholds,
    histogram: s.histogram,
    deleteIdleStats: s.deleteIdleStats, // the aggregator applies it to each delete* option
    deleteCounters: s.deleteCounters,
    deleteTimers: s.deleteTimers,
    deleteGauges: s.deleteGauges,
    deleteSets: s.deleteSets,
    legacyNamespace: s.legacyNamespace,
  };
}

function logListener(what: string, host: string, port: number, extra = ''): void {
  console.log(`carbonado: ${what} listening on ${host.includes(':') ? `[${host}]` : host}:${port}${extra}`);
}

/** Stops accepting, and drops idle keep-alive connections that would otherwise hold close() open. */
function closeHttpServer(server: ServerType | null): Promise<void> {
  if (!server) return Promise.resolve();
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  });
}

function retentionPolicy(config: CarbonadoConfig): RetentionPolicy {
  try {
    return loadRetentionPolicy({ schemasPath: config.storage.schemasFile, aggregationPath: config.storage.aggregationFile });
  } catch (err) {
    if (err instanceof RetentionError) throw new ConfigError(err.message);
    throw err;
  }
}

/** StatsD: receiver threads feeding aggregator threads through one ring per (receiver, aggregator). */
async function startStatsd(config: CarbonadoConfig): Promise<{ receivers: StatsdReceivers; pool: AggregatorPool }> {
  const rings: ByteRingHandle[][] = Array.from({ length: config.receivers }, () =>
    Array.from({ length: config.workers }, () => createByteRing(ringBytes(config.receivers * config.workers))),
  );
  const doorbells = Array.from({ length: config.workers }, () => createDoorbell());
  const ringsByAggregator = Array.from({ length: config.workers }, (_, a) => rings.map((r) => r[a]));
  const pool = startAggregatorPool(ringsByAggregator, doorbells, aggregatorOptions(config));
  let receivers: StatsdReceivers;
  try {
    receivers = await startStatsdReceivers({
      host: config.host,
      port: config.statsdPort,
      recvBufferBytes: config.statsd.recvBufferBytes,
      maxNameLength: config.statsd.maxNameLength,
      rings,
      doorbells,
    });
  } catch (err) {
    await pool.stop(); // its threads would outlive the failed start
    throw err;
  }
  const asked = config.statsd.recvBufferBytes;
  // Linux reports twice the usable size it granted; less than the ask means rmem_max capped it.
  const granted = Math.floor(receivers.recvBufferBytes / 2);
  const capped = granted < asked;
  logListener(
    'statsd udp',
    config.host,
    receivers.udpPort,
    ` (${config.receivers} receiver threads, ${config.workers} aggregator threads, receive buffer ${granted} bytes` +
      (capped ? `: asked for ${asked}, capped by net.core.rmem_max; raise it with sysctl -w net.core.rmem_max=${asked}` : '') +
      ')',
  );
  if (receivers.tcpPort !== null) logListener('statsd tcp', config.host, receivers.tcpPort);
  return { receivers, pool };
}

/** The aggregation rules file, loaded and watched; a bad file at start is a config error. */
function startRulesFile(config: CarbonadoConfig, aggregator: IngestAggregator): RulesFile | null {
  const path = resolveRulesFile(config.scale.rulesFile);
  if (path === undefined) return null;
  try {
    const rulesFile = watchRulesFile({ path, target: aggregator });
    console.log(`carbonado: ${rulesFile.rules().length} aggregation rules from ${path}`);
    return rulesFile;
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

/** A config file's pool whose target can never evaluate is a start-up error, as a PUT of it is a 400. */
function checkConfigPools(config: CarbonadoConfig): void {
  for (const [name, pool] of Object.entries(config.scale.pools)) {
    const problem = poolTargetProblem(pool);
    if (problem !== null) throw new ConfigError(`config key 'scale.pools.${name}.${problem.field}': ${problem.message}`);
  }
}

export async function startPipeline(config: CarbonadoConfig, options: PipelineOptions = {}): Promise<RunningPipeline> {
  checkConfigPools(config);
  mkdirSync(config.dataDir, { recursive: true });
  const store = await StorageEngine.open({
    dataDir: config.dataDir,
    policy: retentionPolicy(config),
    walSyncIntervalMs: config.storage.walSyncIntervalMs,
    hotBudgetBytes: config.storage.hotBytes,
    maxSeries: config.storage.maxSeries,
    expireAfterSeconds: config.storage.expireAfterMs / 1000,
  });
  const replay = store.stats.replay;
  if (replay.points > 0) {
    const rate = Math.round(replay.points / Math.max(replay.ms / 1000, 1e-3));
    console.log(`carbonado: replayed ${replay.points} points from the write-ahead log in ${Math.round(replay.ms)} ms (${rate} points/s)`);
  }
  // What has started, undone in reverse if a later step fails (a port already taken, a bad rules
  // file): a process embedding the pipeline must not keep its threads, timers and the store's lock.
  const started: (() => unknown)[] = [() => store.close()];
  try {
    return await startStages(config, options, store, started);
  } catch (err) {
    for (const undo of started.reverse()) await Promise.resolve().then(undo).catch(() => undefined);
    throw err;
  }
}

/** Everything after the store, in the order data flows back from it; each start records its undo. */
async function startStages(config: CarbonadoConfig, options: PipelineOptions, store: StorageEngine, started: (() => unknown)[]): Promise<RunningPipeline> {
  const now = options.now ?? Date.now;
  const intervalMs = config.flushIntervalMs;

  // Scale API: every point ingest writes also feeds the aggregation rules.
  const aggregator = new IngestAggregator([]);
  const rulesFile = startRulesFile(config, aggregator);
  const ingestWriter = new AggregatingWriter(store, aggregator);
  started.push(() => rulesFile?.stop());
  const aggregateTimer = setInterval(() => ingestWriter.flushAggregates(Math.floor(now() / 1000)), AGGREGATE_FLUSH_MS);
  aggregateTimer.unref();
  started.push(() => clearInterval(aggregateTimer));
  const registry = PoolRegistry.open({ store, dataDir: config.dataDir, configPools: config.scale.pools, now });
  registry.start();
  started.push(() => registry.stop());

  const statsd = config.statsdPort !== 0 ? await startStatsd(config) : null;
  if (statsd) started.push(() => Promise.all([statsd.receivers.stop(), statsd.pool.stop()]));
  let carbon: CarbonListeners | null = null;
  if (config.carbonPort !== 0 || config.picklePort !== 0) {
    carbon = await startCarbonListeners({
      host: config.host,
      plaintextPort: config.carbonPort,
      picklePort: config.picklePort,
      maxNameLength: config.carbonMaxNameLength,
      writer: ingestWriter,
    });
    started.push(() => carbon?.stop());
    if (carbon.plaintextPort !== null) logListener('carbon plaintext tcp+udp', config.host, carbon.plaintextPort);
    if (carbon.picklePort !== null) logListener('carbon pickle tcp', config.host, carbon.picklePort);
  }

  const writer = statsd ? new FlushWriter(ingestWriter, statsd.pool.size) : null;
  const selfMetrics = new SelfMetrics(store, statsd?.receivers.stats ?? [], statsd?.receivers.udpPort ?? null, carbon?.counters ?? null);

  /** Serialised so that a slow flush never overlaps the next one. */
  let flushChain: Promise<void> = Promise.resolve();
  const flush = (intervalStartMs: number, final = false): Promise<void> => {
    flushChain = flushChain
      .then(async () => {
        const started = performance.now();
        const replies = statsd ? (final ? await statsd.pool.stop() : await statsd.pool.flush()) : [];
        const collectedMs = performance.now() - started;
        const timestamp = Math.floor(intervalStartMs / 1000);
        const writeMs = writer ? await writer.write(replies, timestamp, !final) : 0;
        selfMetrics.report(timestamp, replies, collectedMs + writeMs);
      })
      .catch((err: Error) => console.error(`carbonado: flush failed: ${err.stack ?? err.message}`));
    return flushChain;
  };

  let timer: NodeJS.Timeout | null = null;
  // Boundaries advance from the previous one, never from the clock: a timer that fires a
  // millisecond early must not flush the same interval twice.
  let nextBoundary = Math.floor(Date.now() / intervalMs) * intervalMs + intervalMs;
  const scheduleFlush = (): void => {
    timer = setTimeout(() => {
      const intervalStart = nextBoundary - intervalMs;
      nextBoundary += intervalMs;
      while (nextBoundary <= Date.now()) nextBoundary += intervalMs; // the host slept: skip
      scheduleFlush();
      void flush(intervalStart);
    }, Math.max(0, nextBoundary - Date.now()));
  };
  scheduleFlush();
  started.push(() => timer && clearTimeout(timer));

  const startedAt = Date.now();
  let server: ServerType | null = null;
  let httpPort: number | null = null;
  let renderPool: RenderPool | undefined;
  if (config.httpPort !== 0) {
    const adminToken = process.env.CARBONADO_ADMIN_TOKEN || config.scale.adminToken;
    renderPool = new RenderPool();
    const pool = renderPool;
    started.push(() => pool.close());
    const app = createHttpApp({
      store,
      health: () => ({
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        series: store.seriesCount(),
        statsdPort: statsd?.receivers.udpPort ?? null,
        carbonPort: carbon?.plaintextPort ?? null,
      }),
      scale: { registry, adminToken },
      adminToken,
      renderPool,
    });
    httpPort = await new Promise<number>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: config.httpPort, hostname: config.host }, (info) => resolve(info.port));
      s.once('error', reject);
      server = s;
      started.push(() => closeHttpServer(s));
    });
    logListener('http', config.host, httpPort);
  }

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (timer) clearTimeout(timer);
      await Promise.all([statsd?.receivers.stop(), carbon?.stop()]);
      await flush(nextBoundary - intervalMs, true);
      clearInterval(aggregateTimer);
      ingestWriter.flushAggregates(Math.floor(now() / 1000));
      rulesFile?.stop();
      registry.stop();
      await closeHttpServer(server);
      await renderPool?.close();
      await store.close();
    })();
    return stopping;
  };

  const onSignal = (signal: string) => {
    console.log(`carbonado: ${signal}: flushing and stopping`);
    stop().then(
      () => process.exit(0),
      (err: Error) => {
        console.error(`carbonado: error while stopping: ${err.stack ?? err.message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  return {
    statsdPort: statsd?.receivers.udpPort ?? null,
    carbonPort: carbon?.plaintextPort ?? null,
    picklePort: carbon?.picklePort ?? null,
    httpPort,
    store,
    scale: { registry, aggregator },
    stop,
  };
}
