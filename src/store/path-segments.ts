/**
 * The distinct path components of the metric tree, each stored once under a small integer id, so
 * the tree compares ids rather than strings, and a glob is tested once per distinct component
 * rather than once per node. Counted by use: an id and its name are freed with the last node.
 *
 * Found through an open-addressing table of ids in a typed array rather than a Map: a burst of
 * new series brings a million names seen once (`metric_0012345`), and a miss and an insert in a
 * Map of a million strings cost more than the rest of adding the series to the tree.
 */
const EMPTY = -1;

export class PathSegments {
  private readonly names: string[] = [];
  /** Hash of each id's name, to rehash without reading the names. */
  private hashes = new Int32Array(64);
  private uses = new Int32Array(64);
  private readonly free: number[] = [];
  /**
   * (hash, id) pairs by hash, linear probing, at most half full; a power of two of pairs. The hash
   * beside the id lets a probe skip other names without reading them.
   */
  private table = new Int32Array(256).fill(EMPTY);
  private count = 0;
  /** The last name hashed: adding a name right after looking it up hashes it once. */
  private lastName = '';
  private lastHash = 0;

  /** Ids run from 0 to this (exclusive); freed ones are reused. */
  get idLimit(): number {
    return this.names.length;
  }

  id(name: string): number | undefined {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    const hash = this.hashOf(name);
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = table[2 * slot + 1];
      if (id === EMPTY) return undefined;
      if (table[2 * slot] === hash && this.names[id] === name) return id;
    }
  }

  name(id: number): string {
    return this.names[id];
  }

  /** A new name's id, not yet used: the caller checked that `name` has none. */
  add(name: string): number {
    if (4 * (this.count + 1) > this.table.length) this.rehash(this.table.length);
    const hash = this.hashOf(name);
    const id = this.free.pop() ?? this.names.length;
    if (id === this.names.length) {
      this.names.push(name);
      if (id >= this.uses.length) {
        this.uses = grown(this.uses, 2 * this.uses.length);
        this.hashes = grown(this.hashes, 2 * this.hashes.length);
      }
    } else this.names[id] = name;
    this.hashes[id] = hash;
    this.uses[id] = 0;
    const mask = (this.table.length >> 1) - 1;
    let slot = hash & mask;
    while (this.table[2 * slot + 1] !== EMPTY) slot = (slot + 1) & mask;
    this.table[2 * slot] = hash;
    this.table[2 * slot + 1] = id;
    this.count++;
    return id;
  }

  /** One use more: a node named so. */
  use(id: number): void {
    this.uses[id]++;
  }

  /** One use less; the last frees the id. */
  release(id: number): void {
    if (--this.uses[id] > 0) return;
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
    this.names[id] = '';
    this.free.push(id);
    this.count--;
  }

  /** Into a table of `pairs` pairs. */
  private rehash(pairs: number): void {
    const table = new Int32Array(2 * pairs).fill(EMPTY);
    const mask = pairs - 1;
    for (let old = 1; old < this.table.length; old += 2) {
      const id = this.table[old];
      if (id === EMPTY) continue;
      let slot = this.hashes[id] & mask;
      while (table[2 * slot + 1] !== EMPTY) slot = (slot + 1) & mask;
      table[2 * slot] = this.hashes[id];
      table[2 * slot + 1] = id;
    }
    this.table = table;
  }

  /** FNV-1a over the UTF-16 code units. */
  private hashOf(name: string): number {
    if (name === this.lastName) return this.lastHash;
    let hash = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
    this.lastName = name;
    this.lastHash = hash;
    return hash;
  }
}

function grown(array: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(size);
  bigger.set(array);
  return bigger;
}
