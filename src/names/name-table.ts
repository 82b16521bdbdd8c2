/**
 * Finds the id of a string among many, for an owner that keeps the strings in an array by id: an
 * open-addressing table of (hash, id) pairs in a typed array rather than a Map. A burst of new
 * series brings a million names seen once; a miss and an insert in a Map of a million strings
 * chase several pointers each (a bucket, its chain, each key's string), where a probe here reads
 * one pair and compares a string only when the hashes agree.
 */
import { doubledToHold, grown } from '../grown-array.js';
import { murmurFinalise } from '../murmur-finaliser.js';

const EMPTY = -1;

export class NameTable {
  /** (hash, id) pairs by hash, linear probing, at most half full; a power of two of pairs. */
  private table = new Int32Array(256).fill(EMPTY);
  /** Hash of each id's name, to remove it without reading the name. */
  private hashes = new Int32Array(64);
  private count = 0;
  /** The last name hashed: inserting a name right after looking it up hashes it once. */
  private lastName = '';
  private lastHash = 0;

  /**
   * Whether id's name is `name`: with an array, `names[id]` is the name of each id in the table
   * (the owner keeps it so); an owner that keeps names otherwise (SeriesIndex: as bytes) compares.
   */
  private readonly nameIs: (id: number, name: string) => boolean;

  constructor(names: readonly (string | undefined)[] | ((id: number, name: string) => boolean)) {
    this.nameIs = typeof names === 'function' ? names : (id, name) => names[id] === name;
  }

  get size(): number {
    return this.count;
  }

  /**
   * The id of `name`, or -1. `whole`: the prefetched name whose last component `name` is (a
   * prefetch `fromDot`), so its hash is taken from the prefetch rather than computed again.
   */
  find(name: string, whole?: string): number {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    const hash = this.hashOf(name, whole);
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = table[2 * slot + 1];
      if (id === EMPTY) return -1;
      if (table[2 * slot] === hash && this.nameIs(id, name)) return id;
    }
  }

  /**
   * Brings the table slots of names about to be looked up into the CPU caches: the hashes first,
   * then only the slot reads, in a loop of independent loads the CPU overlaps. Looked up one by
   * one, each name of a burst of new ones waited for its own cache miss (the table of a million
   * names is tens of MB), about a quarter of creating a series. `fromDot`: hash each name's last
   * path component (what PathSegments looks up for a new leaf), not the whole name.
   */
  prefetch(names: readonly string[], from: number, to: number, fromDot = false): void {
    const count = to - from;
    if (count <= 0) return;
    if (this.scratch.length < count) this.scratch = new Int32Array(Math.max(count, 2 * this.scratch.length));
    const hashes = this.scratch;
    for (let k = 0; k < count; k++) {
      const name = names[from + k];
      hashes[k] = hashFrom(name, fromDot ? name.lastIndexOf('.') + 1 : 0);
    }
    this.touch(names, from, count, fromDot);
  }

  /**
   * prefetch() with the hashes made by the caller (hashes[k]: names[from + k]'s, or its last
   * component's if fromDot), who walked the names anyway (PathTrie.prefetch).
   */
  prefetchHashed(names: readonly string[], from: number, count: number, hashes: Int32Array, fromDot: boolean): void {
    if (count <= 0) return;
    if (this.scratch.length < count) this.scratch = new Int32Array(Math.max(count, 2 * this.scratch.length));
    this.scratch.set(hashes.subarray(0, count));
    this.touch(names, from, count, fromDot);
  }

  /** The slot reads of prefetch, for the hashes in scratch. */
  private touch(names: readonly string[], from: number, count: number, fromDot: boolean): void {
    const hashes = this.scratch;
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    let sink = 0;
    for (let k = 0; k < count; k++) sink ^= table[2 * (hashes[k] & mask) + 1];
    this.sink = sink; // kept, so the reads are not optimised away
    // The names (or their last components) are looked up next, in this order: hashOf takes their hashes from here.
    this.ahead = names;
    this.aheadFromDot = fromDot;
    this.aheadFrom = from;
    this.aheadCount = count;
    this.aheadNext = 0;
  }

  /** Hashes of the last prefetch, of names[from, from + count). */
  private scratch = new Int32Array(256);
  private sink = 0;
  /** The names of the last prefetch (of their last components if aheadFromDot), and the next one hashOf expects. */
  private ahead: readonly (string | undefined)[] | null = null;
  private aheadFromDot = false;
  private aheadFrom = 0;
  private aheadCount = 0;
  private aheadNext = 0;

  /** Adds `id` under `name`; the caller checked that the name has no id. */
  insert(name: string, id: number): void {
    if (4 * (this.count + 1) > this.table.length) this.rehash(this.table.length);
    const hash = this.hashOf(name);
    if (id >= this.hashes.length) this.hashes = grown(this.hashes, doubledToHold(this.hashes.length, id));
    this.hashes[id] = hash;
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    let slot = hash & mask;
    while (table[2 * slot + 1] !== EMPTY) slot = (slot + 1) & mask;
    table[2 * slot] = hash;
    table[2 * slot + 1] = id;
    this.count++;
  }

  /** Takes `id` out; it must be in the table. */
  remove(id: number): void {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    let hole = this.hashes[id] & mask;
    while (table[2 * hole + 1] !== id) hole = (hole + 1) & mask;
    // Backward-shift deletion: move up any later entry of the run that may no longer be reached.
    for (let slot = (hole + 1) & mask; table[2 * slot + 1] !== EMPTY; slot = (slot + 1) & mask) {
      const home = table[2 * slot] & mask;
      const reachable = hole <= slot ? home > hole && home <= slot : home > hole || home <= slot;
      if (reachable) continue;
      table[2 * hole] = table[2 * slot];
      table[2 * hole + 1] = table[2 * slot + 1];
      hole = slot;
    }
    table[2 * hole + 1] = EMPTY;
    this.count--;
  }

  /** Into a table of `pairs` pairs. */
  private rehash(pairs: number): void {
    const table = new Int32Array(2 * pairs).fill(EMPTY);
    const mask = pairs - 1;
    // The hashes beside the ids, not this.hashes: read in table order, not at random.
    for (let old = 0; old < this.table.length; old += 2) {
      const id = this.table[old + 1];
      if (id === EMPTY) continue;
      const hash = this.table[old];
      let slot = hash & mask;
      while (table[2 * slot + 1] !== EMPTY) slot = (slot + 1) & mask;
      table[2 * slot] = hash;
      table[2 * slot + 1] = id;
    }
    this.table = table;
  }

  /**
   * FNV-1a over the UTF-16 code units, then murmur3's finaliser: FNV's low bits, which pick the
   * slot, depend only on the low bits of each character, and names that differ in their last
   * digits crowded into long probe runs.
   */
  private hashOf(name: string, whole?: string): number {
    if (name === this.lastName) return this.lastHash;
    const k = this.aheadNext;
    let hash: number;
    if (k < this.aheadCount && this.ahead![this.aheadFrom + k] === (this.aheadFromDot ? whole : name)) {
      hash = this.scratch[k];
      this.aheadNext = k + 1;
    } else hash = hashFrom(name, 0);
    this.lastName = name;
    this.lastHash = hash;
    return hash;
  }
}

/** NameTable's hash of `name.slice(start)`, without the slice. */
function hashFrom(name: string, start: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return murmurFinalise(hash);
}
