/**
 * Decoded sealed windows kept for reads: one Float64Array of POINTS_PER_CHUNK slots (NaN = no
 * point) per (series, step, window start), so a repeated read copies slots instead of decoding
 * chunks. Bounded by a byte budget; past it the least recently used windows go first, tracked the
 * CLOCK way (a hit sets a bit, eviction sweeps past set bits clearing them), which keeps a hit free
 * of list updates and allocation. Windows are found through an open-addressing hash table of entry
 * numbers keyed by (series id, step, window index), all typed arrays: a warm sumSeries of 1,000
 * series over 24 h looks up 72,000 windows, which nested Maps made a third of its time.
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
/** The hash table stays at most half full, so probes stay short. */
const MIN_TABLE = 2048;

/** Where a key's probe sequence starts, before masking to the table's size. */
function hashKey(id: number, step: number, windowIndex: number): number {
  // murmur3's finaliser over the three parts: neighbouring ids and windows land far apart.
  let h = (Math.imul(id, 0x9e3779b1) + Math.imul(windowIndex | 0, 0x85ebca77) + Math.imul(step, 0xc2b2ae3d)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class DecodedWindowCache {
  /** Entry + 1 per slot, 0 for an empty slot; linear probing, deletion by backward shift. */
  private table = new Int32Array(MIN_TABLE);
  private mask = MIN_TABLE - 1;
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
    const entry = this.find(id, step, start / (step * POINTS_PER_CHUNK));
    if (entry < 0) return undefined;
    this.used[entry] = 1;
    return this.windows[entry];
  }

  /** The entry holding the key, or -1. */
  private find(id: number, step: number, windowIndex: number): number {
    const { table, mask, ids, steps, windowIndexes } = this;
    id |= 0; // as ids holds it
    for (let slot = hashKey(id, step, windowIndex) & mask; ; slot = (slot + 1) & mask) {
      const entry = table[slot] - 1;
      if (entry < 0) return -1;
      if (ids[entry] === id && windowIndexes[entry] === windowIndex && steps[entry] === step) return entry;
    }
  }

  /**
   * A NaN-filled window to decode into, now cached under the key; undefined when the cache is off or
   * something was invalidated since `generation` was read (the caller decodes elsewhere then).
   */
  insert(id: number, step: number, start: number, generation: number): Float64Array | undefined {
    if (this.capacity === 0 || generation !== this.changes) return undefined;
    const windowIndex = start / (step * POINTS_PER_CHUNK);
    let entry = this.find(id, step, windowIndex);
    if (entry < 0) {
      entry = this.allocate();
      this.ids[entry] = id;
      this.steps[entry] = step;
      this.windowIndexes[entry] = windowIndex;
      this.place(entry);
    }
    this.used[entry] = 1;
    return this.windows[entry].fill(NaN);
  }

  /** Forgets one window: call after its chunk was rewritten, once reads would find the new bytes. */
  invalidate(id: number, step: number, start: number): void {
    this.changes++;
    const entry = this.find(id, step, start / (step * POINTS_PER_CHUNK));
    if (entry >= 0) this.remove(entry);
  }

  private slotOf(entry: number): number {
    return hashKey(this.ids[entry], this.steps[entry], this.windowIndexes[entry]) & this.mask;
  }

  /** Puts an entry whose key is not in the table yet into the table. */
  private place(entry: number): void {
    const { table, mask } = this;
    let slot = this.slotOf(entry);
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = entry + 1;
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
    const { table, mask } = this;
    let hole = this.slotOf(entry);
    while (table[hole] !== entry + 1) hole = (hole + 1) & mask;
    // Backward shift: later entries of the same run move up into the hole when their probe
    // sequence starts at or before it, so lookups never meet a gap before their key.
    for (let slot = (hole + 1) & mask; table[slot] !== 0; slot = (slot + 1) & mask) {
      const home = this.slotOf(table[slot] - 1);
      const staysPut = hole < slot ? hole < home && home <= slot : hole < home || home <= slot;
      if (staysPut) continue;
      table[hole] = table[slot];
      hole = slot;
    }
    table[hole] = 0;
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
    let size = this.table.length;
    while (size < 2 * capacity) size *= 2;
    if (size === this.table.length) return;
    this.table = new Int32Array(size);
    this.mask = size - 1;
    for (let entry = 0; entry < this.windows.length; entry++) if (this.ids[entry] !== FREE) this.place(entry);
  }
}
