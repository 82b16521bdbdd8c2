/**
 * The one currency between pipeline stages: a batch of points in parallel typed arrays.
 * Stages hand whole batches over; nothing downstream ever sees one point at a time.
 */
import type { NameBlock } from './names/name-block.js';

export interface PointBatch {
  /** Number of valid entries; the arrays may be longer. */
  readonly length: number;
  readonly seriesIds: Uint32Array;
  /** Unix time in whole seconds. */
  readonly timestamps: Uint32Array;
  readonly values: Float64Array;
}

/** Where ingest writes: the store, or a wrapper of it, seen through the only two calls needed. */
export interface PointWriter {
  /** Id of a series, created on first use; 0xffffffff when refused (the series limit). */
  seriesId(name: string): number;
  append(batch: PointBatch): void;
  /** seriesId() of name k of a block: a plain name (nearly all) is looked up and kept as its bytes, no string made. */
  seriesIdIn?(names: NameBlock, k: number): number;
  /**
   * A hint: seriesIdIn will be asked for names [from, to) of the block soon, most of them new. A
   * store brings what their lookups will read into the CPU caches all at once, rather than miss
   * on each in turn.
   */
  prefetch?(names: NameBlock, from: number, to: number): void;
}

/** A growable batch for producers that do not know their size up front. */
export class PointBatchBuilder implements PointBatch {
  length = 0;
  seriesIds: Uint32Array;
  timestamps: Uint32Array;
  values: Float64Array;

  constructor(initialCapacity = 1024) {
    this.seriesIds = new Uint32Array(initialCapacity);
    this.timestamps = new Uint32Array(initialCapacity);
    this.values = new Float64Array(initialCapacity);
  }

  push(seriesId: number, timestamp: number, value: number): void {
    if (this.length === this.values.length) this.grow();
    const i = this.length++;
    this.seriesIds[i] = seriesId;
    this.timestamps[i] = timestamp;
    this.values[i] = value;
  }

  clear(): void {
    this.length = 0;
  }

  private grow(): void {
    const capacity = this.values.length * 2 || 1024;
    const ids = new Uint32Array(capacity);
    ids.set(this.seriesIds);
    const ts = new Uint32Array(capacity);
    ts.set(this.timestamps);
    const vs = new Float64Array(capacity);
    vs.set(this.values);
    this.seriesIds = ids;
    this.timestamps = ts;
    this.values = vs;
  }
}
