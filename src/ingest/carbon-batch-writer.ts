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

  /** Appends the batch as one PointBatch; its `ids` are overwritten with series ids. */
  write(batch: CarbonBatchMessage): void {
    if (batch.resetNames) {
      this.seriesOf.fill(REJECTED_SERIES);
      this.unresolved.clear();
    }
    this.remember(batch.firstNewId, batch.newNames);
    const { ids, length } = batch;
    const seriesOf = this.seriesOf;
    for (let i = 0; i < length; i++) {
      let id = seriesOf[ids[i]];
      if (id === REJECTED_SERIES) id = this.resolve(ids[i]);
      ids[i] = id;
    }
    this.writer.append({ length, seriesIds: ids, timestamps: batch.timestamps, values: batch.values });
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
