/**
 * Reducing reads: sumSeries(a.*.b) and the other column-wise aggregators of plain paths are
 * computed while the store reads, a slice of series at a time (SeriesStore.readEach), instead of
 * first holding every series (1,000 series x 24 h at 10 s is 69 MB of arrays). The result is
 * aggregate()'s on the fetched series, exactly: columns are accumulated in the same order, and the
 * name, tags and consolidation come from the same code.
 */
import type { SeriesStore } from '../store/series-store.js';
import type { CallNode } from './expression/ast.js';
import { ColumnAccumulator, isColumnwise, resolveAggFunc, type ColumnwiseAggFunc } from './functions/agg-funcs.js';
import { aggregatedSeries, type AggregateInput } from './functions/combine.js';
import { SERIES_FUNCTIONS } from './functions/index.js';
import { consolidationForAggregation, seriesTags, type Series } from './series.js';

/** An aggregator call a reducing read can compute. */
export interface Reduction {
  /** The function's name as aggregate() puts it in the result's name (`sum` for sumSeries). */
  bare: string;
  func: Exclude<ColumnwiseAggFunc, 'multiply'>;
  /** The call's path arguments, in order. */
  paths: string[];
  /** aggregate()'s own xFilesFactor argument; null means the request's. */
  xFilesFactor: number | null;
}

/**
 * The reduction a call stands for: an aggregator (sumSeries, averageSeries, aggregate(x, "max")...)
 * whose arguments are all plain paths or globs, with a column-wise function; undefined otherwise.
 */
export function reductionOf(call: CallNode): Reduction | undefined {
  if (call.kwargs.length > 0) return undefined;
  let func: string | undefined;
  let pathArgs = call.args;
  let xFilesFactor: number | null = null;
  if (call.name === 'aggregate') {
    const [list, name, xff, ...rest] = call.args;
    if (list === undefined || name?.kind !== 'string' || rest.length > 0) return undefined;
    if (xff !== undefined && xff.kind !== 'number' && xff.kind !== 'none') return undefined;
    func = name.value;
    pathArgs = [list];
    xFilesFactor = xff?.kind === 'number' ? xff.value : null;
  } else {
    func = SERIES_FUNCTIONS.get(call.name)?.aggregateFunc;
  }
  if (func === undefined || pathArgs.length === 0) return undefined;
  const paths: string[] = [];
  for (const arg of pathArgs) {
    if (arg.kind !== 'path') return undefined;
    paths.push(arg.path);
  }
  const bare = func.endsWith('Series') ? func.slice(0, -6) : func;
  let agg;
  try {
    agg = resolveAggFunc(bare, func);
  } catch {
    return undefined; // the ordinary path reports the bad name
  }
  // multiply needs every row of every column; the others take columns in pieces.
  return isColumnwise(agg) && agg !== 'multiply' ? { bare, func: agg, paths, xFilesFactor } : undefined;
}

/**
 * The reduction over the series `names` (pathExpressions[i] is the path that matched names[i]),
 * read over [from, until): [] when none is found, undefined when they are not all on one time
 * grid (normalize() would consolidate them first: the caller takes the ordinary path).
 */
export async function readReduced(
  readEach: NonNullable<SeriesStore['readEach']>,
  reduction: Reduction,
  names: readonly string[],
  pathExpressions: readonly string[],
  from: number,
  until: number,
  requestXFilesFactor: number,
): Promise<Series[] | undefined> {
  let grid: { start: number; end: number; step: number; length: number } | undefined;
  let accumulator: ColumnAccumulator | undefined;
  const inputs: AggregateInput[] = [];
  let next = 0;
  let sameGrid = true;
  await readEach(names, from, until, {
    series(range) {
      if (!grid) grid = { start: range.start, end: range.end, step: range.step, length: (range.end - range.start) / range.step };
      else if (range.start !== grid.start || range.step !== grid.step || range.end - range.start !== grid.length * grid.step) return (sameGrid = false);
      // Series come in the order of names, unknown names left out.
      while (next < names.length && names[next] !== range.name) next++;
      inputs.push({
        pathExpression: pathExpressions[next++],
        tags: seriesTags(range.name),
        consolidationFunc: consolidationForAggregation(range.aggregationMethod),
      });
      (accumulator ??= new ColumnAccumulator(reduction.func, grid.length)).nextColumn();
      return true;
    },
    points(src, srcFrom, at, count) {
      accumulator!.addPoints(src, srcFrom, at, count);
    },
    run(run) {
      accumulator!.addRun(run);
    },
  });
  if (!sameGrid) return undefined;
  if (!grid || !accumulator) return [];
  const xff = reduction.xFilesFactor ?? requestXFilesFactor;
  return [aggregatedSeries(inputs, reduction.bare, grid, accumulator.finish(xff), xff)];
}
