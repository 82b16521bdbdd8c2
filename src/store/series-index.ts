/**
 * Series names and their ids: dense ids (array-indexed everywhere else), names by id found through
 * a NameTable, and the list of ids not yet persisted to LevelDB. Deleted ids are not reused.
 */
import { NameTable } from '../names/name-table.js';

export class SeriesIndex {
  private readonly namesById: (string | undefined)[] = [];
  private readonly ids = new NameTable(this.namesById);
  private unsaved: number[] = [];

  get size(): number {
    return this.ids.size;
  }

  /** Ids run from 0 to this (exclusive); some may be deleted. */
  get idLimit(): number {
    return this.namesById.length;
  }

  get(name: string): number | undefined {
    const id = this.ids.find(name);
    return id < 0 ? undefined : id;
  }

  /** Readies the lookups of names about to be asked for (NameTable.prefetch). */
  prefetch(names: readonly string[], from: number, to: number): void {
    this.ids.prefetch(names, from, to);
  }

  name(id: number): string | undefined {
    return this.namesById[id];
  }

  /** Creates a series; the caller checked that `name` is new. */
  add(name: string): number {
    const id = this.namesById.length;
    this.namesById.push(name);
    this.ids.insert(name, id);
    this.unsaved.push(id);
    return id;
  }

  /**
   * Re-creates a series with a known id (not in use): from LevelDB, or (`unsaved`) from the
   * write-ahead log, in which case it still has to reach LevelDB. A name already under another
   * id is found under this one from now on.
   */
  restore(id: number, name: string, options: { unsaved?: boolean } = {}): void {
    while (this.namesById.length < id) this.namesById.push(undefined);
    const other = this.ids.find(name);
    if (other >= 0) this.ids.remove(other);
    this.namesById[id] = name;
    this.ids.insert(name, id);
    if (options.unsaved) this.unsaved.push(id);
  }

  delete(id: number): void {
    const name = this.namesById[id];
    if (name === undefined) return;
    if (this.ids.find(name) === id) this.ids.remove(id);
    this.namesById[id] = undefined;
  }

  /** In id order. */
  *names(): IterableIterator<string> {
    for (const name of this.namesById) if (name !== undefined) yield name;
  }

  /** Queues a known series to be written to LevelDB again (its stored record changed). */
  markUnsaved(id: number): void {
    this.unsaved.push(id);
  }

  /** Ids created since the last call, for the next LevelDB write. */
  takeUnsaved(): number[] {
    const ids = this.unsaved;
    this.unsaved = [];
    return ids;
  }
}
