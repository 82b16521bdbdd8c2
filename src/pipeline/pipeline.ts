/**
 * Wires the single-node pipeline: StatsD receivers -> aggregator shards -> store -> HTTP.
 * Owns the lifecycle: aligned flushes, and on SIGTERM/SIGINT a final flush and clean exit.
 */
import { mkdirSync } from 'node:fs';
import { serve, type ServerType } from '@hono/node-server';
import { startAggregatorPool, type AggregatorPool } from '../aggregate/aggregator-pool.js';
import { defaultAggregatorOptions, type AggregatorOptions } from '../aggregate/statsd-aggregator.js';
import type { CarbonadoConfig } from '../config/index.js';
import { createByteRing, createDoorbell, type ByteRingHandle } from '../ingest/index.js';
import { startStatsdReceivers, type StatsdReceivers } from '../ingest/statsd-receivers.js';
import { createHttpApp } from '../http/app.js';
import { MemoryStore } from '../store/memory-store.js';
import type { SeriesStore } from '../store/series-store.js';
import { FlushWriter } from './flush-writer.js';
import { SelfMetrics } from './self-metrics.js';

/** Per receiver->aggregator ring; absorbs an aggregator's flush pause at millions of lines/s. */
const RING_BYTES = 32 * 1024 * 1024;
/** Retention of the plain in-memory store (the storage engine replaces it). */
const MEMORY_RETENTION_SECONDS = 7 * 86_400;

export interface RunningPipeline {
  statsdPort: number | null;
  httpPort: number | null;
  store: SeriesStore;
  stop(): Promise<void>;
}

function aggregatorOptions(config: CarbonadoConfig): AggregatorOptions {
  const s = config.statsd;
  return {
    ...defaultAggregatorOptions,
    flushIntervalMs: config.flushIntervalMs,
    percentThresholds: s.percentThresholds,
    histogram: s.histogram,
    deleteIdleStats: s.deleteIdleStats,
    deleteCounters: s.deleteCounters || s.deleteIdleStats,
    deleteTimers: s.deleteTimers || s.deleteIdleStats,
    deleteGauges: s.deleteGauges || s.deleteIdleStats,
    deleteSets: s.deleteSets || s.deleteIdleStats,
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

export async function startPipeline(config: CarbonadoConfig): Promise<RunningPipeline> {
  mkdirSync(config.dataDir, { recursive: true });
  const intervalMs = config.flushIntervalMs;
  const store: SeriesStore = new MemoryStore({
    stepSeconds: Math.max(1, Math.round(intervalMs / 1000)),
    retentionSeconds: MEMORY_RETENTION_SECONDS,
  });

  let receivers: StatsdReceivers | null = null;
  let pool: AggregatorPool | null = null;
  if (config.statsdPort !== 0) {
    const receiverCount = config.receivers;
    const aggregatorCount = config.workers;
    const rings: ByteRingHandle[][] = Array.from({ length: receiverCount }, () =>
      Array.from({ length: aggregatorCount }, () => createByteRing(RING_BYTES)),
    );
    const doorbells = Array.from({ length: aggregatorCount }, () => createDoorbell());
    const ringsByAggregator = Array.from({ length: aggregatorCount }, (_, a) => rings.map((r) => r[a]));
    pool = startAggregatorPool(ringsByAggregator, doorbells, aggregatorOptions(config));
    receivers = await startStatsdReceivers({
      host: config.host,
      port: config.statsdPort,
      recvBufferBytes: config.statsd.recvBufferBytes,
      maxNameLength: config.statsd.maxNameLength,
      rings,
      doorbells,
    });
    const asked = config.statsd.recvBufferBytes;
    // Linux reports twice the usable size it granted; less than 2x the ask means rmem_max capped it.
    const capped = receivers.recvBufferBytes < asked * 2;
    logListener(
      'statsd udp',
      config.host,
      receivers.udpPort,
      ` (${receiverCount} receiver threads, ${aggregatorCount} aggregator threads, SO_RCVBUF ${receivers.recvBufferBytes} bytes` +
        (capped ? `; asked for ${asked}: raise net.core.rmem_max to get it` : '') +
        ')',
    );
    if (receivers.tcpPort !== null) logListener('statsd tcp', config.host, receivers.tcpPort);
  }

  const writer = pool ? new FlushWriter(store, pool.size) : null;
  const selfMetrics = new SelfMetrics(store, receivers?.stats ?? [], receivers?.udpPort ?? null);

  /** Serialised so that a slow flush never overlaps the next one. */
  let flushChain: Promise<void> = Promise.resolve();
  const flush = (intervalStartMs: number, final = false): Promise<void> => {
    flushChain = flushChain.then(async () => {
      if (!pool || !writer) return;
      const started = performance.now();
      const replies = final ? await pool.stop() : await pool.flush();
      const timestamp = Math.floor(intervalStartMs / 1000);
      writer.write(replies, timestamp);
      selfMetrics.report(timestamp, replies, performance.now() - started);
    }).catch((err: Error) => console.error(`carbonado: flush failed: ${err.stack ?? err.message}`));
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

  const startedAt = Date.now();
  let server: ServerType | null = null;
  let httpPort: number | null = null;
  if (config.httpPort !== 0) {
    const app = createHttpApp({
      store,
      health: () => ({
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        series: store.seriesCount(),
        statsdPort: receivers?.udpPort ?? null,
      }),
    });
    httpPort = await new Promise<number>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: config.httpPort, hostname: config.host }, (info) => resolve(info.port));
      s.once('error', reject);
      server = s;
    });
    logListener('http', config.host, httpPort);
  }

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (timer) clearTimeout(timer);
      await receivers?.stop();
      await flush(nextBoundary - intervalMs, true);
      await closeHttpServer(server);
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
    statsdPort: receivers?.udpPort ?? null,
    httpPort,
    store,
    stop,
  };
}
