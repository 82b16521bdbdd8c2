/**
 * Options of the StatsD aggregator. Names and meanings are Etsy StatsD's (stats.js and the
 * graphite backend), so an Etsy config section maps onto them one to one.
 */

export interface HistogramOption {
  /** Applies to every timer whose name contains this substring (first match wins, as Etsy). */
  metric: string;
  /** Upper bounds (exclusive) of the bins; `'inf'` takes everything left. */
  bins: (number | 'inf')[];
}

export interface AggregatorOptions {
  /** Flush interval; rates are per second, i.e. divided by flushIntervalMs / 1000. */
  flushIntervalMs: number;
  /** Timer percent thresholds; a negative P gives the "top" |P| percent (`*_topP`). */
  percentThresholds: number[];
  histogram: HistogramOption[];
  /** Turns on all four delete* options below. */
  deleteIdleStats: boolean;
  /** Drop a counter after each flush instead of re-sending it as 0 while idle. */
  deleteCounters: boolean;
  /** Drop a timer after each flush instead of re-sending count 0 while idle. */
  deleteTimers: boolean;
  /** Drop a gauge after each flush instead of re-sending its last value. */
  deleteGauges: boolean;
  /** Drop a set after each flush instead of re-sending count 0 while idle. */
  deleteSets: boolean;
  /** Etsy's legacy names: `stats.x` (counter rate), `stats_counts.x`, `stats.timers.x.*`, ... */
  legacyNamespace: boolean;
  globalPrefix: string;
  prefixCounter: string;
  prefixTimer: string;
  prefixGauge: string;
  prefixSet: string;
}

export const defaultAggregatorOptions: AggregatorOptions = Object.freeze({
  flushIntervalMs: 10_000,
  percentThresholds: [90],
  histogram: [],
  deleteIdleStats: false,
  deleteCounters: false,
  deleteTimers: false,
  deleteGauges: false,
  deleteSets: false,
  legacyNamespace: false,
  globalPrefix: 'stats',
  prefixCounter: 'counters',
  prefixTimer: 'timers',
  prefixGauge: 'gauges',
  prefixSet: 'sets',
}) as AggregatorOptions;

/** Throws an Error naming the first option that cannot work. */
export function validateAggregatorOptions(options: AggregatorOptions): void {
  if (!(Number.isFinite(options.flushIntervalMs) && options.flushIntervalMs > 0)) {
    throw new Error(`flushIntervalMs must be a positive number, got ${options.flushIntervalMs}`);
  }
  for (const pct of options.percentThresholds) {
    if (!(typeof pct === 'number' && Number.isFinite(pct) && Math.abs(pct) <= 100)) {
      throw new Error(`percentThresholds: ${pct} is not a percentage in [-100, 100]`);
    }
  }
  for (const h of options.histogram) {
    if (typeof h.metric !== 'string') throw new Error('histogram: every entry needs a string "metric"');
    if (!Array.isArray(h.bins)) throw new Error(`histogram "${h.metric}": "bins" must be an array`);
    for (const bin of h.bins) {
      if (bin !== 'inf' && !(typeof bin === 'number' && Number.isFinite(bin))) {
        throw new Error(`histogram "${h.metric}": bin ${String(bin)} is neither a number nor 'inf'`);
      }
    }
  }
}
