import type { PointBatch } from '../points.js';

/** One series' values over a time range at a fixed step, Graphite style. */
export interface SeriesRange {
  name: string;
  /** Timestamp of values[0]; a multiple of step. */
  start: number;
  /** Exclusive end: start + values.length * step. */
  end: number;
  step: number;
  /** NaN where there is no point (Graphite's null). */
  values: Float64Array;
}

/** The narrow interface every stage writes through and every query reads through. */
export interface SeriesStore {
  /** Id of a series by its full normalised name (`a.b.c` or `a.b;k=v`), created on first use. */
  seriesId(name: string): number;
  /** Stores a batch of points; a repeated (series, step slot) keeps the last value. */
  append(batch: PointBatch): void;
  /** Every known series name (the glob index of the storage engine replaces this scan). */
  names(): Iterable<string>;
  /** Reads many series for [from, until) in one call; unknown names are skipped. */
  read(names: readonly string[], from: number, until: number): SeriesRange[];
  seriesCount(): number;
  close(): Promise<void>;
}
