/**
 * Main's side of a carbon worker's batches: maps worker-local ids to store series ids (each name
 * resolved once, when the worker first sends it) and appends the batch through the writer.
 *
 * A resolved id stays valid when the store deletes or expires its series: the store never reuses
 * an id and brings a deleted series back when a writer appends to its old id (see
 * StorageEngine.seriesId/revive; the aggregators' FlushWriter relies on the same). A name the
 * series limit refused is asked for again at each of its points, as before the worker existed,
 * so it is taken as soon as there is room and every refused point is counted by the store.
 */
import type { PointWriter } from '../points.js';
import { REJECTED_SERIES } from '../store/series-store.js';
import type { CarbonBatchMessage } from './carbon-protocol.js';

export class CarbonBatchWriter {
  /** seriesOf[localId] = store series id, or REJECTED_SERIES until the store took the name. */
  private seriesOf = new Uint32Array(1024).fill(REJECTED_SERIES);
  /** Names of the local ids without a series yet: new in this batch, or refused so far. */
  private readonly unresolved = new Map<number, string>();

  constructor(private readonly writer: PointWriter) {}

  /** The batch being appended in slices, and how many of its points are appended. */
  private current: CarbonBatchMessage | null = null;
  private done = 0;

  /**
   * Appends the batch's next points, at most `maxPoints`, as one PointBatch, with their `ids`
   * overwritten by series ids; true once the whole batch is appended. Called again with the same
   * batch until then, so a large batch can be spread over several event-loop turns.
   */
  appendNext(batch: CarbonBatchMessage, maxPoints: number): boolean {
    if (batch !== this.current) {
      this.current = batch;
      this.done = 0;
      if (batch.resetNames) {
        this.seriesOf.fill(REJECTED_SERIES);
        this.unresolved.clear();
      }
      this.remember(batch.firstNewId, batch.newNames);
    }
    const { ids, timestamps, values, length } = batch;
    const from = this.done;
    const to = Math.min(length, from + maxPoints);
    const seriesOf = this.seriesOf;
    for (let i = from; i < to; i++) {
      let id = seriesOf[ids[i]];
      if (id === REJECTED_SERIES) id = this.resolve(ids[i]);
      ids[i] = id;
    }
    if (from === 0 && to === length) {
      this.writer.append({ length, seriesIds: ids, timestamps, values });
    } else {
      this.writer.append({ length: to - from, seriesIds: ids.subarray(from, to), timestamps: timestamps.subarray(from, to), values: values.subarray(from, to) });
    }
    this.done = to;
    if (to < length) return false;
    this.current = null;
    return true;
  }

  private remember(firstNewId: number, names: readonly string[]): void {
    const needed = firstNewId + names.length;
    if (needed > this.seriesOf.length) {
      let capacity = this.seriesOf.length;
      while (capacity < needed) capacity *= 2;
      const grown = new Uint32Array(capacity).fill(REJECTED_SERIES);
      grown.set(this.seriesOf);
      this.seriesOf = grown;
    }
    for (let k = 0; k < names.length; k++) this.unresolved.set(firstNewId + k, names[k]);
  }

  /** Asks the store for the series of a name not resolved yet: once per point while it refuses. */
  private resolve(localId: number): number {
    const name = this.unresolved.get(localId);
    if (name === undefined) return REJECTED_SERIES;
    const id = this.writer.seriesId(name);
    if (id !== REJECTED_SERIES) {
      this.seriesOf[localId] = id;
      this.unresolved.delete(localId);
    }
    return id;
  }
}
