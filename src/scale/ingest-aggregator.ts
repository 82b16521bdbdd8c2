/**
 * Aggregation rules applied as points arrive, carbon-aggregator style: every input point that a
 * rule matches lands in the bucket (output name, timestamp rounded down to the rule's frequency),
 * and a bucket is emitted once it has ended and `lagSeconds` more have passed, so points that
 * travel a little late still count. Like carbon's MAX_AGGREGATION_INTERVALS, a bucket is kept for
 * `maxIntervals` intervals after that: a late point re-opens it and the next flush emits the
 * corrected value again (the store keeps the last value of a slot). Points older than that are
 * dropped and counted.
 *
 * No clock inside: the caller passes `now` to `flush`, so tests and backtests replay exactly.
 * The hot path is one Map lookup per input name (its matching outputs are cached; a writer that
 * keeps outputsIndex() per series id skips even that) and a few arithmetic updates; only
 * percentile methods keep the values.
 *
 * Differences from carbon: a point feeds each distinct output once even when several rules map it
 * there; when two rules produce the same output name, the first rule's frequency and method apply.
 */
import { type AggregationMethod, type AggregationRule, matchRule, PERCENTILE_OF } from './aggregation-rules.js';

export interface IngestAggregatorOptions {
  /** Seconds after a bucket ends before it is first emitted. Default 10 (one StatsD flush). */
  lagSeconds?: number;
  /** Intervals a bucket is kept after its first emission, for late points. Default 5 (carbon's default). */
  maxIntervals?: number;
  /** Input names whose matches are cached; the cache starts over when it grows past this. Default 1,000,000. */
  maxCachedNames?: number;
}

/** Receives each finished bucket. */
export type AggregateSink = (name: string, timestamp: number, value: number) => void;

export interface IngestAggregatorStats {
  pointsIn: number;
  /** Point x output pairs aggregated. */
  pointsAggregated: number;
  /** Points that came after their bucket was discarded. */
  pointsDroppedLate: number;
  bucketsEmitted: number;
  openBuckets: number;
  outputs: number;
  cachedNames: number;
}

class Bucket {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  dirty = false;
  constructor(
    readonly start: number,
    /** Every value, for percentile methods only. */
    readonly values: number[] | null,
  ) {}
}

class OutputSeries {
  readonly buckets = new Map<number, Bucket>();
  /** The bucket the last point went to: consecutive points nearly always share it. */
  latest: Bucket | null = null;
  readonly percentile: number | undefined;
  constructor(
    readonly name: string,
    readonly frequency: number,
    readonly method: AggregationMethod,
    /** The rules generation that last confirmed this output. */
    public generation: number,
  ) {
    this.percentile = PERCENTILE_OF[method];
  }
}

const NO_OUTPUTS: readonly OutputSeries[] = [];

export class IngestAggregator {
  private readonly lagSeconds: number;
  private readonly maxIntervals: number;
  private readonly maxCachedNames: number;
  private rules: readonly AggregationRule[] = [];
  private generation = 0;
  /** Input name -> index of its outputs in outputLists. */
  private readonly cache = new Map<string, number>();
  /** The outputs of each cached name, by the index outputsIndex() hands out. */
  private outputLists: (readonly OutputSeries[])[] = [];
  private cacheEpoch = 0;
  private readonly outputs = new Map<string, OutputSeries>();
  /** Outputs whose rule changed: drained by flush, then forgotten. */
  private retiring: OutputSeries[] = [];
  private lastFlush = -Infinity;
  private readonly counters = { pointsIn: 0, pointsAggregated: 0, pointsDroppedLate: 0, bucketsEmitted: 0 };

  constructor(rules: readonly AggregationRule[], options: IngestAggregatorOptions = {}) {
    this.lagSeconds = options.lagSeconds ?? 10;
    this.maxIntervals = options.maxIntervals ?? 5;
    this.maxCachedNames = options.maxCachedNames ?? 1_000_000;
    this.setRules(rules);
  }

  /**
   * Replaces the rules (hot reload). Outputs whose frequency and method stay the same carry on
   * with their open buckets; changed ones finish their open buckets under the old rule.
   */
  setRules(rules: readonly AggregationRule[]): void {
    this.rules = rules;
    this.generation++;
    this.clearCache();
  }

  /** Changes whenever output indexes handed out before stop being valid (rules replaced, cache full). */
  get epoch(): number {
    return this.cacheEpoch;
  }

  /** False while no rule is loaded: writers may then skip add() and only count their points. */
  get hasRules(): boolean {
    return this.rules.length > 0;
  }

  /** Counts input points that were not offered to add() because no rule is loaded. */
  countUnmatched(points: number): void {
    this.counters.pointsIn += points;
  }

  /** Aggregates one input point (Unix seconds); names no rule matches cost one Map lookup. */
  add(name: string, timestamp: number, value: number): void {
    this.addAt(this.outputsIndex(name), timestamp, value);
  }

  /**
   * The index of a name's outputs for addAt(), valid while `epoch` stays the same: a writer that
   * keeps it per series id aggregates a point with an array read instead of a lookup by name.
   */
  outputsIndex(name: string): number {
    return this.cache.get(name) ?? this.resolve(name);
  }

  /** add() for a name already looked up with outputsIndex() in the current epoch. */
  addAt(outputsIndex: number, timestamp: number, value: number): void {
    this.counters.pointsIn++;
    const outputs = this.outputLists[outputsIndex];
    if (outputs.length === 0 || !Number.isFinite(value)) return;
    for (let i = 0; i < outputs.length; i++) {
      const output = outputs[i];
      const start = timestamp - (timestamp % output.frequency);
      let bucket = output.latest;
      if (bucket === null || bucket.start !== start) {
        bucket = output.buckets.get(start) ?? this.openBucket(output, start);
        if (bucket === null) continue;
        output.latest = bucket;
      }
      bucket.count++;
      bucket.sum += value;
      if (value < bucket.min) bucket.min = value;
      if (value > bucket.max) bucket.max = value;
      if (bucket.values !== null) bucket.values.push(value);
      bucket.dirty = true;
      this.counters.pointsAggregated++;
    }
  }

  /** Emits every bucket that ended at least lagSeconds before `now` and changed since it was last emitted. */
  flush(now: number, emit: AggregateSink): number {
    this.lastFlush = Math.max(this.lastFlush, now);
    let emitted = 0;
    // Retired outputs first: where old and new rule share a bucket, the store keeps the new value.
    for (const output of this.retiring) emitted += this.flushOutput(output, now, emit);
    this.retiring = this.retiring.filter((output) => output.buckets.size > 0);
    for (const output of this.outputs.values()) {
      emitted += this.flushOutput(output, now, emit);
      if (output.generation !== this.generation && output.buckets.size === 0) this.outputs.delete(output.name);
    }
    this.counters.bucketsEmitted += emitted;
    return emitted;
  }

  stats(): IngestAggregatorStats {
    let openBuckets = 0;
    for (const output of this.outputs.values()) openBuckets += output.buckets.size;
    for (const output of this.retiring) openBuckets += output.buckets.size;
    return { ...this.counters, openBuckets, outputs: this.outputs.size + this.retiring.length, cachedNames: this.cache.size };
  }

  /** Outputs of an input name under the current rules, cached. */
  private resolve(name: string): number {
    let found: OutputSeries[] | null = null;
    for (const rule of this.rules) {
      const outputName = matchRule(rule, name);
      if (outputName === null) continue;
      const output = this.outputFor(outputName, rule);
      found ??= [];
      if (!found.includes(output)) found.push(output);
    }
    if (this.cache.size >= this.maxCachedNames) this.clearCache();
    const index = this.outputLists.length;
    this.outputLists.push(found ?? NO_OUTPUTS);
    this.cache.set(name, index);
    return index;
  }

  private clearCache(): void {
    this.cache.clear();
    this.outputLists = [];
    this.cacheEpoch++;
  }

  private outputFor(outputName: string, rule: AggregationRule): OutputSeries {
    const existing = this.outputs.get(outputName);
    if (existing !== undefined) {
      const sameRule = existing.frequency === rule.frequency && existing.method === rule.method;
      // Within one generation the first rule wins; across generations a changed rule starts afresh.
      if (sameRule || existing.generation === this.generation) {
        existing.generation = this.generation;
        return existing;
      }
      this.retiring.push(existing);
    }
    const output = new OutputSeries(outputName, rule.frequency, rule.method, this.generation);
    this.outputs.set(outputName, output);
    return output;
  }

  /** A new bucket, or null when it would already have been discarded (the point is too late). */
  private openBucket(output: OutputSeries, start: number): Bucket | null {
    if (this.discardAt(output, start) <= this.lastFlush) {
      this.counters.pointsDroppedLate++;
      return null;
    }
    const bucket = new Bucket(start, output.percentile === undefined ? null : []);
    output.buckets.set(start, bucket);
    return bucket;
  }

  private discardAt(output: OutputSeries, start: number): number {
    return start + output.frequency * (1 + this.maxIntervals) + this.lagSeconds;
  }

  private flushOutput(output: OutputSeries, now: number, emit: AggregateSink): number {
    let emitted = 0;
    for (const bucket of output.buckets.values()) {
      if (bucket.dirty && bucket.start + output.frequency + this.lagSeconds <= now) {
        emit(output.name, bucket.start, bucketValue(output, bucket));
        bucket.dirty = false;
        emitted++;
      }
      if (this.discardAt(output, bucket.start) <= now) {
        output.buckets.delete(bucket.start);
        if (output.latest === bucket) output.latest = null;
      }
    }
    return emitted;
  }
}

function bucketValue(output: OutputSeries, bucket: Bucket): number {
  switch (output.method) {
    case 'sum':
      return bucket.sum;
    case 'avg':
      return bucket.sum / bucket.count;
    case 'min':
      return bucket.min;
    case 'max':
      return bucket.max;
    case 'count':
      return bucket.count;
    default:
      return percentile(bucket.values!, output.percentile!);
  }
}

/** Carbon's percentile: linear interpolation between the closest ranks of the sorted values. */
function percentile(values: number[], fraction: number): number {
  values.sort((a, b) => a - b);
  const rank = fraction * (values.length - 1);
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  if (below === above) return values[below];
  return values[below] * (above - rank) + values[above] * (rank - below);
}
