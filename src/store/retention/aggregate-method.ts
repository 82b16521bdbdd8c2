/**
 * Rollup functions: how whisper turns the finer points under one coarser point into its value.
 * NaN is Graphite's null on both sides.
 */

/** Whisper's aggregation methods, each with whisper's on-disk type number. */
export const AGGREGATION_METHOD_CODES = {
  average: 1,
  sum: 2,
  last: 3,
  max: 4,
  min: 5,
  avg_zero: 6,
  absmax: 7,
  absmin: 8,
} as const;

export type AggregationMethod = keyof typeof AGGREGATION_METHOD_CODES;

export const AGGREGATION_METHODS = Object.keys(AGGREGATION_METHOD_CODES) as readonly AggregationMethod[];

export function isAggregationMethod(name: string): name is AggregationMethod {
  return Object.hasOwn(AGGREGATION_METHOD_CODES, name);
}

/**
 * Rolls values[start, end) up into one value with whisper's rules: NaN when no value is known or when
 * the known fraction is below xFilesFactor; otherwise the method over the known values, except avg_zero,
 * which counts unknown values as 0. absmax/absmin return the signed value of largest/smallest magnitude,
 * the first one on ties. The fraction is compared in double precision (whisper keeps xFilesFactor as a
 * float32, which makes 1 known of 10 fail 0.1; we do not copy that).
 */
export function aggregateValues(
  method: AggregationMethod,
  values: Float64Array,
  start: number,
  end: number,
  xFilesFactor = 0,
): number {
  const total = end - start;
  if (total <= 0) return NaN;
  if (method === 'average' || method === 'sum' || method === 'avg_zero') {
    // Counted and summed in one pass: a rollup calls this for every slot of every series.
    let known = 0;
    let sum = 0;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (v === v) {
        known++;
        sum += v;
      }
    }
    if (known === 0 || known / total < xFilesFactor) return NaN;
    return method === 'average' ? sum / known : method === 'sum' ? sum : sum / total;
  }
  let known = 0;
  for (let i = start; i < end; i++) {
    if (values[i] === values[i]) known++;
  }
  if (known === 0 || known / total < xFilesFactor) return NaN;

  switch (method) {
    case 'last':
      for (let i = end - 1; ; i--) {
        if (values[i] === values[i]) return values[i];
      }
    case 'max': {
      let best = -Infinity;
      for (let i = start; i < end; i++) if (values[i] > best) best = values[i];
      return best;
    }
    case 'min': {
      let best = Infinity;
      for (let i = start; i < end; i++) if (values[i] < best) best = values[i];
      return best;
    }
    case 'absmax': {
      let best = NaN;
      for (let i = start; i < end; i++) {
        const v = values[i];
        if (v === v && !(Math.abs(v) <= Math.abs(best))) best = v;
      }
      return best;
    }
    case 'absmin': {
      let best = NaN;
      for (let i = start; i < end; i++) {
        const v = values[i];
        if (v === v && !(Math.abs(v) >= Math.abs(best))) best = v;
      }
      return best;
    }
  }
}

/**
 * Rolls `values` up in runs of `ratio` (a whole number): `out[slot]` is aggregateValues over
 * values[slot·ratio, (slot + 1)·ratio), for every slot of `out`. One call per window, not per slot:
 * a rollup round computes 120 slots for every series.
 */
export function aggregateRuns(method: AggregationMethod, values: Float64Array, ratio: number, out: Float64Array, xFilesFactor = 0): void {
  const slots = out.length;
  if (method !== 'average' && method !== 'sum' && method !== 'avg_zero') {
    for (let slot = 0; slot < slots; slot++) out[slot] = aggregateValues(method, values, slot * ratio, (slot + 1) * ratio, xFilesFactor);
    return;
  }
  for (let slot = 0, i = 0; slot < slots; slot++) {
    let known = 0;
    let sum = 0;
    for (const end = i + ratio; i < end; i++) {
      const v = values[i];
      if (v === v) {
        known++;
        sum += v;
      }
    }
    out[slot] = known === 0 || known / ratio < xFilesFactor ? NaN : method === 'average' ? sum / known : method === 'sum' ? sum : sum / ratio;
  }
}
