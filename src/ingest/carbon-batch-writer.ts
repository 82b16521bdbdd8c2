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
import { doubledToHold, grown } from '../grown-array.js';
import { nameInBlock } from '../names/name-block.js';
import type { PointWriter } from '../points.js';
import { REJECTED_SERIES } from '../store/series-store.js';
import type { CarbonBatchMessage } from './carbon-protocol.js';

/** New names readied per PointWriter.prefetch: their table slots stay well inside the CPU caches. */
const PREFETCH_NAMES = 256;

export class CarbonBatchWriter {
  /** seriesOf[localId] = store series id, or REJECTED_SERIES until the store took the name. */
  private seriesOf = new Uint32Array(1024).fill(REJECTED_SERIES);
  /**
   * Names of the local ids the store refused in earlier batches. The current batch's new names
   * are read from the batch itself: a Map entry set and deleted per new name cost main about a
   * tenth of a new series' work.
   */
  private readonly refused = new Map<number, string>();

  constructor(private readonly writer: PointWriter) {}

  /** The batch being appended in slices, and how many of its points are appended. */
  private current: CarbonBatchMessage | null = null;
  private done = 0;
  /** The current batch's new names from this index on are not prefetched yet (PointWriter.prefetch). */
  private prefetched = 0;

  /**
   * Appends the batch's next points, at most `maxPoints` and at most `maxNewNames` of them of a
   * series not resolved yet (each costs the store a lookup and maybe a new series), as one
   * PointBatch, with their `ids` overwritten by series ids; true once the whole batch is
   * appended. Called again with the same batch until then, so a large batch can be spread over
   * several event-loop turns.
   */
  appendNext(batch: CarbonBatchMessage, maxPoints: number, maxNewNames = Infinity): boolean {
    if (batch !== this.current) {
      this.current = batch;
      this.done = 0;
      this.prefetched = 0;
      if (batch.resetNames) {
        this.seriesOf.fill(REJECTED_SERIES);
        this.refused.clear();
      }
      this.makeRoom(batch.firstNewId + batch.newNames.count);
    }
    const { ids, timestamps, values, length } = batch;
    const from = this.done;
    const last = Math.min(length, from + maxPoints);
    const seriesOf = this.seriesOf;
    let resolved = 0;
    let to = from;
    for (; to < last; to++) {
      let id = seriesOf[ids[to]];
      if (id === REJECTED_SERIES) {
        // At least one point per slice, so a batch always makes progress.
        if (resolved >= maxNewNames && to > from) break;
        resolved++;
        id = this.resolve(batch, ids[to]);
      }
      ids[to] = id;
    }
    if (from === 0 && to === length) {
      this.writer.append({ length, seriesIds: ids, timestamps, values });
    } else {
      this.writer.append({ length: to - from, seriesIds: ids.subarray(from, to), timestamps: timestamps.subarray(from, to), values: values.subarray(from, to) });
    }
    this.done = to;
    if (to < length) return false;
    this.keepRefused(batch);
    this.current = null;
    return true;
  }

  private makeRoom(needed: number): void {
    if (needed <= this.seriesOf.length) return;
    this.seriesOf = grown(this.seriesOf, doubledToHold(this.seriesOf.length, needed - 1), REJECTED_SERIES);
  }

  /** Asks the store for the series of a name not resolved yet: once per point while it refuses. */
  private resolve(batch: CarbonBatchMessage, localId: number): number {
    const names = batch.newNames;
    const k = localId - batch.firstNewId;
    let id: number;
    if (k >= 0 && k < names.count) {
      if (k >= this.prefetched && this.writer.prefetch) {
        // New names mostly come in the order of their first points: the next ones are asked for soon.
        this.prefetched = Math.min(names.count, k + PREFETCH_NAMES);
        this.writer.prefetch(names, k, this.prefetched);
      }
      id = this.writer.seriesIdIn ? this.writer.seriesIdIn(names, k) : this.writer.seriesId(nameInBlock(names, k));
    } else {
      const name = this.refused.get(localId);
      if (name === undefined) return REJECTED_SERIES;
      id = this.writer.seriesId(name);
      if (id !== REJECTED_SERIES) this.refused.delete(localId);
    }
    if (id !== REJECTED_SERIES) this.seriesOf[localId] = id;
    return id;
  }

  /** The batch's new names the store refused, kept to be asked for again at their later points. */
  private keepRefused(batch: CarbonBatchMessage): void {
    const { firstNewId, newNames } = batch;
    for (let k = 0; k < newNames.count; k++) {
      if (this.seriesOf[firstNewId + k] === REJECTED_SERIES) this.refused.set(firstNewId + k, nameInBlock(newNames, k));
    }
  }
}
