/**
 * Helpers for the storage-engine and carbon-ingest benchmarks: percentiles, directory sizes,
 * a seeded random source, and StatsD-shaped series values for realistic compression figures.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { seededUniform } from '../test/support/seeded-random.js';

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Sum of the sizes of every regular file under `dir` (what `du -b` would say, without blocks). */
export function directoryBytes(dir: string): number {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += directoryBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/** The value shapes a StatsD-fed store holds, one per series in turn (series i has kind i % 5). */
export const VALUE_KINDS = ['counter count', 'counter rate', 'timer mean', 'gauge', 'mostly constant'] as const;
export type ValueKind = (typeof VALUE_KINDS)[number];

/** A realistic name for series i of its kind, so the embedded aggregation rules apply as in production. */
export function statsdSeriesName(i: number): string {
  const app = `app${String(i % 50).padStart(2, '0')}`;
  switch (i % VALUE_KINDS.length) {
    case 0:
      return `stats.counters.${app}.requests_${i}.count`;
    case 1:
      return `stats.counters.${app}.requests_${i}.rate`;
    case 2:
      return `stats.timers.${app}.latency_${i}.mean`;
    case 3:
      return `stats.gauges.${app}.queue_${i}`;
    default:
      return `stats.gauges.${app}.enabled_${i}`;
  }
}

/**
 * Values of many series over time, one column of `count` series per call to `fill`: counters
 * with a daily cycle and Poisson-like noise (counts are integers, rates are count / 10), timer
 * means (a sum of whole milliseconds over a count: an arbitrary double), integer gauges on a
 * random walk, and series that change about once a day.
 */
export class StatsdValues {
  private readonly base: Float64Array;
  private readonly phase: Float64Array;
  private readonly level: Float64Array;
  private readonly random: () => number;

  constructor(
    readonly count: number,
    seed = 1,
  ) {
    this.random = seededUniform(seed);
    this.base = new Float64Array(count);
    this.phase = new Float64Array(count);
    this.level = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      // Counters from idle (0-1 per interval) to busy (~1000), log-spread as in real fleets.
      this.base[i] = Math.floor(Math.exp(this.random() * 7)) - 1;
      this.phase[i] = this.random() * 2 * Math.PI;
      this.level[i] = Math.floor(this.random() * (i % 5 === 4 ? 3 : 200));
    }
  }

  /** Writes the value of series [0, count) at `timestamp` into `out[offset + i]`. */
  fill(timestamp: number, out: Float64Array, offset: number): void {
    const random = this.random;
    const day = (2 * Math.PI * timestamp) / 86_400;
    for (let i = 0; i < this.count; i++) {
      const kind = i % 5;
      let v: number;
      if (kind <= 1) {
        const mean = this.base[i] * (1 + 0.3 * Math.sin(day + this.phase[i]));
        const count = Math.max(0, Math.round(mean + (random() - 0.5) * 2 * Math.sqrt(mean + 1)));
        v = kind === 0 ? count : count / 10;
      } else if (kind === 2) {
        const samples = 1 + Math.floor(random() * 99);
        const typical = 20 + (this.base[i] % 200);
        v = Math.round(samples * typical * (0.8 + 0.4 * random())) / samples;
      } else if (kind === 3) {
        this.level[i] = Math.max(0, this.level[i] + Math.round((random() - 0.5) * 4));
        v = this.level[i];
      } else {
        if (random() < 1 / 8640) this.level[i] = Math.floor(random() * 3);
        v = this.level[i];
      }
      out[offset + i] = v;
    }
  }
}
