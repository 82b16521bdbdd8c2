/**
 * Decoded sealed windows kept for reads: POINTS_PER_CHUNK slots (NaN = no point) per (series, step,
 * window start), so a repeated read copies slots instead of decoding chunks. Bounded by a byte
 * budget; past it the least recently used windows go first, tracked the CLOCK way (a hit sets a
 * bit, eviction sweeps past set bits clearing them), which keeps a hit free of list updates and
 * allocation.
 *
 * Everything is typed arrays, no object per window (a full cache holds ~480k windows; objects would
 * all be marked by every major GC). A window's slots are in a slab of SLAB_WINDOWS windows: entry e
 * is slab(e) from offset(e). Windows are found in groups of GROUP consecutive windows of one series
 * and step, through an open-addressing hash table of groups: a warm read of a series over 24 h at
 * 10 s finds its 72 windows with about five probes, remembered from one find() to the next, instead
 * of 72 random accesses into a large table.
 *
 * Whoever rewrites a sealed chunk calls invalidate() after the new bytes are where reads find them.
 * A read that loaded chunks before such a rewrite must not insert what it loaded: it takes
 * `generation` before loading and passes it to insert(), which refuses when anything was
 * invalidated since.
 */
import { POINTS_PER_CHUNK } from './head.js';
import { murmurFinalise } from '../murmur-finaliser.js';

/** Slots plus a rough allowance for the bookkeeping of one window. */
const ENTRY_BYTES = POINTS_PER_CHUNK * 8 + 160;
const FREE = -1;
const SLAB_BITS = 10;
const SLAB_WINDOWS = 1 << SLAB_BITS;
const GROUP_BITS = 4;
const GROUP = 1 << GROUP_BITS;
/** The hash table stays at most half full, so probes stay short. */
const MIN_TABLE = 1024;

/** Where a group's probe sequence starts, before masking to the table's size. */
function hashKey(id: number, step: number, groupIndex: number): number {
  // murmur3's finaliser over the three parts: neighbouring ids and groups land far apart.
  return murmurFinalise((Math.imul(id, 0x9e3779b1) + Math.imul(groupIndex | 0, 0x85ebca77) + Math.imul(step, 0xc2b2ae3d)) | 0);
}

export class DecodedWindowCache {
  // Entries (windows).
  private readonly slabs: Float64Array[] = [];
  private entries = 0;
  /** The group holding each entry, FREE for a released one. */
  private entryGroups = new Int32Array(0);
  private entryLanes = new Uint8Array(0);
  private used = new Uint8Array(0);
  private readonly free: number[] = [];
  private hand = 0;

  // Groups: GROUP consecutive windows (window index / GROUP) of one series and step.
  /** Group + 1 per slot, 0 for an empty slot; linear probing, deletion by backward shift. */
  private table = new Int32Array(MIN_TABLE);
  private mask = MIN_TABLE - 1;
  private groupIds = new Int32Array(0);
  private groupSteps = new Float64Array(0);
  private groupIndexes = new Float64Array(0);
  /** Entry + 1 of each of a group's windows (group * GROUP + lane), 0 when not held. */
  private lanes = new Int32Array(0);
  /** Windows held per group; a group with none is released. */
  private groupSizes = new Uint8Array(0);
  private groups = 0;
  private readonly freeGroups: number[] = [];
  /** The group the last find() landed in: a read asks for a series' windows one after the other. */
  private lastId = 0;
  private lastStep = 0;
  private lastGroupIndex = NaN;
  private lastGroup = -1;

  private changes = 0;
  readonly capacity: number;

  constructor(budgetBytes: number) {
    this.capacity = Math.max(0, Math.floor(budgetBytes / ENTRY_BYTES));
  }

  /** Windows held now. */
  get size(): number {
    return this.entries - this.free.length;
  }

  /** Bytes of the windows held now (same rough allowance as the budget). */
  get bytes(): number {
    return this.size * ENTRY_BYTES;
  }

  /** Changes whenever something is invalidated; see insert(). */
  get generation(): number {
    return this.changes;
  }

  /** The entry holding a window, or -1; marks the window recently used. Its slots: slab(entry) from offset(entry). */
  find(id: number, step: number, start: number): number {
    const windowIndex = start / (step * POINTS_PER_CHUNK);
    const groupIndex = Math.floor(windowIndex / GROUP);
    let group: number;
    if (id === this.lastId && step === this.lastStep && groupIndex === this.lastGroupIndex) group = this.lastGroup;
    else {
      group = this.findGroup(id, step, groupIndex);
      if (group < 0) return -1;
      this.remember(id, step, groupIndex, group);
    }
    // A start off the window grid is never inserted; its lane would not be a whole number.
    const entry = this.lanes[group * GROUP + (windowIndex - groupIndex * GROUP)] - 1;
    if (!(entry >= 0)) return -1;
    this.used[entry] = 1;
    return entry;
  }

  /** The slab an entry's slots are in. */
  slab(entry: number): Float64Array {
    return this.slabs[entry >> SLAB_BITS];
  }

  /** Where an entry's slots start in its slab. */
  offset(entry: number): number {
    return (entry & (SLAB_WINDOWS - 1)) * POINTS_PER_CHUNK;
  }

  /** The cached slots of a window (a view), or undefined; marks the window recently used. */
  get(id: number, step: number, start: number): Float64Array | undefined {
    const entry = this.find(id, step, start);
    return entry < 0 ? undefined : this.view(entry);
  }

  /**
   * A NaN-filled window to decode into, now cached under the key; undefined when the cache is off,
   * something was invalidated since `generation` was read (the caller decodes elsewhere then), or
   * start is not a window start.
   */
  insert(id: number, step: number, start: number, generation: number): Float64Array | undefined {
    if (this.capacity === 0 || generation !== this.changes) return undefined;
    const windowIndex = start / (step * POINTS_PER_CHUNK);
    if (!Number.isInteger(windowIndex)) return undefined;
    let entry = this.find(id, step, start);
    if (entry < 0) {
      // Allocated before the group is looked up: eviction may release that very group.
      entry = this.allocate();
      const groupIndex = Math.floor(windowIndex / GROUP);
      let group = this.findGroup(id, step, groupIndex);
      if (group < 0) group = this.addGroup(id, step, groupIndex);
      const lane = windowIndex - groupIndex * GROUP;
      this.lanes[group * GROUP + lane] = entry + 1;
      this.groupSizes[group]++;
      this.entryGroups[entry] = group;
      this.entryLanes[entry] = lane;
      this.used[entry] = 1;
    }
    return this.view(entry).fill(NaN);
  }

  /** Forgets one window: call after its chunk was rewritten, once reads would find the new bytes. */
  invalidate(id: number, step: number, start: number): void {
    this.changes++;
    const entry = this.find(id, step, start);
    if (entry >= 0) this.remove(entry);
  }

  private view(entry: number): Float64Array {
    const offset = this.offset(entry);
    return this.slab(entry).subarray(offset, offset + POINTS_PER_CHUNK);
  }

  private remember(id: number, step: number, groupIndex: number, group: number): void {
    this.lastId = id;
    this.lastStep = step;
    this.lastGroupIndex = groupIndex;
    this.lastGroup = group;
  }

  /** The group of a key, or -1. */
  private findGroup(id: number, step: number, groupIndex: number): number {
    const { table, mask, groupIds, groupSteps, groupIndexes } = this;
    const key = id | 0; // as groupIds holds it
    for (let slot = hashKey(key, step, groupIndex) & mask; ; slot = (slot + 1) & mask) {
      const group = table[slot] - 1;
      if (group < 0) return -1;
      if (groupIds[group] === key && groupIndexes[group] === groupIndex && groupSteps[group] === step) return group;
    }
  }

  private addGroup(id: number, step: number, groupIndex: number): number {
    let group = this.freeGroups.pop();
    if (group === undefined) {
      if (this.groups === this.groupIds.length) this.growGroups(Math.max(256, this.groups * 2));
      group = this.groups++;
    }
    this.groupIds[group] = id;
    this.groupSteps[group] = step;
    this.groupIndexes[group] = groupIndex;
    this.place(group);
    return group;
  }

  private slotOf(group: number): number {
    return hashKey(this.groupIds[group], this.groupSteps[group], this.groupIndexes[group]) & this.mask;
  }

  /** Puts a group whose key is not in the table yet into the table. */
  private place(group: number): void {
    const { table, mask } = this;
    let slot = this.slotOf(group);
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = group + 1;
  }

  private removeGroup(group: number): void {
    const { table, mask } = this;
    let hole = this.slotOf(group);
    while (table[hole] !== group + 1) hole = (hole + 1) & mask;
    // Backward shift: later groups of the same run move up into the hole when their probe sequence
    // starts at or before it, so lookups never meet a gap before their key.
    for (let slot = (hole + 1) & mask; table[slot] !== 0; slot = (slot + 1) & mask) {
      const home = this.slotOf(table[slot] - 1);
      const staysPut = hole < slot ? hole < home && home <= slot : hole < home || home <= slot;
      if (staysPut) continue;
      table[hole] = table[slot];
      hole = slot;
    }
    table[hole] = 0;
    if (this.lastGroup === group) this.lastGroup = this.lastGroupIndex = NaN;
    this.freeGroups.push(group);
  }

  private growGroups(capacity: number): void {
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(old: T, make: (n: number) => T, n: number): T => {
      const next = make(n);
      next.set(old);
      return next;
    };
    this.groupIds = grow(this.groupIds, (n) => new Int32Array(n), capacity);
    this.groupSteps = grow(this.groupSteps, (n) => new Float64Array(n), capacity);
    this.groupIndexes = grow(this.groupIndexes, (n) => new Float64Array(n), capacity);
    this.groupSizes = grow(this.groupSizes, (n) => new Uint8Array(n), capacity);
    this.lanes = grow(this.lanes, (n) => new Int32Array(n), capacity * GROUP);
    let size = this.table.length;
    while (size < 2 * capacity) size *= 2;
    if (size === this.table.length) return;
    this.table = new Int32Array(size);
    this.mask = size - 1;
    for (let group = 0; group < this.groups; group++) if (this.groupSizes[group] > 0) this.place(group);
  }

  /** Forgets every window of these series (deleted: their ids may come back with other data). */
  invalidateSeries(ids: ReadonlySet<number>): void {
    this.changes++;
    // One pass over the groups for all ids (a glob delete may name thousands): a deleted series'
    // windows may sit under any step and window.
    for (let group = 0; group < this.groups; group++) {
      if (this.groupSizes[group] === 0 || !ids.has(this.groupIds[group])) continue;
      for (let lane = 0; lane < GROUP && this.groupSizes[group] > 0; lane++) {
        const entry = this.lanes[group * GROUP + lane] - 1;
        if (entry >= 0) this.remove(entry);
      }
    }
  }

  /** A free entry: a released one, a new one while under capacity, else the CLOCK victim. */
  private allocate(): number {
    const released = this.free.pop();
    if (released !== undefined) return released;
    const count = this.entries;
    if (count < this.capacity) {
      if (count === this.entryGroups.length) this.growEntries(Math.min(this.capacity, Math.max(1024, count * 2)));
      // One backing store per SLAB_WINDOWS windows, not one each (a 960-byte typed array is
      // allocated off-heap, which cost more than decoding into it).
      if ((count & (SLAB_WINDOWS - 1)) === 0) this.slabs.push(new Float64Array(POINTS_PER_CHUNK * Math.min(SLAB_WINDOWS, this.capacity - count)));
      this.entries++;
      return count;
    }
    for (;;) {
      const entry = this.hand;
      this.hand = entry + 1 === count ? 0 : entry + 1;
      if (this.entryGroups[entry] === FREE) continue;
      if (this.used[entry] === 1) {
        this.used[entry] = 0;
        continue;
      }
      this.remove(entry);
      return this.free.pop()!;
    }
  }

  private remove(entry: number): void {
    const group = this.entryGroups[entry];
    this.lanes[group * GROUP + this.entryLanes[entry]] = 0;
    if (--this.groupSizes[group] === 0) this.removeGroup(group);
    this.entryGroups[entry] = FREE;
    this.used[entry] = 0;
    this.free.push(entry);
  }

  private growEntries(capacity: number): void {
    const groups = new Int32Array(capacity);
    groups.set(this.entryGroups);
    this.entryGroups = groups;
    const lanes = new Uint8Array(capacity);
    lanes.set(this.entryLanes);
    this.entryLanes = lanes;
    const used = new Uint8Array(capacity);
    used.set(this.used);
    this.used = used;
  }
}
