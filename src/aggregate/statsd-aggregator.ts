/**
 * The single-threaded StatsD aggregation engine one aggregator thread runs over its shard of the
 * series: `add` folds one binary record (src/ingest/statsd-record.ts) into per-metric state,
 * `flush` turns the interval's state into points and resets it, following Etsy StatsD
 * (stats.js, lib/process_metrics.js, backends/graphite.js).
 *
 * Every input metric (kind + name) gets its output names built once, when first seen, and a run of
 * consecutive local output ids; a flush then only writes (id, value) pairs into typed arrays.
 */
import { nameHash, MetricKind, MetricTable, RecordFlags, RecordOffset, TailOffset, tailOffset } from '../ingest/index.js';
import { validateAggregatorOptions, type AggregatorOptions } from './aggregator-options.js';
import {
  computeTimerStats,
  histogramBinName,
  STATS_PER_THRESHOLD,
  thresholdStatNames,
  TIMER_STAT_NAMES,
  TimerStat,
  TimerStatsScratch,
} from './timer-stats.js';

export { defaultAggregatorOptions, type AggregatorOptions, type HistogramOption } from './aggregator-options.js';

export interface FlushOutput {
  /** Output series names first seen in this flush; local ids firstNewId, firstNewId+1, ... in order. */
  newNames: string[];
  firstNewId: number;
  /**
   * Points of this flush: ids are this aggregator's local output ids (stable across flushes).
   * The arrays are the aggregator's own and are overwritten by the next flush: copy them, or
   * transfer their buffers (the aggregator then allocates new ones), before calling flush again.
   */
  ids: Uint32Array;
  values: Float64Array;
  length: number;
  /** Input metrics (counters+timers+gauges+sets) this flush reported on, i.e. held at flush time. */
  metricCount: number;
}

const INITIAL_METRICS = 1024;
const EMPTY_MAP = new Int32Array(0);
/**
 * Small, so the log grows (by doubling) while traffic is still light: growing it from add() for
 * the first time at a higher rate, with no type feedback for that call yet, deoptimised add.
 */
const INITIAL_TIMER_SAMPLES = 1024;

/**
 * Per-metric state a record touches, in one 16-byte row so that with 100k metrics (beyond the CPU
 * caches) a record costs one miss here: f64 scalar (Float64Array index 2*metric), then u32 sample
 * count (Uint32Array index 4*metric+2) and u32 active flag (4*metric+3).
 */
const ROW_F64 = 2;
const ROW_U32 = 4;
const COUNT_WORD = 2;
const ACTIVE_WORD = 3;

/** Output name parts of one metric kind, as the Etsy graphite backend builds them. */
interface Namespaces {
  counterCount: (path: string) => string;
  counterRate: (path: string) => string;
  timer: (path: string) => string;
  gauge: (path: string) => string;
  set: (path: string) => string;
}

function buildNamespaces(o: AggregatorOptions): Namespaces {
  if (o.legacyNamespace) {
    // Etsy's legacy branch hard-codes these and ignores every prefix option.
    return {
      counterCount: (path) => `stats_counts.${path}`,
      counterRate: (path) => `stats.${path}`,
      timer: (path) => `stats.timers.${path}`,
      gauge: (path) => `stats.gauges.${path}`,
      set: (path) => `stats.sets.${path}`,
    };
  }
  const join = (kindPrefix: string) => {
    const parts = [o.globalPrefix, kindPrefix].filter((p) => p !== '');
    const head = parts.length > 0 ? `${parts.join('.')}.` : '';
    return (path: string) => head + path;
  };
  const counter = join(o.prefixCounter);
  return {
    counterCount: (path) => `${counter(path)}.count`,
    counterRate: (path) => `${counter(path)}.rate`,
    timer: join(o.prefixTimer),
    gauge: join(o.prefixGauge),
    set: join(o.prefixSet),
  };
}

interface HistogramBins {
  /** Upper bounds, Infinity for 'inf'. */
  bounds: number[];
  names: string[];
}

export class StatsdAggregator {
  /** Records whose id no named record had announced (a sender bug): dropped. */
  unknownIds = 0;

  private readonly intervalSeconds: number;
  private readonly thresholds: number[];
  private readonly thresholdNames: string[][];
  private readonly histograms: { metric: string; bins: HistogramBins }[];
  private readonly namespaces: Namespaces;
  private readonly deleteCounters: boolean;
  private readonly deleteTimers: boolean;
  private readonly deleteGauges: boolean;
  private readonly deleteSets: boolean;

  private readonly table = new MetricTable();
  /** Per source ring: sender's record id -> metric index + 1 (0: not announced). */
  private readonly sources: Int32Array[] = [];
  private readonly nameDecoder = new TextDecoder();
  /**
   * Set members seen this interval, keyed by (set metric index, member bytes): dedupes without
   * decoding a string per record. Cleared at every flush.
   */
  private readonly setMembers = new MetricTable();
  /** Scratch for one member key: u32 metric index, then the member bytes (u16 length). */
  private readonly memberKey = new Uint8Array(4 + 0xffff);

  // Per-metric state rows (see ROW_F64), indexed by the table's dense metric index.
  /**
   * Counter: Σ value/rate. Gauge: current value. Timer: Σ 1/rate (Etsy's
   * timer_counters). Set: distinct members this interval.
   */
  private scalar = new Float64Array(INITIAL_METRICS * ROW_F64);
  /**
   * COUNT_WORD: timer samples this interval. ACTIVE_WORD: 1 while Etsy would hold the key
   * (delete* options drop metrics at flush).
   */
  private counts = new Uint32Array(this.scalar.buffer);
  private metricCapacity = INITIAL_METRICS;
  private activeCount = 0;
  private outputBase = new Uint32Array(INITIAL_METRICS);
  private timerBins: (HistogramBins | undefined)[] = [];

  /**
   * Timer samples of this interval in arrival order: appending costs no cache miss, where a
   * per-timer array would cost several; flush groups them by timer (a counting sort).
   */
  private sampleMetrics = new Uint32Array(INITIAL_TIMER_SAMPLES);
  private sampleValues = new Float64Array(INITIAL_TIMER_SAMPLES);
  private sampleLength = 0;
  /** Flush scratch: samples grouped by timer, and each timer's end in it. */
  private grouped = new Float64Array(0);
  private groupEnds = new Uint32Array(INITIAL_METRICS);

  private nextOutputId = 0;
  private pendingNames: string[] = [];
  private pendingFirstId = 0;

  /** Sink of `addBatch`'s early loads. */
  private touched = 0;

  private outIds = new Uint32Array(INITIAL_METRICS);
  private outValues = new Float64Array(INITIAL_METRICS);
  private timerOut = new Float64Array(64);
  private readonly scratch = new TimerStatsScratch();

  constructor(options: AggregatorOptions) {
    validateAggregatorOptions(options);
    this.intervalSeconds = options.flushIntervalMs / 1000;
    // Etsy keys threshold stats by name, so a repeated threshold yields one set of stats.
    this.thresholds = [...new Map(options.percentThresholds.map((p) => [String(p), p])).values()];
    this.thresholdNames = this.thresholds.map(thresholdStatNames);
    this.histograms = options.histogram.map((h) => ({
      metric: h.metric,
      bins: {
        bounds: h.bins.map((b) => (b === 'inf' ? Infinity : b)),
        names: h.bins.map(histogramBinName),
      },
    }));
    this.namespaces = buildNamespaces(options);
    this.deleteCounters = options.deleteCounters || options.deleteIdleStats;
    this.deleteTimers = options.deleteTimers || options.deleteIdleStats;
    this.deleteGauges = options.deleteGauges || options.deleteIdleStats;
    this.deleteSets = options.deleteSets || options.deleteIdleStats;
  }

  /**
   * Folds the record at `offset` (layout of statsd-record.ts) into the current interval. `source`
   * is the ring it came from: record ids are numbered by their sender, one numbering per ring.
   */
  add(view: DataView, bytes: Uint8Array, offset: number, source = 0): void {
    const kind = bytes[offset + RecordOffset.kind];
    if (kind > MetricKind.Set) return; // not a kind this layout defines: nothing to aggregate
    const flags = bytes[offset + RecordOffset.flags];
    const metric =
      (flags & RecordFlags.Named) !== 0
        ? this.bindNamed(view, bytes, offset, kind, flags, source)
        : this.metricOf(source, view.getUint32(offset + RecordOffset.id, true));
    if (metric < 0) {
      this.unknownIds++;
      return;
    }
    const scalar = this.scalar;
    const at = metric * ROW_F64;
    if (this.counts[metric * ROW_U32 + ACTIVE_WORD] === 0) this.activate(metric);

    switch (kind) {
      case MetricKind.Counter: {
        const value = view.getFloat64(offset + RecordOffset.value, true);
        if ((flags & RecordFlags.Sampled) === 0) scalar[at] += value;
        else scalar[at] += value * (1 / view.getFloat64(offset + RecordOffset.sampleRate, true)); // Etsy's expression; value/rate can differ in the last bit
        break;
      }
      case MetricKind.Timer: {
        this.addTimerSample(metric, view.getFloat64(offset + RecordOffset.value, true));
        scalar[at] += (flags & RecordFlags.Sampled) === 0 ? 1 : 1 / view.getFloat64(offset + RecordOffset.sampleRate, true);
        break;
      }
      case MetricKind.Gauge: {
        const value = view.getFloat64(offset + RecordOffset.value, true);
        if (flags & RecordFlags.GaugeDelta) scalar[at] += value;
        else scalar[at] = value;
        break;
      }
      case MetricKind.Set: {
        const tail = tailOffset(offset, flags);
        const nameLen = view.getUint16(tail + TailOffset.nameLen, true);
        const memberLen = view.getUint16(tail + TailOffset.setValueLen, true);
        if (this.addSetMember(metric, bytes, tail + TailOffset.name + nameLen, memberLen)) scalar[at]++;
        break;
      }
    }
  }

  /**
   * `add` for `count` records at `offsets`, all from `source`. With many metrics a record's cost
   * is its cache misses (id map, state row), one after another; loading those of the whole batch
   * first lets the misses overlap. Same result as calling `add` for each record in order.
   */
  addBatch(view: DataView, bytes: Uint8Array, offsets: Uint32Array, count: number, source = 0): void {
    const map = source < this.sources.length ? this.sources[source] : EMPTY_MAP;
    const mapLength = map.length;
    let sink = 0;
    for (let i = 0; i < count; i++) {
      const id = view.getUint32(offsets[i] + RecordOffset.id, true);
      if (id < mapLength) sink ^= map[id];
    }
    const counts = this.counts;
    const limit = this.metricCapacity;
    for (let i = 0; i < count; i++) {
      const id = view.getUint32(offsets[i] + RecordOffset.id, true);
      const metric = id < mapLength ? map[id] - 1 : -1;
      if (metric >= 0 && metric < limit) sink ^= counts[metric * ROW_U32 + ACTIVE_WORD];
    }
    this.touched = sink;
    for (let i = 0; i < count; i++) this.add(view, bytes, offsets[i], source);
  }

  /** The metric a sender's id stands for, or -1. */
  private metricOf(source: number, id: number): number {
    if (source >= this.sources.length) return -1;
    const map = this.sources[source];
    return id < map.length ? map[id] - 1 : -1;
  }

  /** A named record: finds or creates its metric and remembers it under the sender's id. */
  private bindNamed(view: DataView, bytes: Uint8Array, offset: number, kind: number, flags: number, source: number): number {
    const tail = tailOffset(offset, flags);
    const hash = view.getUint32(tail + TailOffset.hash, true);
    const nameLen = view.getUint16(tail + TailOffset.nameLen, true);
    const nameStart = tail + TailOffset.name;
    let metric = this.table.find(kind, hash, bytes, nameStart, nameLen);
    if (metric < 0) metric = this.createMetric(kind, hash, bytes, nameStart, nameLen);
    while (source >= this.sources.length) this.sources.push(EMPTY_MAP);
    const id = view.getUint32(offset + RecordOffset.id, true);
    let map = this.sources[source];
    if (id >= map.length) {
      const grown = new Int32Array(Math.max(INITIAL_METRICS, id + 1, map.length * 2));
      grown.set(map);
      map = this.sources[source] = grown;
    }
    map[id] = metric + 1;
    return metric;
  }

  /** Aggregates of the interval that just ended; then resets state per Etsy's delete* rules. */
  flush(): FlushOutput {
    this.ensureOutputCapacity(this.nextOutputId);
    const ids = this.outIds;
    const values = this.outValues;
    const scalar = this.scalar;
    const counts = this.counts;
    const metricCount = this.activeCount;
    let length = 0;
    this.groupTimerSamples();

    for (let metric = 0; metric < this.table.size; metric++) {
      const at = metric * ROW_F64;
      if (counts[metric * ROW_U32 + ACTIVE_WORD] === 0) continue;
      const base = this.outputBase[metric];
      switch (this.table.kindOf(metric)) {
        case MetricKind.Counter:
          ids[length] = base;
          values[length++] = scalar[at];
          ids[length] = base + 1;
          values[length++] = scalar[at] / this.intervalSeconds;
          scalar[at] = 0;
          if (this.deleteCounters) this.deactivate(metric);
          break;
        case MetricKind.Timer:
          length = this.flushTimer(metric, base, ids, values, length);
          counts[metric * ROW_U32 + COUNT_WORD] = 0;
          scalar[at] = 0;
          if (this.deleteTimers) this.deactivate(metric);
          break;
        case MetricKind.Gauge:
          ids[length] = base;
          values[length++] = scalar[at];
          if (this.deleteGauges) this.deactivate(metric);
          break;
        case MetricKind.Set:
          ids[length] = base;
          values[length++] = scalar[at];
          scalar[at] = 0;
          if (this.deleteSets) this.deactivate(metric);
          break;
      }
    }
    this.sampleLength = 0;
    this.setMembers.clear();

    const output: FlushOutput = {
      newNames: this.pendingNames,
      firstNewId: this.pendingFirstId,
      ids,
      values,
      length,
      metricCount,
    };
    this.pendingNames = [];
    this.pendingFirstId = this.nextOutputId;
    return output;
  }

  private flushTimer(metric: number, base: number, ids: Uint32Array, values: Float64Array, length: number): number {
    const n = this.counts[metric * ROW_U32 + COUNT_WORD];
    const sampleCount = this.scalar[metric * ROW_F64];
    ids[length] = base + TimerStat.count;
    values[length++] = sampleCount;
    ids[length] = base + TimerStat.countPerSecond;
    values[length++] = sampleCount / this.intervalSeconds;
    if (n === 0) return length; // Etsy sends only count and count_ps for a timer without samples

    const bins = this.timerBins[metric];
    const stats = this.timerOut;
    const end = this.groupEnds[metric];
    computeTimerStats(
      this.grouped.subarray(end - n, end), n, sampleCount, this.intervalSeconds,
      this.thresholds, bins ? bins.bounds : [], stats, this.scratch,
    );
    for (let s = TimerStat.lower; s < TIMER_STAT_NAMES.length; s++) {
      ids[length] = base + s;
      values[length++] = stats[s];
    }
    let at = TIMER_STAT_NAMES.length;
    for (let t = 0; t < this.thresholds.length; t++, at += STATS_PER_THRESHOLD) {
      if (stats[at] === 0) continue; // no sample in this threshold: Etsy skips it
      for (let s = 0; s < STATS_PER_THRESHOLD; s++) {
        ids[length] = base + at + s;
        values[length++] = stats[at + s];
      }
    }
    const binCount = bins ? bins.bounds.length : 0;
    for (let b = 0; b < binCount; b++, at++) {
      ids[length] = base + at;
      values[length++] = stats[at];
    }
    return length;
  }

  /** True if the member is new to this set in this interval. */
  private addSetMember(metric: number, bytes: Uint8Array, start: number, length: number): boolean {
    const key = this.memberKey;
    key[0] = metric & 0xff;
    key[1] = (metric >>> 8) & 0xff;
    key[2] = (metric >>> 16) & 0xff;
    key[3] = metric >>> 24;
    for (let i = 0; i < length; i++) key[4 + i] = bytes[start + i];
    const hash = nameHash(key, 0, 4 + length);
    if (this.setMembers.find(MetricKind.Set, hash, key, 0, 4 + length) >= 0) return false;
    this.setMembers.insert(MetricKind.Set, hash, key, 0, 4 + length);
    return true;
  }

  private addTimerSample(metric: number, value: number): void {
    const i = this.sampleLength;
    if (i === this.sampleValues.length) this.growSampleLog();
    this.sampleMetrics[i] = metric;
    this.sampleValues[i] = value;
    this.sampleLength = i + 1;
    this.counts[metric * ROW_U32 + COUNT_WORD]++;
  }

  private growSampleLog(): void {
    const capacity = this.sampleValues.length * 2;
    const metrics = new Uint32Array(capacity);
    metrics.set(this.sampleMetrics);
    this.sampleMetrics = metrics;
    const values = new Float64Array(capacity);
    values.set(this.sampleValues);
    this.sampleValues = values;
  }

  /**
   * Counting sort of the sample log by timer, stable, into `grouped`: each timer's samples end up
   * contiguous, in arrival order, ending at groupEnds[metric].
   */
  private groupTimerSamples(): void {
    const n = this.sampleLength;
    if (n === 0) return;
    if (this.grouped.length < n) this.grouped = new Float64Array(this.sampleValues.length);
    const ends = this.groupEnds;
    const counts = this.counts;
    let next = 0;
    for (let metric = 0; metric < this.table.size; metric++) {
      ends[metric] = next; // start for now; the scatter below advances it to the end
      next += counts[metric * ROW_U32 + COUNT_WORD];
    }
    const grouped = this.grouped;
    const metrics = this.sampleMetrics;
    const values = this.sampleValues;
    for (let i = 0; i < n; i++) grouped[ends[metrics[i]]++] = values[i];
  }

  private activate(metric: number): void {
    this.counts[metric * ROW_U32 + ACTIVE_WORD] = 1;
    this.activeCount++;
    this.scalar[metric * ROW_F64] = 0; // a gauge delta after deletion starts from 0, as Etsy's missing key
  }

  private deactivate(metric: number): void {
    this.counts[metric * ROW_U32 + ACTIVE_WORD] = 0;
    this.activeCount--;
  }

  /** Cold path, once per distinct metric: stores its key and builds its output names. */
  private createMetric(kind: number, hash: number, bytes: Uint8Array, start: number, length: number): number {
    const metric = this.table.insert(kind, hash, bytes, start, length);
    if (metric >= this.metricCapacity) this.growMetricState();

    const name = this.nameDecoder.decode(bytes.subarray(start, start + length));
    // Graphite tags stay at the end: suffixes go on the path part before the first ';'.
    const tagsAt = name.indexOf(';');
    const path = tagsAt < 0 ? name : name.slice(0, tagsAt);
    const tags = tagsAt < 0 ? '' : name.slice(tagsAt);
    const ns = this.namespaces;
    // Keep this array dense (index === metric) so V8 never turns it into a dictionary.
    this.timerBins.push(undefined);
    let names: string[];
    switch (kind) {
      case MetricKind.Counter:
        names = [ns.counterCount(path), ns.counterRate(path)];
        break;
      case MetricKind.Timer: {
        const bins = this.histograms.find((h) => name.indexOf(h.metric) > -1)?.bins;
        this.timerBins[metric] = bins;
        const head = ns.timer(path);
        const suffixes = [...TIMER_STAT_NAMES, ...this.thresholdNames.flat(), ...(bins ? bins.names : [])];
        names = suffixes.map((suffix) => `${head}.${suffix}`);
        // One statistic per output name, in the same order.
        if (suffixes.length > this.timerOut.length) this.timerOut = new Float64Array(suffixes.length);
        break;
      }
      case MetricKind.Gauge:
        names = [ns.gauge(path)];
        break;
      default:
        names = [`${ns.set(path)}.count`];
        break;
    }

    this.outputBase[metric] = this.nextOutputId;
    this.nextOutputId += names.length;
    for (const n of names) this.pendingNames.push(n + tags);
    return metric;
  }

  private growMetricState(): void {
    const capacity = this.metricCapacity * 2;
    this.metricCapacity = capacity;
    const outputBase = new Uint32Array(capacity);
    outputBase.set(this.outputBase);
    this.outputBase = outputBase;
    this.groupEnds = new Uint32Array(capacity);
    const scalar = new Float64Array(capacity * ROW_F64);
    scalar.set(this.scalar);
    this.scalar = scalar;
    this.counts = new Uint32Array(scalar.buffer);
  }

  /** Room for every output id at once; also replaces arrays the caller transferred away. */
  private ensureOutputCapacity(needed: number): void {
    const wanted = Math.max(needed, 1); // a transferred (detached) array has length 0
    if (this.outIds.length >= wanted && this.outValues.length >= wanted) return;
    let capacity = Math.max(INITIAL_METRICS, this.outIds.length);
    while (capacity < wanted) capacity *= 2;
    this.outIds = new Uint32Array(capacity);
    this.outValues = new Float64Array(capacity);
  }
}
