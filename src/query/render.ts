import type { SeriesStore } from '../store/series-store.js';
import { evaluateTargets } from './evaluator.js';
import { seriesTags, type ConsolidationFunc, type Series } from './series.js';

export { seriesTags };

/** One rendered series, as graphite-web's TimeSeries: named, tagged, fixed step, NaN = null. */
export interface RenderedSeries {
  /** The series name (after aliasing functions, the alias). */
  target: string;
  /** Graphite's tags: the series' own tags plus `name` (the path). */
  tags: Record<string, string>;
  start: number;
  end: number;
  step: number;
  values: Float64Array;
  /** The expression the series came from (pickle's pathExpression); defaults to target. */
  pathExpression?: string;
  /** How maxDataPoints consolidates it; defaults to average. */
  consolidationFunc?: ConsolidationFunc;
  /** Share of known points a consolidated point needs; defaults to 0. */
  xFilesFactor?: number;
  valuesPerPoint?: number;
}

export interface RenderOptions {
  /** The request's reference time (graphite-web's `now`). */
  now?: number;
  /** The `xFilesFactor` render parameter. */
  xFilesFactor?: number;
  /** `template[name]=value` render parameters. */
  templateParams?: Readonly<Record<string, string>>;
}

/**
 * Renders Graphite targets (paths, globs and the function language) for [from, until]: every
 * path of every target is read in one store call per time range, then the functions run.
 */
export async function renderTargets(
  store: SeriesStore,
  targets: readonly string[],
  from: number,
  until: number,
  options: RenderOptions = {},
): Promise<RenderedSeries[]> {
  return renderedSeries(await evaluateTargets(store, targets, { from, until, ...options }));
}

/** Evaluated series as the renderers take them. */
export function renderedSeries(series: readonly Series[]): RenderedSeries[] {
  return series.map((s) => ({
    target: s.name,
    tags: s.tags,
    start: s.start,
    end: s.end,
    step: s.step,
    values: s.values,
    pathExpression: s.pathExpression,
    consolidationFunc: s.consolidationFunc,
    xFilesFactor: s.xFilesFactor,
    valuesPerPoint: s.valuesPerPoint,
  }));
}
