/**
 * Statistics of one timer's samples in one flush interval, computed as Etsy StatsD's
 * lib/process_metrics.js does (same formulas, same order of floating-point operations), so the
 * values match Etsy's bit for bit.
 */

/** Positions of the per-timer statistics in the array `computeTimerStats` fills. */
export const TimerStat = {
  count: 0,
  countPerSecond: 1,
  lower: 2,
  upper: 3,
  mean: 4,
  median: 5,
  std: 6,
  sum: 7,
  sumSquares: 8,
} as const;

/** Output name suffixes in `TimerStat` order. */
export const TIMER_STAT_NAMES: readonly string[] = [
  'count', 'count_ps', 'lower', 'upper', 'mean', 'median', 'std', 'sum', 'sum_squares',
];

/** After the base statistics: per threshold count_P, mean_P, upper_P (lower_topP), sum_P, sum_squares_P. */
export const STATS_PER_THRESHOLD = 5;

/** Name suffixes of one threshold's statistics, in layout order (Etsy's `clean_pct`). */
export function thresholdStatNames(pct: number): string[] {
  const clean = String(pct).replace('.', '_').replace('-', 'top');
  return [`count_${clean}`, `mean_${clean}`, `${pct > 0 ? 'upper' : 'lower'}_${clean}`, `sum_${clean}`, `sum_squares_${clean}`];
}

/** Name suffix of a histogram bin: `histogram.bin_<bound>` with the first '.' as '_'. */
export function histogramBinName(bin: number | 'inf'): string {
  return `histogram.bin_${String(bin).replace('.', '_')}`;
}

/** Reusable buffers of running sums, grown on demand so a flush does not allocate per timer. */
export class TimerStatsScratch {
  cumulative = new Float64Array(256);
  cumulativeSquares = new Float64Array(256);

  ensure(n: number): void {
    if (this.cumulative.length >= n) return;
    let capacity = this.cumulative.length * 2;
    while (capacity < n) capacity *= 2;
    this.cumulative = new Float64Array(capacity);
    this.cumulativeSquares = new Float64Array(capacity);
  }
}

/**
 * Sorts values[0, n) in place (n >= 1) and writes the statistics into `out` in layout order:
 * TimerStat, then STATS_PER_THRESHOLD per threshold, then one frequency per bin.
 * A threshold whose count_P is 0 is one Etsy skips: emit none of its five values.
 *
 * @param sampleCount Σ 1/sampleRate of the samples (Etsy's timer_counters), reported as count
 * @param bins upper bounds in order; Infinity stands for Etsy's 'inf'
 */
export function computeTimerStats(
  values: Float64Array,
  n: number,
  sampleCount: number,
  intervalSeconds: number,
  thresholds: readonly number[],
  bins: readonly number[],
  out: Float64Array,
  scratch: TimerStatsScratch,
): void {
  const sorted = values.subarray(0, n).sort();
  scratch.ensure(n);
  const cumulative = scratch.cumulative;
  const cumulativeSquares = scratch.cumulativeSquares;
  const min = sorted[0];
  const max = sorted[n - 1];
  cumulative[0] = min;
  cumulativeSquares[0] = min * min;
  for (let i = 1; i < n; i++) {
    cumulative[i] = sorted[i] + cumulative[i - 1];
    cumulativeSquares[i] = sorted[i] * sorted[i] + cumulativeSquares[i - 1];
  }

  // Carried from one threshold to the next exactly as in Etsy; with n === 1 they stay at min/max.
  let sum = min;
  let sumSquares = min * min;
  let mean = min;
  let boundary = max;
  let at = TIMER_STAT_NAMES.length;
  for (const pct of thresholds) {
    let inThreshold = n;
    if (n > 1) {
      inThreshold = Math.round((Math.abs(pct) / 100) * n);
      if (inThreshold === 0) {
        out[at] = 0;
        at += STATS_PER_THRESHOLD;
        continue;
      }
      if (pct > 0) {
        boundary = sorted[inThreshold - 1];
        sum = cumulative[inThreshold - 1];
        sumSquares = cumulativeSquares[inThreshold - 1];
      } else {
        boundary = sorted[n - inThreshold];
        // Etsy reads cumulative[-1] (undefined -> NaN) when the top |P|% is every sample; the
        // running sum before the first sample is 0, which gives the evidently intended total.
        const before = n - inThreshold - 1;
        sum = cumulative[n - 1] - (before >= 0 ? cumulative[before] : 0);
        sumSquares = cumulativeSquares[n - 1] - (before >= 0 ? cumulativeSquares[before] : 0);
      }
      mean = sum / inThreshold;
    }
    out[at] = inThreshold;
    out[at + 1] = mean;
    out[at + 2] = boundary;
    out[at + 3] = sum;
    out[at + 4] = sumSquares;
    at += STATS_PER_THRESHOLD;
  }

  sum = cumulative[n - 1];
  sumSquares = cumulativeSquares[n - 1];
  mean = sum / n;
  let sumOfDiffs = 0;
  for (let i = 0; i < n; i++) sumOfDiffs += (sorted[i] - mean) * (sorted[i] - mean);
  const mid = Math.floor(n / 2);
  out[TimerStat.count] = sampleCount;
  out[TimerStat.countPerSecond] = sampleCount / intervalSeconds;
  out[TimerStat.lower] = min;
  out[TimerStat.upper] = max;
  out[TimerStat.mean] = mean;
  out[TimerStat.median] = n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  out[TimerStat.std] = Math.sqrt(sumOfDiffs / n);
  out[TimerStat.sum] = sum;
  out[TimerStat.sumSquares] = sumSquares;

  // Bins walk the sorted samples once; samples at or above the last finite bound are not counted.
  let i = 0;
  for (const bin of bins) {
    let frequency = 0;
    for (; i < n && (bin === Infinity || sorted[i] < bin); i++) frequency++;
    out[at++] = frequency;
  }
}
