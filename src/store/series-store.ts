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
  /** The series' storage aggregation method (storage-aggregation.conf): how to consolidate it. */
  aggregationMethod: string;
  xFilesFactor: number;
}

/** A SeriesRange without its values. */
export type SeriesShape = Omit<SeriesRange, 'values'>;

/** What readEach() hands series to. */
export interface SeriesVisitor {
  /** The next series begins; false stops the read. */
  series(shape: SeriesShape): boolean;
  /**
   * Points of the current series: src[srcFrom + k] is the value at index at + k of its range. Each
   * index comes at most once; one that never comes is null. `src` is the store's: read it now, do
   * not keep it.
   */
  points(src: Float64Array, srcFrom: number, at: number, count: number): void;
  /**
   * Optional, for reducers that do better with several series at once: the points of the last
   * `run.series` series begun (series() was called for each, in order), handed over together instead
   * of through points(). Read it now, as points().
   */
  run?(run: WindowRun): void;
}

/**
 * Points of several series with the same start, end and step, window by window: window w of the
 * j-th series is sources[j * windows + w], and its points src[offsets[j * windows + w] + skip[w] + k],
 * k < count[w], are at index at[w] + k of the range. Indexes no window covers are null.
 */
export interface WindowRun {
  series: number;
  windows: number;
  sources: readonly Float64Array[];
  offsets: readonly number[];
  at: Int32Array;
  skip: Int32Array;
  count: Int32Array;
}

/** Returned by seriesId when the series limit refuses a new series. */
export const REJECTED_SERIES = 0xffffffff;

/** The narrow interface every stage writes through and every query reads through. */
export interface SeriesStore {
  /**
   * Id of a series by its full normalised name (`a.b.c` or `a.b;k=v`), created on first use;
   * REJECTED_SERIES when the series limit is reached (append skips such points).
   */
  seriesId(name: string): number;
  /** Stores a batch of points; a repeated (series, step slot) keeps the last value. */
  append(batch: PointBatch): void;
  /** Every known series name. */
  names(): Iterable<string>;
  /**
   * Reads many series for [from, until) in one call; unknown names are skipped. The buffers behind
   * the values arrays are the caller's, kept nowhere else (several series may share one): the
   * render pool moves them to a worker thread.
   */
  read(names: readonly string[], from: number, until: number): Promise<SeriesRange[]>;
  /**
   * read() for callers that reduce series as they come (sumSeries of a glob) instead of holding
   * them all: the store hands each series over window by window, from its own memory when it can
   * (no array per series). Series come in the order of `names`.
   */
  readEach?(names: readonly string[], from: number, until: number, visitor: SeriesVisitor): Promise<void>;
  seriesCount(): number;
  /** Untagged names matching a Graphite glob, sorted (the metric tree). */
  match?(pattern: string): string[];
  /** Deletes series by exact name, data included; returns how many existed. */
  deleteSeries?(names: readonly string[]): Promise<number>;
  close(): Promise<void>;
  /** Nodes of the metric tree (untagged names) matching a glob at its depth, in path order; valid until the next find. */
  find?(pattern: string): TreeNodes;
  /** Names of the tagged series selected by graphite-web tag expressions (`k=v`, `k=~re`), sorted. */
  seriesByTag?(expressions: readonly string[]): string[];
  /** Tag names of the tagged series, sorted; optionally only those starting with prefix. */
  tagNames?(prefix?: string, limit?: number): string[];
  /** One tag's values with their series counts, sorted by value. */
  tagValues?(tag: string, prefix?: string, limit?: number): TagValueCount[];
}

/** TreeNodes.kinds bits: a series ends at the node. */
export const TREE_LEAF = 1;
/** TreeNodes.kinds bits: longer series names continue below; a path can be both a leaf and a branch. */
export const TREE_BRANCH = 2;

/**
 * The nodes of the metric tree a find pattern matched, in path order (node by node), read by
 * index: a broad find matches 100k nodes, and an object and a path string each is what it cost.
 * Valid until the tree changes or the next find.
 */
export interface TreeNodes {
  readonly length: number;
  /** Full path of node i: `a.b.c`. */
  path(i: number): string;
  /** Its last component: `c`. */
  name(i: number): string;
  /** TREE_LEAF and/or TREE_BRANCH, per node. */
  readonly kinds: Uint8Array;
  /** Per node, the same number for the same name, below nameIdLimit: groups names without comparing them. */
  readonly nameIds: Int32Array;
  readonly nameIdLimit: number;
}

/** A tag value and how many series have it. */
export interface TagValueCount {
  value: string;
  count: number;
}
