/**
 * Decoded sealed windows kept for reads: one Float64Array of POINTS_PER_CHUNK slots (NaN = no
 * point) per (series, step, window start), so a repeated read copies slots instead of decoding
 * chunks. Bounded by a byte budget; past it the least recently used windows go first, tracked the
 * CLOCK way (a hit sets a bit, eviction sweeps past set bits clearing them), which keeps a hit free
 * of list updates and allocation.
 *
 * Whoever rewrites a sealed chunk calls invalidate() after the new bytes are where reads find them.
 * A read that loaded chunks before such a rewrite must not insert what it loaded: it takes
 * `generation` before loading and passes it to insert(), which refuses when anything was
 * invalidated since.
 */
import { POINTS_PER_CHUNK } from './head.js';

/** Slots plus a rough allowance for the array object and the map entries of one window. */
const ENTRY_BYTES = POINTS_PER_CHUNK * 8 + 160;
const FREE = -1;
const SLAB_WINDOWS = 1024;

export class DecodedWindowCache {
  /** step -> window index (start / window span) -> series id -> entry. */
  private readonly entries = new Map<number, Map<number, Map<number, number>>>();
  private windows: Float64Array[] = [];
  /** The slab new windows are cut from while the cache grows. */
  private slab = new Float64Array(0);
  private ids = new Int32Array(0);
  private steps = new Float64Array(0);
  private windowIndexes = new Float64Array(0);
  private used = new Uint8Array(0);
  private readonly free: number[] = [];
  private hand = 0;
  private changes = 0;
  readonly capacity: number;

  constructor(budgetBytes: number) {
    this.capacity = Math.max(0, Math.floor(budgetBytes / ENTRY_BYTES));
  }

  /** Windows held now. */
  get size(): number {
    return this.windows.length - this.free.length;
  }

  /** Bytes of the windows held now (same rough allowance as the budget). */
  get bytes(): number {
    return this.size * ENTRY_BYTES;
  }

  /** Changes whenever something is invalidated; see insert(). */
  get generation(): number {
    return this.changes;
  }

  /** The cached slots of a window, or undefined; marks the window recently used. */
  get(id: number, step: number, start: number): Float64Array | undefined {
    const entry = this.entries.get(step)?.get(start / (step * POINTS_PER_CHUNK))?.get(id);
    if (entry === undefined) return undefined;
    this.used[entry] = 1;
    return this.windows[entry];
  }

  /**
   * A NaN-filled window to decode into, now cached under the key; undefined when the cache is off or
   * something was invalidated since `generation` was read (the caller decodes elsewhere then).
   */
  insert(id: number, step: number, start: number, generation: number): Float64Array | undefined {
    if (this.capacity === 0 || generation !== this.changes) return undefined;
    const windowIndex = start / (step * POINTS_PER_CHUNK);
    let byWindow = this.entries.get(step);
    if (!byWindow) this.entries.set(step, (byWindow = new Map()));
    let byId = byWindow.get(windowIndex);
    if (!byId) byWindow.set(windowIndex, (byId = new Map()));
    let entry = byId.get(id);
    if (entry === undefined) {
      entry = this.allocate();
      byId.set(id, entry);
      this.ids[entry] = id;
      this.steps[entry] = step;
      this.windowIndexes[entry] = windowIndex;
    }
    this.used[entry] = 1;
    return this.windows[entry].fill(NaN);
  }

  /** Forgets one window: call after its chunk was rewritten, once reads would find the new bytes. */
  invalidate(id: number, step: number, start: number): void {
    this.changes++;
    const windowIndex = start / (step * POINTS_PER_CHUNK);
    const entry = this.entries.get(step)?.get(windowIndex)?.get(id);
    if (entry !== undefined) this.remove(entry);
  }

  /** Forgets every window of a series (it was deleted: its id may come back with other data). */
  invalidateSeries(id: number): void {
    this.changes++;
    // Through the maps: a few hundred windows to look at, not every entry of a full cache.
    for (const byWindow of this.entries.values()) {
      for (const byId of byWindow.values()) {
        const entry = byId.get(id);
        if (entry !== undefined) this.remove(entry);
      }
    }
  }

  /** A free entry: a released one, a new one while under capacity, else the CLOCK victim. */
  private allocate(): number {
    const released = this.free.pop();
    if (released !== undefined) return released;
    const count = this.windows.length;
    if (count < this.capacity) {
      if (count === this.ids.length) this.grow(Math.min(this.capacity, Math.max(1024, count * 2)));
      // Windows are views into shared slabs: one backing store per SLAB_WINDOWS windows, not one each
      // (a 960-byte typed array is allocated off-heap, which cost more than decoding into it).
      const index = count % SLAB_WINDOWS;
      if (index === 0) this.slab = new Float64Array(POINTS_PER_CHUNK * Math.min(SLAB_WINDOWS, this.capacity - count));
      this.windows.push(this.slab.subarray(index * POINTS_PER_CHUNK, (index + 1) * POINTS_PER_CHUNK));
      return count;
    }
    for (;;) {
      const entry = this.hand;
      this.hand = entry + 1 === count ? 0 : entry + 1;
      if (this.ids[entry] === FREE) continue;
      if (this.used[entry] === 1) {
        this.used[entry] = 0;
        continue;
      }
      this.remove(entry);
      return this.free.pop()!;
    }
  }

  private remove(entry: number): void {
    const byWindow = this.entries.get(this.steps[entry])!;
    const byId = byWindow.get(this.windowIndexes[entry])!;
    byId.delete(this.ids[entry]);
    if (byId.size === 0) byWindow.delete(this.windowIndexes[entry]);
    this.ids[entry] = FREE;
    this.used[entry] = 0;
    this.free.push(entry);
  }

  private grow(capacity: number): void {
    const ids = new Int32Array(capacity);
    ids.set(this.ids);
    this.ids = ids;
    const steps = new Float64Array(capacity);
    steps.set(this.steps);
    this.steps = steps;
    const windowIndexes = new Float64Array(capacity);
    windowIndexes.set(this.windowIndexes);
    this.windowIndexes = windowIndexes;
    const used = new Uint8Array(capacity);
    used.set(this.used);
    this.used = used;
  }
}
