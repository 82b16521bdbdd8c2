/**
 * The store as ingest sees it, with the Scale API's ingest aggregator on the side: every point
 * written through it (carbon plaintext and pickle, StatsD flushes) goes to the store and to the
 * aggregation rules. The aggregates are written to the store itself, never back through here, so
 * an aggregate never feeds a rule.
 *
 * The ids ingest asked for are remembered (a flag by id), and each name's aggregator outputs by
 * series id once looked up, so the hot path is typed-array reads with no string building or Map
 * lookup per point. Names are asked of the store when rules need them, not kept here: a string per
 * series kept a million names on the main thread's heap after a burst of new series, promoted by
 * every scavenge and marked by every full collection, where the store keeps them as bytes.
 */
import { doubledToHold, grown } from '../grown-array.js';
import { nameInBlock, type NameBlock } from '../names/name-block.js';
import { PointBatchBuilder, type PointBatch, type PointWriter } from '../points.js';
import type { IngestAggregator } from '../scale/ingest-aggregator.js';
import { REJECTED_SERIES } from '../store/series-store.js';

/** The store as this writer uses it: ids for names, and back. */
export interface NamedPointWriter extends PointWriter {
  /** The name of series `id`, or undefined if it is none (never made, or deleted). */
  seriesName(id: number): string | undefined;
}

export class AggregatingWriter implements PointWriter {
  /** asked[id] = 1: ingest asked this writer for id (points of other ids are not aggregated). */
  private asked = new Uint8Array(1024);
  /** outputsOf[id] = the aggregator's outputsIndex() of the series' name in `outputsEpoch`; -1: not looked up yet. */
  private outputsOf = new Int32Array(1024).fill(-1);
  private outputsEpoch = -1;
  private readonly output = new PointBatchBuilder(1024);

  constructor(
    private readonly store: NamedPointWriter,
    private readonly aggregator: IngestAggregator,
  ) {}

  seriesId(name: string): number {
    return this.ask(this.store.seriesId(name));
  }

  seriesIdIn(names: NameBlock, k: number): number {
    return this.ask(this.store.seriesIdIn ? this.store.seriesIdIn(names, k) : this.store.seriesId(nameInBlock(names, k)));
  }

  prefetch(names: NameBlock, from: number, to: number): void {
    this.store.prefetch?.(names, from, to);
  }

  /** Notes that ingest asked for series `id` (its points are aggregated); returns it. */
  private ask(id: number): number {
    if (id === REJECTED_SERIES) return id;
    if (id >= this.asked.length) this.asked = grown(this.asked, doubledToHold(this.asked.length, id));
    this.asked[id] = 1;
    return id;
  }

  append(batch: PointBatch): void {
    this.store.append(batch);
    // Without rules the per-point name lookup would be pure overhead (about a quarter of the
    // ingest CPU with 1M new series).
    if (!this.aggregator.hasRules) {
      this.aggregator.countUnmatched(batch.length);
      return;
    }
    const aggregator = this.aggregator;
    if (aggregator.epoch !== this.outputsEpoch) this.forgetOutputs();
    const { seriesIds, timestamps, values } = batch;
    for (let i = 0; i < batch.length; i++) {
      const id = seriesIds[i];
      let outputs = id < this.outputsOf.length ? this.outputsOf[id] : -1;
      if (outputs < 0) {
        if (id >= this.asked.length || this.asked[id] === 0) continue;
        const name = this.store.seriesName(id);
        if (name === undefined) continue;
        outputs = this.lookUpOutputs(id, name);
      }
      aggregator.addAt(outputs, timestamps[i], values[i]);
    }
  }

  /** The aggregator's outputs of a series, kept by id; a lookup that starts a new epoch forgets the others first. */
  private lookUpOutputs(id: number, name: string): number {
    const outputs = this.aggregator.outputsIndex(name);
    if (this.aggregator.epoch !== this.outputsEpoch) this.forgetOutputs();
    if (id >= this.outputsOf.length) this.outputsOf = grown(this.outputsOf, doubledToHold(this.outputsOf.length, id), -1);
    this.outputsOf[id] = outputs;
    return outputs;
  }

  private forgetOutputs(): void {
    this.outputsOf.fill(-1);
    this.outputsEpoch = this.aggregator.epoch;
  }

  /** Writes every finished aggregate to the store; `now` in Unix seconds. Returns the points written. */
  flushAggregates(now: number): number {
    const output = this.output;
    output.clear();
    this.aggregator.flush(now, (name, timestamp, value) => output.push(this.store.seriesId(name), timestamp, value));
    if (output.length > 0) this.store.append(output);
    return output.length;
  }
}
