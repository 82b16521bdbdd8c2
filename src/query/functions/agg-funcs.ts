import type { WindowRun } from '../../store/series-store.js';
import { QueryError } from '../query-error.js';

/**
 * graphite-web's aggregation functions (functions/aggfuncs.py with functions/safe.py): each
 * reduces a list of points, ignoring nulls (NaN here); NaN is Python's None.
 */
export const AGG_FUNCS = ['average', 'avg_zero', 'median', 'sum', 'min', 'max', 'diff', 'stddev', 'count', 'range', 'multiply', 'last'] as const;
export type AggFunc = (typeof AGG_FUNCS)[number];

const AGG_FUNC_ALIASES: Record<string, AggFunc> = { rangeOf: 'range', avg: 'average', total: 'sum', current: 'last' };

/** Every name aggregate() and friends accept, in graphite-web's order (functions, then aliases). */
export const AGG_FUNC_NAMES: readonly string[] = [...AGG_FUNCS, ...Object.keys(AGG_FUNC_ALIASES)];

/** getAggFunc: a name or alias; a QueryError naming it otherwise. `raw` is the name as the user wrote it. */
export function resolveAggFunc(name: string, raw = name): AggFunc {
  if ((AGG_FUNCS as readonly string[]).includes(name)) return name as AggFunc;
  const alias = AGG_FUNC_ALIASES[name];
  if (alias !== undefined) return alias;
  throw new QueryError(`Unsupported aggregation function: ${raw}`);
}

/** True for names resolveAggFunc accepts, with or without graphite-web's deprecated `Series` suffix. */
export function isAggFuncName(name: string): boolean {
  const bare = name.endsWith('Series') ? name.slice(0, -6) : name;
  return AGG_FUNC_NAMES.includes(name) || AGG_FUNC_NAMES.includes(bare);
}

/** One aggregation over values[from, to); `count` is 0 and the rest NaN when nothing is known. */
export function aggregateSlice(func: AggFunc, values: ArrayLike<number>, from = 0, to = values.length): number {
  let known = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let first = NaN;
  let last = NaN;
  let product = 1;
  let hasNull = false;
  for (let i = from; i < to; i++) {
    const v = values[i];
    if (v !== v) {
      hasNull = true;
      continue;
    }
    if (known === 0) first = v;
    known++;
    sum += v;
    product *= v;
    if (v < min) min = v;
    if (v > max) max = v;
    last = v;
  }
  switch (func) {
    case 'count':
      return known;
    case 'avg_zero':
      return to > from ? sum / (to - from) : NaN;
    case 'multiply':
      return hasNull || known === 0 ? NaN : product;
    default:
      break;
  }
  if (known === 0) return NaN;
  switch (func) {
    case 'average':
      return sum / known;
    case 'sum':
      return sum;
    case 'min':
      return min;
    case 'max':
      return max;
    case 'last':
      return last;
    case 'range':
      return max - min;
    case 'diff':
      return first - (sum - first);
    case 'stddev': {
      const mean = sum / known;
      let squares = 0;
      for (let i = from; i < to; i++) {
        const v = values[i];
        if (v === v) squares += (v - mean) * (v - mean);
      }
      return Math.sqrt(squares / known);
    }
    case 'median':
      return median(values, from, to);
  }
}

function median(values: ArrayLike<number>, from: number, to: number): number {
  const known: number[] = [];
  for (let i = from; i < to; i++) if (values[i] === values[i]) known.push(values[i]);
  known.sort((a, b) => a - b);
  const mid = known.length >> 1;
  return known.length % 2 === 0 ? (known[mid - 1] + known[mid]) / 2 : known[mid];
}

/**
 * out[i] += each column's known values, known[i] += how many; four columns per pass, so out and
 * known are read and written a quarter as often (the sum is memory-bound: 1,000 x 8,640 points).
 */
function sumColumns(columns: readonly Float64Array[], length: number, out: Float64Array, known: Uint32Array): void {
  const full = columns.filter((column) => column.length >= length);
  const short = columns.filter((column) => column.length < length);
  let c = 0;
  for (; c + 3 < full.length; c += 4) sum4(out, known, 0, length, full[c], 0, full[c + 1], 0, full[c + 2], 0, full[c + 3], 0);
  for (const column of [...full.slice(c), ...short]) {
    const end = Math.min(length, column.length);
    for (let i = 0; i < end; i++) {
      const v = column[i];
      if (v === v) {
        out[i] += v;
        known[i]++;
      }
    }
  }
}

/** out[from + i] += each of the four sources' known values at a + i, b + i..., known[...] += how many; i < n. */
function sum4(
  out: Float64Array,
  known: Uint32Array,
  from: number,
  n: number,
  a: Float64Array,
  oa: number,
  b: Float64Array,
  ob: number,
  c: Float64Array,
  oc: number,
  d: Float64Array,
  od: number,
): void {
  for (let i = 0; i < n; i++) {
    let sum = out[from + i];
    let count = known[from + i];
    const va = a[oa + i];
    const vb = b[ob + i];
    const vc = c[oc + i];
    const vd = d[od + i];
    if (va === va) {
      sum += va;
      count++;
    }
    if (vb === vb) {
      sum += vb;
      count++;
    }
    if (vc === vc) {
      sum += vc;
      count++;
    }
    if (vd === vd) {
      sum += vd;
      count++;
    }
    out[from + i] = sum;
    known[from + i] = count;
  }
}

/** The functions ColumnAccumulator computes: every one but median and stddev, which need whole rows. */
export type ColumnwiseAggFunc = Exclude<AggFunc, 'median' | 'stddev'>;

export function isColumnwise(func: AggFunc): func is ColumnwiseAggFunc {
  return func !== 'median' && func !== 'stddev';
}

/**
 * graphite-web's aggregate() over rows, fed columns a few at a time: out[i] aggregates
 * columns[*][i] in column order, or is NaN when the known share of the row is below xFilesFactor
 * (or nothing is known). Lets a reducing read aggregate series without holding them all; for
 * columns of one length the result does not depend on how they are split into add() calls.
 */
export class ColumnAccumulator {
  private readonly out: Float64Array;
  private readonly known: Uint32Array;
  /** range: the running minimum (out holds the maximum). */
  private readonly low: Float64Array | undefined;
  private columns = 0;

  constructor(
    private readonly func: ColumnwiseAggFunc,
    private readonly length: number,
  ) {
    this.out = new Float64Array(length);
    this.known = new Uint32Array(length);
    if (func === 'range') this.low = new Float64Array(length);
    if (func === 'multiply') this.out.fill(1);
  }

  add(columns: readonly Float64Array[]): void {
    const { func, length, out, known } = this;
    this.columns += columns.length;
    switch (func) {
      case 'sum':
      case 'average':
      case 'avg_zero':
      case 'count':
        sumColumns(columns, length, out, known);
        break;
      case 'min':
      case 'max':
      case 'last':
      case 'diff':
      case 'range':
        // Column by column, exactly as a reducing read hands them over.
        for (const column of columns) this.addPoints(column, 0, 0, column.length);
        break;
      case 'multiply': {
        for (const column of columns) {
          for (let i = 0; i < length; i++) {
            const v = i < column.length ? column[i] : NaN;
            out[i] *= v;
            if (v === v) known[i]++;
          }
        }
        break;
      }
    }
  }

  /**
   * A column handed over in pieces (a reducing read): nextColumn() starts it, then addPoints() puts
   * src[srcFrom + k] at row at + k; rows it never reaches are null in it. Not for multiply, whose
   * product needs every row of every column.
   */
  nextColumn(): void {
    this.columns++;
  }

  addPoints(src: Float64Array, srcFrom: number, at: number, count: number): void {
    const { func, out, known } = this;
    const shift = srcFrom - at;
    const end = Math.min(at + count, this.length);
    switch (func) {
      case 'sum':
      case 'average':
      case 'avg_zero':
      case 'count':
        for (let i = at; i < end; i++) {
          const v = src[i + shift];
          if (v === v) {
            out[i] += v;
            known[i]++;
          }
        }
        break;
      case 'min':
      case 'max':
      case 'last':
      case 'diff':
        for (let i = at; i < end; i++) {
          const v = src[i + shift];
          if (v !== v) continue;
          if (known[i] === 0) out[i] = v;
          else if (func === 'min') out[i] = v < out[i] ? v : out[i];
          else if (func === 'max') out[i] = v > out[i] ? v : out[i];
          else if (func === 'last') out[i] = v;
          else out[i] -= v;
          known[i]++;
        }
        break;
      case 'range': {
        const low = this.low!;
        for (let i = at; i < end; i++) {
          const v = src[i + shift];
          if (v !== v) continue;
          if (known[i] === 0) out[i] = low[i] = v;
          else {
            if (v > out[i]) out[i] = v;
            if (v < low[i]) low[i] = v;
          }
          known[i]++;
        }
        break;
      }
      case 'multiply':
        throw new Error('multiply cannot be accumulated piecewise');
    }
  }

  /**
   * A run of columns handed over together (a reducing read that takes runs); nextColumn() was
   * called for each. Sums four columns per pass, in column order, so out and known are read and
   * written a quarter as often: the same floating-point additions as column by column.
   */
  addRun(run: WindowRun): void {
    const { func, out, known, length } = this;
    const { series, windows, sources, offsets, at, skip, count } = run;
    let j = 0;
    if (func === 'sum' || func === 'average' || func === 'avg_zero' || func === 'count') {
      for (; j + 3 < series; j += 4) {
        const a = j * windows;
        const b = a + windows;
        const c = b + windows;
        const d = c + windows;
        for (let w = 0; w < windows; w++) {
          const from = at[w];
          const n = Math.min(count[w], length - from);
          const s = skip[w];
          sum4(out, known, from, n, sources[a + w], offsets[a + w] + s, sources[b + w], offsets[b + w] + s, sources[c + w], offsets[c + w] + s, sources[d + w], offsets[d + w] + s);
        }
      }
    }
    for (; j < series; j++) {
      for (let w = 0, k = j * windows; w < windows; w++, k++) this.addPoints(sources[k], offsets[k] + skip[w], at[w], count[w]);
    }
  }

  /** The aggregated row values; call once, after the last add(). */
  finish(xFilesFactor: number): Float64Array {
    const { func, length, out, known } = this;
    const n = this.columns;
    if (func === 'average') for (let i = 0; i < length; i++) out[i] /= known[i];
    else if (func === 'avg_zero') for (let i = 0; i < length; i++) out[i] /= n;
    else if (func === 'count') for (let i = 0; i < length; i++) out[i] = known[i];
    else if (func === 'range') for (let i = 0; i < length; i++) out[i] -= this.low![i];
    for (let i = 0; i < length; i++) {
      if (known[i] === 0 || known[i] / n < xFilesFactor) out[i] = NaN;
    }
    return out;
  }
}

/**
 * graphite-web's aggregate() over rows: out[i] aggregates columns[*][i], or is NaN when the known
 * share of the row is below xFilesFactor (or nothing is known). Column-wise loops over typed arrays
 * for the common functions; a per-row gather only for median and stddev.
 */
export function aggregateColumns(func: AggFunc, columns: readonly Float64Array[], length: number, xFilesFactor: number): Float64Array {
  if (isColumnwise(func)) {
    const accumulator = new ColumnAccumulator(func, length);
    accumulator.add(columns);
    return accumulator.finish(xFilesFactor);
  }
  const out = new Float64Array(length);
  const known = new Uint32Array(length);
  const n = columns.length;
  const row = new Float64Array(n);
  for (let i = 0; i < length; i++) {
    for (let c = 0; c < n; c++) {
      const v = i < columns[c].length ? columns[c][i] : NaN;
      row[c] = v;
      if (v === v) known[i]++;
    }
    out[i] = aggregateSlice(func, row);
  }
  for (let i = 0; i < length; i++) {
    if (known[i] === 0 || known[i] / n < xFilesFactor) out[i] = NaN;
  }
  return out;
}

/** graphite-web's _getPercentile (NIST method): the n-th percentile of the known values, NaN if none. */
export function percentile(values: ArrayLike<number>, n: number, interpolate: boolean): number {
  const sorted: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) sorted.push(values[i]);
  if (sorted.length === 0) return NaN;
  sorted.sort((a, b) => a - b);
  const fractionalRank = (n / 100) * (sorted.length + 1);
  let rank = Math.trunc(fractionalRank);
  const rankFraction = fractionalRank - rank;
  if (!interpolate) rank += Math.ceil(rankFraction);
  let result: number;
  if (rank === 0) result = sorted[0];
  else if (rank - 1 === sorted.length) result = sorted[sorted.length - 1];
  else result = sorted[rank - 1] ?? sorted[sorted.length - 1];
  if (interpolate && rank !== sorted.length) {
    const next = sorted[rank];
    if (next !== undefined) result = result + rankFraction * (next - result);
  }
  return result;
}
