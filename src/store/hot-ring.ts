/**
 * Sealed chunks of the finest archive kept in memory (the hot tier). Every chunk here is already
 * in LevelDB, so leaving memory never loses data: past the byte budget the oldest windows go first.
 *
 * Chunks are copied into per-window slabs instead of living in their own small buffers (each of
 * which would cost several hundred bytes of allocator and object overhead), and located through
 * per-window typed arrays indexed by series id: the budget counts the memory actually held.
 */
import { doubledToHold, grown } from '../grown-array.js';
const MIN_SLAB_BYTES = 64 * 1024;
const MAX_SLAB_BYTES = 4 * 1024 * 1024;

class WindowChunks {
  readonly slabs: Uint8Array[] = [];
  /** Free bytes at the end of the last slab. */
  private tail = 0;
  /** Per series id: slab index + 1 (0 = no chunk), offset and length in that slab. */
  slabOf = new Uint16Array(0);
  offsetOf = new Uint32Array(0);
  lengthOf = new Uint32Array(0);
  bytes = 0;
  /** Slab bytes allocated since the last trim: sizes the next slab. */
  private sinceTrim = 0;

  get(id: number): Uint8Array | undefined {
    if (id >= this.slabOf.length || this.slabOf[id] === 0) return undefined;
    const offset = this.offsetOf[id];
    return this.slabs[this.slabOf[id] - 1].subarray(offset, offset + this.lengthOf[id]);
  }

  /** Stores a copy (a replaced chunk's space is reclaimed with the window); returns the copy. */
  put(id: number, chunk: Uint8Array): Uint8Array {
    this.ensure(id);
    if (this.tail < chunk.length) {
      // Each new slab is as large as what was added since the last trim: little waste when only a
      // late point's chunk comes after a trim, few slabs when a whole sealing pass does (the slab
      // index is 16-bit, so slab sizes must keep growing).
      const size = Math.min(MAX_SLAB_BYTES, Math.max(MIN_SLAB_BYTES, this.sinceTrim));
      const slab = new Uint8Array(Math.max(size, chunk.length));
      this.slabs.push(slab);
      this.tail = slab.length;
      this.sinceTrim += slab.length;
      this.bytes += slab.length;
    }
    const slab = this.slabs[this.slabs.length - 1];
    const offset = slab.length - this.tail;
    slab.set(chunk, offset);
    this.tail -= chunk.length;
    this.slabOf[id] = this.slabs.length;
    this.offsetOf[id] = offset;
    this.lengthOf[id] = chunk.length;
    return slab.subarray(offset, offset + chunk.length);
  }

  remove(id: number): void {
    if (id < this.slabOf.length) this.slabOf[id] = 0;
  }

  /**
   * Gives back what growth reserved: the unused end of the last slab (up to half of the window when
   * slabs double) and location entries past the highest series id. Chunks keep their offsets.
   */
  trim(idLimit: number): void {
    this.sinceTrim = 0;
    if (this.tail > 0 && this.slabs.length > 0) {
      const last = this.slabs.length - 1;
      this.slabs[last] = this.slabs[last].slice(0, this.slabs[last].length - this.tail);
      this.bytes -= this.tail;
      this.tail = 0;
    }
    const capacity = Math.max(1024, idLimit);
    if (capacity < this.slabOf.length) {
      this.bytes -= (this.slabOf.length - capacity) * 10;
      this.slabOf = this.slabOf.slice(0, capacity);
      this.offsetOf = this.offsetOf.slice(0, capacity);
      this.lengthOf = this.lengthOf.slice(0, capacity);
    }
  }

  private ensure(id: number): void {
    if (id < this.slabOf.length) return;
    const size = doubledToHold(Math.max(1024, this.slabOf.length), id);
    this.bytes += (size - this.slabOf.length) * 10;
    this.slabOf = grown(this.slabOf, size);
    this.offsetOf = grown(this.offsetOf, size);
    this.lengthOf = grown(this.lengthOf, size);
  }
}

export class HotRing {
  private readonly windows = new Map<number, WindowChunks>();
  private total = 0;

  constructor(private readonly budgetBytes: number) {}

  /** Memory held, slabs and location arrays included. */
  get bytes(): number {
    return this.total;
  }

  get(id: number, start: number): Uint8Array | undefined {
    return this.windows.get(start)?.get(id);
  }

  /** Oldest window start still held (Infinity when empty). */
  oldestWindow(): number {
    let oldest = Infinity;
    for (const start of this.windows.keys()) oldest = Math.min(oldest, start);
    return oldest;
  }

  /**
   * Adds or replaces a series' chunk; returns the ring's copy, a view of one of its slabs. The
   * copy's bytes never change, even once the ring lets go of it: a LevelDB batch takes such a
   * view without the cost of a small buffer of its own.
   */
  put(id: number, start: number, chunk: Uint8Array): Uint8Array {
    let window = this.windows.get(start);
    if (!window) this.windows.set(start, (window = new WindowChunks()));
    const before = window.bytes;
    const copy = window.put(id, chunk);
    this.total += window.bytes - before;
    while (this.total > this.budgetBytes && this.windows.size > 1) this.evictWindow(this.oldestWindow());
    return copy;
  }

  /** Drops every window that starts before `start` (older than the hot window). */
  evictBefore(start: number): void {
    for (const window of [...this.windows.keys()]) if (window < start) this.evictWindow(window);
  }

  /**
   * Trims every window to what it holds; the engine calls this once a sweep has sealed a window's
   * chunks, so the budget counts chunk bytes rather than room reserved for more.
   */
  trim(idLimit: number): void {
    for (const window of this.windows.values()) {
      const before = window.bytes;
      window.trim(idLimit);
      this.total += window.bytes - before;
    }
  }

  deleteSeries(id: number): void {
    for (const window of this.windows.values()) window.remove(id);
  }

  private evictWindow(start: number): void {
    const window = this.windows.get(start);
    if (!window) return;
    this.total -= window.bytes;
    this.windows.delete(start);
  }
}
