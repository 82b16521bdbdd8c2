/**
 * The open head of the finest archive: for each series up to two open chunk windows (the current
 * one and the one before it, still taking late points until it is sealed), each a block of
 * fixed-step slots. Blocks come from shared slabs and return to a free list when sealed, so
 * memory follows the number of series with recent data, not the number ever seen.
 */
export const POINTS_PER_CHUNK = 120;
const BLOCKS_PER_SLAB = 1024;
const NONE = -1;

export class Head {
  private readonly slabs: Float64Array[] = [];
  private readonly freeBlocks: number[] = [];
  private blockCount = 0;
  /** windowStart[parity][id] + 1 of the open window (0 = none); block[parity][id] its block. */
  private windowPlusOne: [Uint32Array, Uint32Array] = [new Uint32Array(1024), new Uint32Array(1024)];
  private block: [Int32Array, Int32Array] = [new Int32Array(1024).fill(NONE), new Int32Array(1024).fill(NONE)];
  private open = 0;

  /** Number of open windows. */
  get openWindows(): number {
    return this.open;
  }

  get bytes(): number {
    return this.slabs.length * BLOCKS_PER_SLAB * POINTS_PER_CHUNK * 8;
  }

  /** Window start of the open window with this parity, or -1. */
  windowAt(id: number, parity: number): number {
    if (id >= this.windowPlusOne[0].length) return -1;
    return this.windowPlusOne[parity][id] - 1;
  }

  /** Slots of an open window: values[offset .. offset + POINTS_PER_CHUNK). */
  slots(id: number, parity: number): { values: Float64Array; offset: number } {
    const b = this.block[parity][id];
    return { values: this.slabs[Math.floor(b / BLOCKS_PER_SLAB)], offset: (b % BLOCKS_PER_SLAB) * POINTS_PER_CHUNK };
  }

  /** Writes into the window if it is open; returns false if that parity holds another window. */
  write(id: number, windowStart: number, parity: number, slot: number, value: number): boolean {
    this.ensure(id);
    const current = this.windowPlusOne[parity][id];
    if (current !== windowStart + 1) {
      if (current !== 0) return false;
      this.windowPlusOne[parity][id] = windowStart + 1;
      this.block[parity][id] = this.allocate();
      this.open++;
    }
    const b = this.block[parity][id];
    this.slabs[Math.floor(b / BLOCKS_PER_SLAB)][(b % BLOCKS_PER_SLAB) * POINTS_PER_CHUNK + slot] = value;
    return true;
  }

  /** Closes a window and frees its block. */
  release(id: number, parity: number): void {
    const b = this.block[parity][id];
    if (b === NONE) return;
    this.freeBlocks.push(b);
    this.block[parity][id] = NONE;
    this.windowPlusOne[parity][id] = 0;
    this.open--;
  }

  private allocate(): number {
    let b = this.freeBlocks.pop();
    if (b === undefined) {
      if (this.blockCount % BLOCKS_PER_SLAB === 0) this.slabs.push(new Float64Array(BLOCKS_PER_SLAB * POINTS_PER_CHUNK));
      b = this.blockCount++;
    }
    const slab = this.slabs[Math.floor(b / BLOCKS_PER_SLAB)];
    const offset = (b % BLOCKS_PER_SLAB) * POINTS_PER_CHUNK;
    slab.fill(NaN, offset, offset + POINTS_PER_CHUNK);
    return b;
  }

  private ensure(id: number): void {
    const length = this.windowPlusOne[0].length;
    if (id < length) return;
    let capacity = length;
    while (capacity <= id) capacity *= 2;
    for (const parity of [0, 1]) {
      const w = new Uint32Array(capacity);
      w.set(this.windowPlusOne[parity]);
      this.windowPlusOne[parity] = w;
      const b = new Int32Array(capacity).fill(NONE);
      b.set(this.block[parity]);
      this.block[parity] = b;
    }
  }
}
