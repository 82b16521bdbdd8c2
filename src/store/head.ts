/**
 * The open head of the finest archive: for each series up to two open chunk windows (the current
 * one and the one before it, still taking late points until it is sealed), each a block of
 * fixed-step slots. Blocks come from shared slabs and return to a free list when sealed, so
 * memory follows the number of series with recent data, not the number ever seen.
 *
 * A window starts in a small block covering a few slots from its first point on and moves to a
 * whole window's block when a point falls outside it: a million new series with a few points each
 * then cost 64 bytes of head each, not a window's 960, and a steady series pays one 8-slot copy per
 * window.
 *
 * Steady series all reach their window's ninth slot at the same flush (windows are aligned), and
 * the first time that needs fresh memory: for 500k series, 480 MB of new pages, which a VM
 * faults in at a few microseconds a page (1.4 s of main-thread CPU in one burst, in a soak at 2M
 * StatsD lines/s). `reserveWholeBlocks` lets the sweep create those blocks ahead, paced.
 */
import { doubledToHold, grown } from '../grown-array.js';
export const POINTS_PER_CHUNK = 120;
const CLASS_SLOTS_SMALL = 8;
/** A small block with this many slots written is expected to outgrow it soon. */
const GROWING_SLOTS = CLASS_SLOTS_SMALL / 2;
/** Slots per block of each size class; the last class is a whole window (its blocks start at slot 0). */
const CLASS_SLOTS = [CLASS_SLOTS_SMALL, POINTS_PER_CHUNK] as const;
const FULL_CLASS = CLASS_SLOTS.length - 1;
/** Blocks per slab of each class, a power of two (slabs of 256 KiB and 960 KiB). */
const SLAB_SHIFT = [12, 10] as const;
/** A block handle is index * 4 + class. */
const CLASS_BITS = 2;
const CLASS_MASK = (1 << CLASS_BITS) - 1;
const NONE = -1;

/** Blocks of one size: slabs of `slots`-slot blocks, and the indexes of freed ones. */
class BlockPool {
  readonly slabs: Float64Array[] = [];
  private readonly free: number[] = [];
  private count = 0;
  /** Block b is in slab b >> shift, at slot (b & mask) * slots. */
  readonly mask: number;

  constructor(
    readonly slots: number,
    readonly shift: number,
  ) {
    this.mask = (1 << shift) - 1;
  }

  get bytes(): number {
    return this.slabs.length * (this.mask + 1) * this.slots * 8;
  }

  /** Blocks that can be handed out without creating a slab: freed ones and the rest of the last slab. */
  get spare(): number {
    return this.free.length + this.slabs.length * (this.mask + 1) - this.count;
  }

  /**
   * Creates a slab, every slot NaN, so that blocks never handed out need no filling. Called ahead
   * of need, its pages are written now rather than by the allocate() that reaches it.
   */
  addSlab(): void {
    this.slabs.push(new Float64Array((this.mask + 1) * this.slots).fill(NaN));
  }

  /** A block index with every slot NaN. */
  allocate(): number {
    const reused = this.free.pop();
    if (reused === undefined) {
      if (this.count === this.slabs.length * (this.mask + 1)) this.addSlab();
      return this.count++;
    }
    const offset = this.offset(reused);
    const slab = this.slab(reused);
    // A small block by a loop: fill() is a builtin call, a third of a new series' head work.
    if (this.slots <= 16) for (let i = offset; i < offset + this.slots; i++) slab[i] = NaN;
    else slab.fill(NaN, offset, offset + this.slots);
    return reused;
  }

  release(b: number): void {
    this.free.push(b);
  }

  slab(b: number): Float64Array {
    return this.slabs[b >> this.shift];
  }

  offset(b: number): number {
    return (b & this.mask) * this.slots;
  }
}

export interface HeldBlock {
  values: Float64Array;
  offset: number;
  firstSlot: number;
  slots: number;
}

export class Head {
  private readonly pools = CLASS_SLOTS.map((slots, cls) => new BlockPool(slots, SLAB_SHIFT[cls]));
  /** windowStart[parity][id] + 1 of the open window (0 = none); blocks[parity][id] its block handle. */
  private windowPlusOne: [Uint32Array, Uint32Array] = [new Uint32Array(1024), new Uint32Array(1024)];
  private blocks: [Int32Array, Int32Array] = [new Int32Array(1024).fill(NONE), new Int32Array(1024).fill(NONE)];
  /** First window slot the block holds. */
  private base: [Uint8Array, Uint8Array] = [new Uint8Array(1024), new Uint8Array(1024)];
  /** A small block spread onto a whole window's slots, for slots(). */
  private readonly spread = new Float64Array(POINTS_PER_CHUNK);
  private open = 0;

  /** Number of open windows. */
  get openWindows(): number {
    return this.open;
  }

  get bytes(): number {
    let total = 0;
    for (const pool of this.pools) total += pool.bytes;
    return total;
  }

  /** Window start of the open window with this parity, or -1. */
  windowAt(id: number, parity: number): number {
    if (id >= this.windowPlusOne[0].length) return -1;
    return this.windowPlusOne[parity][id] - 1;
  }

  /**
   * Slots of an open window: values[offset .. offset + POINTS_PER_CHUNK). A window in a small block
   * is spread into `spreadInto` (POINTS_PER_CHUNK long), by default a buffer that the next call
   * reuses: read it before calling again, or pass a buffer of your own to keep several.
   */
  slots(id: number, parity: number, spreadInto: Float64Array = this.spread): { values: Float64Array; offset: number } {
    const handle = this.blocks[parity][id];
    const cls = handle & CLASS_MASK;
    const pool = this.pools[cls];
    const b = handle >> CLASS_BITS;
    if (cls === FULL_CLASS) return { values: pool.slab(b), offset: pool.offset(b) };
    const offset = pool.offset(b);
    spreadInto.fill(NaN);
    spreadInto.set(pool.slab(b).subarray(offset, offset + pool.slots), this.base[parity][id]);
    return { values: spreadInto, offset: 0 };
  }

  /**
   * The block of an open window as it is held: window slots [firstSlot, firstSlot + slots) are
   * values[offset ...]. The same object is returned each time: read it before calling again.
   */
  block(id: number, parity: number): HeldBlock {
    const handle = this.blocks[parity][id];
    const pool = this.pools[handle & CLASS_MASK];
    const b = handle >> CLASS_BITS;
    const held = this.held;
    held.values = pool.slab(b);
    held.offset = pool.offset(b);
    held.firstSlot = this.base[parity][id];
    held.slots = pool.slots;
    return held;
  }

  private readonly held: HeldBlock = { values: new Float64Array(0), offset: 0, firstSlot: 0, slots: 0 };

  /** Writes into the window if it is open; returns false if that parity holds another window. */
  write(id: number, windowStart: number, parity: number, slot: number, value: number): boolean {
    if (id >= this.windowPlusOne[0].length) this.ensure(id);
    const current = this.windowPlusOne[parity][id];
    if (current !== windowStart + 1) {
      if (current !== 0) return false;
      this.openWindow(id, windowStart, parity, slot);
    }
    let handle = this.blocks[parity][id];
    let at = slot - this.base[parity][id];
    if (at < 0 || at >= CLASS_SLOTS[handle & CLASS_MASK]) {
      handle = this.grow(id, parity, slot);
      at = slot - this.base[parity][id];
    }
    const pool = this.pools[handle & CLASS_MASK];
    const b = handle >> CLASS_BITS;
    pool.slabs[b >> pool.shift][(b & pool.mask) * pool.slots + at] = value;
    return true;
  }

  private openWindow(id: number, windowStart: number, parity: number, slot: number): void {
    this.windowPlusOne[parity][id] = windowStart + 1;
    this.blocks[parity][id] = this.pools[0].allocate() << CLASS_BITS;
    this.base[parity][id] = Math.min(slot, POINTS_PER_CHUNK - CLASS_SLOTS[0]);
    this.open++;
  }

  /** Moves a window to the smallest larger block that covers both its slots and `slot`. */
  private grow(id: number, parity: number, slot: number): number {
    const handle = this.blocks[parity][id];
    const cls = handle & CLASS_MASK;
    const pool = this.pools[cls];
    const b = handle >> CLASS_BITS;
    const base = this.base[parity][id];
    const low = Math.min(base, slot);
    const span = Math.max(base + pool.slots - 1, slot) - low + 1;
    let to = cls + 1;
    while (CLASS_SLOTS[to] < span) to++;
    const target = this.pools[to];
    const nb = target.allocate();
    const newBase = Math.min(low, POINTS_PER_CHUNK - target.slots);
    const from = pool.offset(b);
    target.slab(nb).set(pool.slab(b).subarray(from, from + pool.slots), target.offset(nb) + base - newBase);
    pool.release(b);
    const moved = (nb << CLASS_BITS) | to;
    this.blocks[parity][id] = moved;
    this.base[parity][id] = newBase;
    return moved;
  }

  /**
   * Open windows among ids [from, to) in a small block with at least half its slots written: they
   * will likely move to a whole window's block soon.
   */
  countGrowing(from: number, to: number): number {
    const small = this.pools[0];
    let growing = 0;
    const end = Math.min(to, this.blocks[0].length);
    for (const parity of [0, 1]) {
      const blocks = this.blocks[parity];
      for (let id = from; id < end; id++) {
        const handle = blocks[id];
        if (handle === NONE || (handle & CLASS_MASK) !== 0) continue;
        const b = handle >> CLASS_BITS;
        const slab = small.slabs[b >> small.shift];
        const offset = (b & small.mask) * small.slots;
        let written = 0;
        for (let i = offset; i < offset + small.slots; i++) if (slab[i] === slab[i]) written++;
        if (written >= GROWING_SLOTS) growing++;
      }
    }
    return growing;
  }

  /**
   * Creates one slab of whole-window blocks if fewer than `wanted` are spare; returns whether it
   * did (call again, pacing the calls, until it returns false).
   */
  reserveWholeBlocks(wanted: number): boolean {
    const whole = this.pools[FULL_CLASS];
    if (whole.spare >= wanted) return false;
    whole.addSlab();
    return true;
  }

  /** Ids the head has room for (the bound for countGrowing). */
  get idCapacity(): number {
    return this.blocks[0].length;
  }

  /** Closes a window and frees its block. */
  release(id: number, parity: number): void {
    if (id >= this.blocks[0].length) return;
    const handle = this.blocks[parity][id];
    if (handle === NONE) return;
    this.pools[handle & CLASS_MASK].release(handle >> CLASS_BITS);
    this.blocks[parity][id] = NONE;
    this.windowPlusOne[parity][id] = 0;
    this.open--;
  }

  private ensure(id: number): void {
    const length = this.windowPlusOne[0].length;
    if (id < length) return;
    const size = doubledToHold(length, id);
    for (const parity of [0, 1]) {
      this.windowPlusOne[parity] = grown(this.windowPlusOne[parity], size);
      this.blocks[parity] = grown(this.blocks[parity], size, NONE);
      this.base[parity] = grown(this.base[parity], size);
    }
  }
}
