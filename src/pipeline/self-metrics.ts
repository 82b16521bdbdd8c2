/**
 * The pipeline's own metrics, written into its own store under `carbonado.*` at every flush,
 * as StatsD reports `statsd.*`. Counts are per flush interval; gauges are instantaneous.
 */
import { readFileSync } from 'node:fs';
import type { AggregatorFlushReply } from '../aggregate/aggregator-worker.js';
import type { CarbonCounters } from '../ingest/carbon-listeners.js';
import { ReceiverStat } from '../ingest/receiver-stats.js';
import { PointBatchBuilder } from '../points.js';
import type { StorageEngine } from '../store/storage-engine.js';

const COUNTED = [
  ['carbonado.statsd.packets', ReceiverStat.packets],
  ['carbonado.statsd.bytes', ReceiverStat.bytes],
  ['carbonado.statsd.lines', ReceiverStat.lines],
  ['carbonado.statsd.bad_lines', ReceiverStat.badLines],
  ['carbonado.statsd.queue_drops', ReceiverStat.queueDrops],
] as const;

/** Kernel drops of the UDP sockets bound to `port` (the `drops` column of /proc/net/udp). */
export function udpKernelDrops(port: number): number {
  let drops = 0;
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 12 && cols[1].endsWith(hexPort)) drops += Number(cols[cols.length - 1]) || 0;
    }
  }
  return drops;
}

export class SelfMetrics {
  private readonly previous = new Map<string, number>();
  private readonly batch = new PointBatchBuilder(64);

  constructor(
    private readonly store: StorageEngine,
    private readonly receiverStats: Float64Array[],
    private readonly udpPort: number | null,
    private readonly carbon: CarbonCounters | null,
  ) {}

  /** Difference of a cumulative counter since the last report. */
  private delta(name: string, cumulative: number): number {
    const before = this.previous.get(name) ?? 0;
    this.previous.set(name, cumulative);
    return cumulative - before;
  }

  private put(name: string, timestamp: number, value: number): void {
    this.batch.push(this.store.seriesId(name), timestamp, value);
  }

  report(timestamp: number, replies: AggregatorFlushReply[], flushMs: number): void {
    this.batch.clear();
    for (const [name, slot] of COUNTED) {
      let sum = 0;
      for (const stats of this.receiverStats) sum += stats[slot];
      this.put(name, timestamp, this.delta(name, sum));
    }
    let depth = 0;
    for (const stats of this.receiverStats) {
      depth = Math.max(depth, stats[ReceiverStat.queueDepthMax]);
      stats[ReceiverStat.queueDepthMax] = 0;
    }
    this.put('carbonado.statsd.queue_depth_bytes', timestamp, depth);
    if (this.udpPort !== null) {
      this.put('carbonado.statsd.kernel_drops', timestamp, this.delta('kernel_drops', udpKernelDrops(this.udpPort)));
    }
    let records = 0;
    let metrics = 0;
    let points = 0;
    let aggregateMs = 0;
    for (const r of replies) {
      records += r.records;
      metrics += r.metricCount;
      points += r.length;
      aggregateMs = Math.max(aggregateMs, r.flushMs);
    }
    this.put('carbonado.statsd.samples_aggregated', timestamp, records);
    this.put('carbonado.statsd.metrics', timestamp, metrics);
    this.put('carbonado.statsd.points_flushed', timestamp, points);
    this.put('carbonado.statsd.aggregate_time_ms', timestamp, aggregateMs);
    this.put('carbonado.statsd.flush_time_ms', timestamp, flushMs);
    if (this.carbon) {
      this.put('carbonado.carbon.lines', timestamp, this.delta('carbon.lines', this.carbon.lines));
      this.put('carbonado.carbon.bad_lines', timestamp, this.delta('carbon.bad_lines', this.carbon.badLines));
      this.put('carbonado.carbon.connections', timestamp, this.delta('carbon.connections', this.carbon.connections));
      this.put('carbonado.carbon.bad_pickles', timestamp, this.delta('carbon.bad_pickles', this.carbon.badPickles));
      this.put('carbonado.carbon.queue_drops', timestamp, this.delta('carbon.queue_drops', this.carbon.queueDrops));
    }
    const s = this.store.stats;
    this.put('carbonado.store.dropped_too_old', timestamp, this.delta('store.too_old', s.droppedTooOld));
    this.put('carbonado.store.dropped_future', timestamp, this.delta('store.future', s.droppedFuture));
    this.put('carbonado.store.dropped_invalid', timestamp, this.delta('store.invalid', s.droppedInvalid));
    this.put('carbonado.store.dropped_series_limit', timestamp, this.delta('store.series_limit', s.droppedSeriesLimit));
    this.put('carbonado.store.dropped_wal_failed', timestamp, this.delta('store.wal_failed', s.droppedWalFailed));
    this.put('carbonado.store.late_points', timestamp, this.delta('store.late', s.latePoints));
    this.put('carbonado.store.sealed_chunks', timestamp, this.delta('store.sealed', s.sealedChunks));
    this.put('carbonado.store.head_bytes', timestamp, s.headBytes);
    this.put('carbonado.store.hot_bytes', timestamp, s.hotBytes);
    const memory = process.memoryUsage();
    this.put('carbonado.process.rss_bytes', timestamp, memory.rss);
    this.put('carbonado.process.heap_used_bytes', timestamp, memory.heapUsed);
    this.put('carbonado.store.series', timestamp, this.store.seriesCount());
    this.store.append(this.batch);
  }
}
