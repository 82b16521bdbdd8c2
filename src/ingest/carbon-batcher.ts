/**
 * The carbon worker's side of a batch: parsed points become (local id, timestamp, value) in typed
 * arrays, each series name interned to a dense worker-local id that is sent to main once. A batch
 * is sent when it is full or has many new names; otherwise the caller flushes it once per I/O turn.
 * Main bounds its own work per event-loop turn by appending a batch in slices (carbon-listeners.ts).
 */
import type { CarbonBatchMessage } from './carbon-protocol.js';
import type { CarbonSink } from './carbon-plaintext-parser.js';
import { blockBuffers, NameBlockBuilder } from '../names/name-block.js';
import { NameTable } from '../names/name-table.js';

export interface CarbonBatcherLimits {
  /** Points per batch. */
  maxPoints: number;
  /** First-seen names per batch. */
  maxNewNames: number;
  /** Names remembered before all are forgotten (a bound on memory under series churn). */
  maxNames: number;
}

export const DEFAULT_BATCHER_LIMITS: CarbonBatcherLimits = {
  // Each message costs both threads a fixed overhead (clone, transfer, wake-ups, ack): 4096
  // points instead of 1024 cut CPU per point in the carbon ingest bench from 206-228 to 144-156
  // ns on main and from 189-217 to 144-161 on the worker. Main appends a batch in slices
  // (carbon-listeners.ts), so a scale poll still waits behind 1024 points at most.
  maxPoints: 4096,
  // As many as points: main slices a batch by new names itself. Batches cut at 256 new names
  // made a burst of new series cost a message, a wake-up and an acknowledgement per 256 points.
  maxNewNames: 4096,
  maxNames: 1 << 22,
};

export type SendBatch = (batch: CarbonBatchMessage, transfer: ArrayBuffer[]) => void;

interface Arrays {
  ids: Uint32Array;
  timestamps: Uint32Array;
  values: Float64Array;
}

export class CarbonBatcher implements CarbonSink {
  /**
   * Names by local id, found through a NameTable (a Map of a million names cost more than parsing
   * them); only those seriesOf looked up. Ids the parser gives out through newSeries keep no
   * string here: it finds their names by their bytes, and a million strings kept on this thread
   * as well as on main were garbage collection work on both.
   */
  private names: (string | undefined)[] = [];
  private localIds = new NameTable(this.names);
  /** Names of the ids from firstNewId on, sent with the next batch. */
  private newNames = new NameBlockBuilder();
  private nextId = 0;
  private arrays: Arrays;
  /** Arrays main has handed back, reused instead of allocating. */
  private readonly spare: Arrays[] = [];
  /** Names from this id on are new since the last batch: main learns them with it. */
  private firstNewId = 0;
  private resetNames = false;
  /** Points in the batch being filled. */
  length = 0;
  /** Sequence number of the batch being filled. */
  seq = 1;
  /** Points taken since the start, so a caller can tell whether a parse produced any. */
  points = 0;

  constructor(
    private readonly send: SendBatch,
    private readonly limits: CarbonBatcherLimits = DEFAULT_BATCHER_LIMITS,
  ) {
    this.arrays = this.allocate();
  }

  /** Changes when the names are forgotten (see maxNames): local ids handed out before are void. */
  epoch = 0;

  /** The local id of a name; a new one is sent to main with the batch of its first point. */
  seriesOf(name: string): number {
    let id = this.localIds.find(name);
    if (id < 0) {
      id = this.newSeries(name);
      while (this.names.length < id) this.names.push(undefined);
      this.names[id] = name;
      this.localIds.insert(name, id);
    }
    return id;
  }

  /**
   * A new local id for a name, without looking it up (nor remembering it for seriesOf). A name
   * with an id already gets a second one, which main maps to the same series.
   */
  newSeries(name: string): number {
    if (this.nextId >= this.limits.maxNames) this.forgetNames();
    // names[id] stays unset: seriesOf fills the ids before it when it sets one. A push per new
    // name grew an array of a million holes on this thread's heap, promoted and marked.
    this.newNames.addString(name);
    return this.nextId++;
  }

  /** newSeries() of a plain name (ASCII, untagged, normalised) given as its bytes (and maybe its hashes: addPlain's path): no string made. */
  newPlainSeries(bytes: Uint8Array, start: number, end: number, path?: Int32Array): number {
    if (this.nextId >= this.limits.maxNames) this.forgetNames();
    this.newNames.addPlain(bytes, start, end, path);
    return this.nextId++;
  }

  /** Adds a point of the series with local id `series` (from seriesOf). */
  point(series: number, value: number, timestamp: number): void {
    const i = this.length++;
    const a = this.arrays;
    a.ids[i] = series;
    a.timestamps[i] = timestamp;
    a.values[i] = value;
    this.points++;
    if (this.length >= this.limits.maxPoints || this.nextId - this.firstNewId >= this.limits.maxNewNames) this.flush();
  }

  /** Sequence number of the latest batch holding a point: sent already, or the one being filled. */
  latestSeq(): number {
    return this.length > 0 ? this.seq : this.seq - 1;
  }

  /** Sends the batch being filled, if it has points. */
  flush(): void {
    if (this.length === 0) return;
    const { ids, timestamps, values } = this.arrays;
    const newNames = this.newNames.take();
    const batch: CarbonBatchMessage = {
      type: 'batch',
      seq: this.seq++,
      length: this.length,
      ids,
      timestamps,
      values,
      resetNames: this.resetNames,
      firstNewId: this.firstNewId,
      newNames,
    };
    this.arrays = this.spare.pop() ?? this.allocate();
    this.length = 0;
    this.resetNames = false;
    this.firstNewId = this.nextId;
    this.send(batch, [ids.buffer as ArrayBuffer, timestamps.buffer as ArrayBuffer, values.buffer as ArrayBuffer, ...blockBuffers(newNames)]);
  }

  /** Takes back the arrays of an acknowledged batch. */
  recycle(ids: Uint32Array, timestamps: Uint32Array, values: Float64Array): void {
    if (values.length >= this.limits.maxPoints) this.spare.push({ ids, timestamps, values });
  }

  private forgetNames(): void {
    this.flush(); // its ids belong to the names being forgotten
    this.names = [];
    this.newNames.take(); // names of ids with no point yet (none sent): forgotten with the rest
    this.localIds = new NameTable(this.names);
    this.epoch++;
    this.nextId = 0;
    this.firstNewId = 0;
    this.resetNames = true;
  }

  private allocate(): Arrays {
    const n = this.limits.maxPoints;
    return { ids: new Uint32Array(n), timestamps: new Uint32Array(n), values: new Float64Array(n) };
  }
}
