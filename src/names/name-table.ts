/**
 * Finds the id of a string among many, for an owner that keeps the strings in an array by id: an
 * open-addressing table of (hash, id) pairs in a typed array rather than a Map. A burst of new
 * series brings a million names seen once; a miss and an insert in a Map of a million strings
 * chase several pointers each (a bucket, its chain, each key's string), where a probe here reads
 * one pair and compares a string only when the hashes agree.
 */
import { hashName } from './name-hash.js';

const EMPTY = -1;

/** An owner that keeps the names of the table's ids itself, and compares and hashes them. */
export interface NameKeeper {
  is(id: number, name: string): boolean;
  isBytes(id: number, bytes: Uint8Array, start: number, end: number): boolean;
  /** hashName() of id's name. */
  hash(id: number): number;
}

function isNameKeeper(names: readonly (string | undefined)[] | NameKeeper): names is NameKeeper {
  return !Array.isArray(names);
}

export class NameTable {
  /** (hash, id) pairs by hash, linear probing, at most half full; a power of two of pairs. */
  private table = new Int32Array(256).fill(EMPTY);
  private count = 0;
  /**
   * The last name hashed: inserting a name right after looking it up hashes it once. Starts as
   * the empty name with its real hash: a 0 here put a first-asked '' (a path's empty component,
   * `.x`) under hash 0, where every later lookup of '' missed it.
   */
  private lastName = '';
  private lastHash = hashName('');

  /**
   * Whether id's name is `name`: with an array, `names[id]` is the name of each id in the table
   * (the owner keeps it so); a NameKeeper (names kept as bytes: NameArena) compares.
   */
  private readonly nameIs: (id: number, name: string) => boolean;
  /** Whether id's name is the ASCII name in bytes[start, end), for findBytes. */
  private readonly bytesAre: (id: number, bytes: Uint8Array, start: number, end: number) => boolean;
  /**
   * The hash id's name is under, to remove it: hashed again from the owner's name rather than
   * kept per id, an array that a million new names grew (and wrote) for removals that seldom come.
   */
  private readonly hashOfName: (id: number) => number;

  /** `bytesAre`: findBytes' compare for an array of names (none by default: findBytes finds nothing). */
  constructor(
    names: readonly (string | undefined)[] | NameKeeper,
    bytesAre: (id: number, bytes: Uint8Array, start: number, end: number) => boolean = () => false,
  ) {
    if (isNameKeeper(names)) {
      this.nameIs = (id, name) => names.is(id, name);
      this.bytesAre = (id, bytes, start, end) => names.isBytes(id, bytes, start, end);
      this.hashOfName = (id) => names.hash(id);
    } else {
      this.nameIs = (id, name) => names[id] === name;
      this.bytesAre = bytesAre;
      this.hashOfName = (id) => hashName(names[id]!);
    }
  }

  get size(): number {
    return this.count;
  }

  /** The id of `name`, or -1. */
  find(name: string): number {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    const hash = this.hashOf(name);
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = table[2 * slot + 1];
      if (id === EMPTY) return -1;
      if (table[2 * slot] === hash && this.nameIs(id, name)) return id;
    }
  }

  /** The id of the ASCII name in bytes[start, end), whose hash (hashNameBytes) is `hash`, or -1: no string made. */
  findBytes(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = table[2 * slot + 1];
      if (id === EMPTY) return -1;
      if (table[2 * slot] === hash && this.bytesAre(id, bytes, start, end)) return id;
    }
  }

  /**
   * Brings the table slots of names about to be looked up into the CPU caches, given their hashes
   * (hashes[first + k * stride] for k < count): a loop of independent loads the CPU overlaps.
   * Looked up one by one, each name of a burst of new ones waited for its own cache miss (the
   * table of a million names is tens of MB), about a quarter of creating a series.
   */
  prefetch(hashes: Int32Array, first: number, count: number, stride: number): void {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    let sink = 0;
    for (let k = 0, at = first; k < count; k++, at += stride) sink ^= table[2 * (hashes[at] & mask) + 1];
    this.sink = sink; // kept, so the reads are not optimised away
  }

  private sink = 0;

  /** Adds `id` under `name`; the caller checked that the name has no id. */
  insert(name: string, id: number): void {
    this.insertHashed(this.hashOf(name), id);
  }

  /** Adds `id` under a name whose hash (hashName's, hashNameBytes') is `hash`; the caller checked that the name has no id. */
  insertHashed(hash: number, id: number): void {
    if (4 * (this.count + 1) > this.table.length) this.rehash(this.table.length);
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    let slot = hash & mask;
    while (table[2 * slot + 1] !== EMPTY) slot = (slot + 1) & mask;
    table[2 * slot] = hash;
    table[2 * slot + 1] = id;
    this.count++;
  }

  /** Takes `id` out; it must be in the table, and its name still known to the owner. */
  remove(id: number): void {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    let hole = this.hashOfName(id) & mask;
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

  private hashOf(name: string): number {
    if (name === this.lastName) return this.lastHash;
    const hash = hashName(name);
    this.lastName = name;
    this.lastHash = hash;
    return hash;
  }
}
