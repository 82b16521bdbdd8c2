import type { PointBatch } from '../points.js';
import type { SeriesRange, SeriesStore } from './series-store.js';

export interface MemoryStoreOptions {
  stepSeconds: number;
  retentionSeconds: number;
  /** Wall clock in Unix seconds; points more than one step ahead of it are dropped. */
  now?: () => number;
}

/** Slots per chunk: a series only pays for the parts of its ring it has written to. */
const CHUNK_SLOTS = 1024;
/** Chunks per pooled Float64Array, so 100k series do not mean 100k tiny allocations. */
const SLAB_CHUNKS = 64;
const NO_CHUNK = -1;

/**
 * A fixed-step in-memory store: per series a ring of step slots covering the retention, kept in
 * 1024-slot chunks allocated on first write. Each ring position records which absolute chunk it
 * holds, so a slot left over from an earlier lap is never read as current data.
 *
 * The retention window follows the newest point written (the head), as a whisper file's follows
 * the clock: points older than head - retention are dropped and reads are clipped to it.
 */
export class MemoryStore implements SeriesStore {
  readonly stepSeconds: number;
  readonly retentionSeconds: number;
  /** Points dropped: too old, too far ahead of the clock, or for an unknown series id. */
  droppedPoints = 0;

  private readonly retentionSlots: number;
  private readonly ringChunks: number;
  private readonly now: () => number;
  private readonly ids = new Map<string, number>();
  private readonly nameList: string[] = [];
  /** Per series x ring position: pooled chunk id or NO_CHUNK. */
  private chunkIds: Int32Array;
  /** Per series x ring position: the absolute chunk number (slot >> 10) the chunk holds. */
  private chunkStamps: Int32Array;
  private readonly slabs: Float64Array[] = [];
  private pooledChunks = 0;
  private headTime = -Infinity;

  constructor(options: MemoryStoreOptions) {
    const { stepSeconds, retentionSeconds } = options;
    if (!(Number.isInteger(stepSeconds) && stepSeconds > 0)) {
      throw new RangeError(`stepSeconds must be a positive integer, got ${stepSeconds}`);
    }
    if (!(retentionSeconds >= stepSeconds)) {
      throw new RangeError(`retentionSeconds must be at least one step, got ${retentionSeconds}`);
    }
    this.stepSeconds = stepSeconds;
    this.retentionSeconds = retentionSeconds;
    this.retentionSlots = Math.floor(retentionSeconds / stepSeconds);
    // The readable window of retentionSlots slots can straddle one more chunk than it fills.
    this.ringChunks = Math.ceil(this.retentionSlots / CHUNK_SLOTS) + 1;
    this.now = options.now ?? (() => Date.now() / 1000);
    this.chunkIds = new Int32Array(64 * this.ringChunks).fill(NO_CHUNK);
    this.chunkStamps = new Int32Array(64 * this.ringChunks);
  }

  seriesId(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.nameList.length;
      if ((id + 1) * this.ringChunks > this.chunkIds.length) this.growDirectory();
      this.ids.set(name, id);
      this.nameList.push(name);
    }
    return id;
  }

  append(batch: PointBatch): void {
    const { seriesIds, timestamps, values, length } = batch;
    const step = this.stepSeconds;
    const ringChunks = this.ringChunks;
    const seriesCount = this.nameList.length;
    const latestAllowed = this.now() + step;
    for (let i = 0; i < length; i++) {
      const id = seriesIds[i];
      const t = timestamps[i];
      if (id >= seriesCount || t > latestAllowed) {
        this.droppedPoints++;
        continue;
      }
      if (t > this.headTime) this.headTime = t;
      const slot = Math.floor(t / step);
      if (slot <= Math.floor((this.headTime - this.retentionSeconds) / step)) {
        this.droppedPoints++;
        continue;
      }
      // Division, not shifts: with a 1 s step, slot numbers pass 2^31 in 2038.
      const chunkNo = Math.floor(slot / CHUNK_SLOTS);
      const at = id * ringChunks + (chunkNo % ringChunks);
      let chunk = this.chunkIds[at];
      if (chunk === NO_CHUNK) {
        chunk = this.allocateChunk();
        this.chunkIds[at] = chunk;
        this.chunkStamps[at] = chunkNo;
      } else if (this.chunkStamps[at] !== chunkNo) {
        // A lap behind: recycle the chunk for the new time range.
        const base = chunkBase(chunk);
        this.slabs[chunkSlab(chunk)].fill(NaN, base, base + CHUNK_SLOTS);
        this.chunkStamps[at] = chunkNo;
      }
      this.slabs[chunkSlab(chunk)][chunkBase(chunk) + (slot % CHUNK_SLOTS)] = values[i];
    }
  }

  names(): Iterable<string> {
    return this.nameList.values();
  }

  /**
   * whisper's fetch rule: the range is clipped to [head - retention, head], then values cover
   * slots from floor(from / step) * step + step to floor(until / step) * step + step (exclusive);
   * a range entirely outside the window yields no series at all.
   */
  read(names: readonly string[], from: number, until: number): SeriesRange[] {
    const head = this.headTime;
    const oldest = head - this.retentionSeconds;
    if (!(from <= until) || from > head || until < oldest) return [];
    const step = this.stepSeconds;
    const clippedFrom = Math.floor(Math.max(from, oldest));
    const clippedUntil = Math.floor(Math.min(until, head));
    const start = clippedFrom - (clippedFrom % step) + step;
    let end = clippedUntil - (clippedUntil % step) + step;
    if (end === start) end += step;
    const out: SeriesRange[] = [];
    for (const name of names) {
      const id = this.ids.get(name);
      if (id === undefined) continue;
      out.push({ name, start, end, step, values: this.readSlots(id, start / step, end / step) });
    }
    return out;
  }

  seriesCount(): number {
    return this.nameList.length;
  }

  async close(): Promise<void> {}

  /** Values of slots [fromSlot, untilSlot), copied chunk by chunk; NaN where nothing was written. */
  private readSlots(id: number, fromSlot: number, untilSlot: number): Float64Array {
    const values = new Float64Array(untilSlot - fromSlot);
    let slot = fromSlot;
    while (slot < untilSlot) {
      const chunkNo = Math.floor(slot / CHUNK_SLOTS);
      const segmentEnd = Math.min(untilSlot, (chunkNo + 1) * CHUNK_SLOTS);
      const at = id * this.ringChunks + (chunkNo % this.ringChunks);
      const chunk = this.chunkIds[at];
      if (chunk !== NO_CHUNK && this.chunkStamps[at] === chunkNo) {
        const first = chunkBase(chunk) + (slot % CHUNK_SLOTS);
        values.set(this.slabs[chunkSlab(chunk)].subarray(first, first + segmentEnd - slot), slot - fromSlot);
      } else {
        values.fill(NaN, slot - fromSlot, segmentEnd - fromSlot);
      }
      slot = segmentEnd;
    }
    return values;
  }

  private allocateChunk(): number {
    const chunk = this.pooledChunks++;
    if (chunkSlab(chunk) === this.slabs.length) {
      this.slabs.push(new Float64Array(SLAB_CHUNKS * CHUNK_SLOTS).fill(NaN));
    }
    return chunk;
  }

  private growDirectory(): void {
    const ids = new Int32Array(this.chunkIds.length * 2).fill(NO_CHUNK);
    ids.set(this.chunkIds);
    const stamps = new Int32Array(this.chunkStamps.length * 2);
    stamps.set(this.chunkStamps);
    this.chunkIds = ids;
    this.chunkStamps = stamps;
  }
}

function chunkSlab(chunk: number): number {
  return Math.floor(chunk / SLAB_CHUNKS);
}

/** Offset of a chunk's first slot inside its slab. */
function chunkBase(chunk: number): number {
  return (chunk % SLAB_CHUNKS) * CHUNK_SLOTS;
}
