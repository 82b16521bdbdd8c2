/**
 * Series names and their ids: dense ids (array-indexed everywhere else), names by id found through
 * a NameTable, and the list of ids not yet persisted to LevelDB. Deleted ids are not reused.
 * Names are kept as bytes (NameArena): name(id) makes a string per call, has(id) does not.
 */
import { NameArena } from '../names/name-arena.js';
import { NameTable } from '../names/name-table.js';
import { grown } from '../grown-array.js';

export class SeriesIndex {
  private readonly arena = new NameArena();
  private readonly ids = new NameTable(this.arena);
  /**
   * Ids not yet persisted, unsaved[0, unsavedCount). A typed array: a burst of a million new
   * series grew a JS array of them in V8's heap, which every full collection then went through.
   */
  private unsaved = new Uint32Array(1024);
  private unsavedCount = 0;

  get size(): number {
    return this.ids.size;
  }

  /** Ids run from 0 to this (exclusive); some may be deleted. */
  get idLimit(): number {
    return this.arena.limit;
  }

  get(name: string): number | undefined {
    const id = this.ids.find(name);
    return id < 0 ? undefined : id;
  }

  /** The id of the ASCII name in bytes[start, end), whose hash (hashNameBytes) is `hash`, or -1. */
  getBytes(bytes: Uint8Array, start: number, end: number, hash: number): number {
    return this.ids.findBytes(bytes, start, end, hash);
  }

  /** Readies the lookups of names about to be asked for, given their hashes (NameTable.prefetch). */
  prefetch(hashes: Int32Array, first: number, count: number, stride: number): void {
    this.ids.prefetch(hashes, first, count, stride);
  }

  /** Whether `id` is a series (not deleted): what name(id) tells, without making its string. */
  has(id: number): boolean {
    return this.arena.has(id);
  }

  /** A new string per call: callers that only test for a series ask has(). */
  name(id: number): string | undefined {
    return this.arena.get(id);
  }

  /** The length of id's name if it is ASCII (nearly all), for copyAscii; else -1. */
  asciiLength(id: number): number {
    return this.arena.asciiLength(id);
  }

  /** Writes id's ASCII name (asciiLength >= 0) at target[at...], without making its string. */
  copyAscii(id: number, target: Uint8Array, at: number): void {
    this.arena.copyAscii(id, target, at);
  }

  /** Creates a series; the caller checked that `name` is new. */
  add(name: string): number {
    const id = this.arena.limit;
    this.arena.set(id, name);
    this.ids.insert(name, id);
    this.markUnsaved(id);
    return id;
  }

  /** add() of the ASCII name in bytes[start, end), whose hash is `hash`: kept as a copy of the bytes. */
  addBytes(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const id = this.arena.limit;
    this.arena.setBytes(id, bytes, start, end);
    this.ids.insertHashed(hash, id);
    this.markUnsaved(id);
    return id;
  }

  /**
   * Re-creates a series with a known id (not in use): from LevelDB, or (`unsaved`) from the
   * write-ahead log, in which case it still has to reach LevelDB. A name already under another
   * id is found under this one from now on.
   */
  restore(id: number, name: string, options: { unsaved?: boolean } = {}): void {
    const other = this.ids.find(name);
    if (other >= 0) this.ids.remove(other);
    this.arena.set(id, name);
    this.ids.insert(name, id);
    if (options.unsaved) this.markUnsaved(id);
  }

  /** hashName() of a series' name (the hash it is found by), without making its string. */
  hashOf(id: number): number {
    return this.arena.hash(id);
  }

  delete(id: number): void {
    const name = this.arena.get(id);
    if (name === undefined) return;
    if (this.ids.find(name) === id) this.ids.remove(id);
    this.arena.clear(id);
  }

  /** In id order. */
  *names(): IterableIterator<string> {
    for (let id = 0; id < this.arena.limit; id++) {
      if (this.arena.has(id)) yield this.arena.get(id)!;
    }
  }

  /** Queues a known series to be written to LevelDB again (its stored record changed). */
  markUnsaved(id: number): void {
    if (this.unsavedCount === this.unsaved.length) this.unsaved = grown(this.unsaved, 2 * this.unsaved.length);
    this.unsaved[this.unsavedCount++] = id;
  }

  /** Ids created (or marked) since the last call, for the next LevelDB write. */
  takeUnsaved(): Uint32Array {
    const ids = this.unsaved.subarray(0, this.unsavedCount);
    this.unsaved = new Uint32Array(1024);
    this.unsavedCount = 0;
    return ids;
  }
}
