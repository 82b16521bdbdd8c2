/**
 * The distinct path components of the metric tree, each stored once under a small integer id, so
 * the tree compares ids rather than strings, and a glob is tested once per distinct component
 * rather than once per node. Counted by use: an id and its name are freed with the last node.
 * Found through a NameTable: a burst of new series brings a million components seen once
 * (`metric_0012345`). Kept as bytes (NameArena): a component sliced out of a series name kept the
 * whole name alive.
 */
import { grown } from '../grown-array.js';
import { NameArena } from '../names/name-arena.js';
import { NameTable } from '../names/name-table.js';

export class PathSegments {
  private readonly names = new NameArena();
  private readonly table = new NameTable(this.names);
  /**
   * Names made into strings by queries, by id: a walk asks for the same few branch names over and
   * over (`find *.*.*` made 100k strings of 210 names each time, 3x its time). Filled only by
   * reads, never by ingest.
   */
  private readonly strings: (string | undefined)[] = [];
  private uses = new Int32Array(64);
  private readonly free: number[] = [];

  /** Ids run from 0 to this (exclusive); freed ones are reused. */
  get idLimit(): number {
    return this.names.limit;
  }

  id(name: string): number | undefined {
    const id = this.table.find(name);
    return id < 0 ? undefined : id;
  }

  /** The id of the ASCII name in bytes[start, end), whose hash (hashNameBytes) is `hash`, or -1. */
  idOfBytes(bytes: Uint8Array, start: number, end: number, hash: number): number {
    return this.table.findBytes(bytes, start, end, hash);
  }

  /** Readies the lookups of names about to be asked for, given their hashes (NameTable.prefetch). */
  prefetch(hashes: Int32Array, first: number, count: number, stride: number): void {
    this.table.prefetch(hashes, first, count, stride);
  }

  name(id: number): string {
    const strings = this.strings;
    let name = strings[id];
    if (name !== undefined) return name;
    name = this.names.get(id) ?? '';
    while (strings.length <= id) strings.push(undefined);
    strings[id] = name;
    return name;
  }

  /** A new name's id, not yet used: the caller checked that `name` has none. */
  add(name: string): number {
    const id = this.claim();
    this.names.set(id, name);
    this.table.insert(name, id);
    return id;
  }

  /** add() of the ASCII name in bytes[start, end), whose hash is `hash`: kept as a copy of the bytes. */
  addBytes(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const id = this.claim();
    this.names.setBytes(id, bytes, start, end);
    this.table.insertHashed(hash, id);
    return id;
  }

  /** An id for a new name, unused. */
  private claim(): number {
    const id = this.free.pop() ?? this.names.limit;
    if (id >= this.uses.length) this.uses = grown(this.uses, 2 * this.uses.length);
    if (id < this.strings.length) this.strings[id] = undefined;
    this.uses[id] = 0;
    return id;
  }

  /** One use more: a node named so. */
  use(id: number): void {
    this.uses[id]++;
  }

  /** One use less; the last frees the id. */
  release(id: number): void {
    if (--this.uses[id] > 0) return;
    this.table.remove(id);
    this.names.clear(id);
    if (id < this.strings.length) this.strings[id] = undefined;
    this.free.push(id);
  }
}
