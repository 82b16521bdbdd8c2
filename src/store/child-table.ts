/**
 * The metric tree's lookup of a child by (parent node, name id), for parents with long runs of
 * children: one open-addressing table of (parent, name, child) triples in a typed array for the
 * whole tree, rather than a Map per such parent. A burst of new series adds a million children
 * to a few hundred parents; a probe here reads one slot, where each Map insert also grew and
 * rehashed its own table.
 */
import { murmurFinalise } from '../murmur-finaliser.js';
const EMPTY = -1;

export class ChildTable {
  /** Triples, linear probing, at most half full; a power of two of slots. */
  private table = new Int32Array(3 * 1024).fill(EMPTY);
  private count = 0;

  /** The child of `parent` named `name`, or -1. */
  get(parent: number, name: number): number {
    const table = this.table;
    const mask = table.length / 3 - 1;
    for (let slot = slotOf(parent, name) & mask; ; slot = (slot + 1) & mask) {
      const at = 3 * slot;
      if (table[at + 2] === EMPTY) return EMPTY;
      if (table[at] === parent && table[at + 1] === name) return table[at + 2];
    }
  }

  /** Adds a child; the caller checked that `parent` has none named `name`. */
  set(parent: number, name: number, child: number): void {
    if (2 * (this.count + 1) > this.table.length / 3) this.rehash((2 * this.table.length) / 3);
    this.place(this.table, parent, name, child);
    this.count++;
  }

  /** Takes out the child of `parent` named `name`; it must be there. */
  delete(parent: number, name: number): void {
    const table = this.table;
    const mask = table.length / 3 - 1;
    let hole = slotOf(parent, name) & mask;
    while (table[3 * hole] !== parent || table[3 * hole + 1] !== name || table[3 * hole + 2] === EMPTY) hole = (hole + 1) & mask;
    // Backward-shift deletion: move up any later entry of the run that may no longer be reached.
    for (let slot = (hole + 1) & mask; table[3 * slot + 2] !== EMPTY; slot = (slot + 1) & mask) {
      const home = slotOf(table[3 * slot], table[3 * slot + 1]) & mask;
      const reachable = hole <= slot ? home > hole && home <= slot : home > hole || home <= slot;
      if (reachable) continue;
      table.copyWithin(3 * hole, 3 * slot, 3 * slot + 3);
      hole = slot;
    }
    table[3 * hole + 2] = EMPTY;
    this.count--;
  }

  private place(table: Int32Array, parent: number, name: number, child: number): void {
    const mask = table.length / 3 - 1;
    let slot = slotOf(parent, name) & mask;
    while (table[3 * slot + 2] !== EMPTY) slot = (slot + 1) & mask;
    table[3 * slot] = parent;
    table[3 * slot + 1] = name;
    table[3 * slot + 2] = child;
  }

  private rehash(slots: number): void {
    const table = new Int32Array(3 * slots).fill(EMPTY);
    const old = this.table;
    for (let at = 0; at < old.length; at += 3) if (old[at + 2] !== EMPTY) this.place(table, old[at], old[at + 1], old[at + 2]);
    this.table = table;
  }
}

/** Both ids through murmur3's finaliser, so that consecutive names under one parent spread over the table. */
function slotOf(parent: number, name: number): number {
  return murmurFinalise(Math.imul(parent, 0x9e3779b1) ^ name) >>> 0;
}
