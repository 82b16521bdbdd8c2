/**
 * Series names and their ids: dense ids (array-indexed everywhere else), a name map, and the
 * list of ids not yet persisted to LevelDB. Deleted ids are not reused.
 */
export class SeriesIndex {
  private readonly ids = new Map<string, number>();
  private readonly namesById: (string | undefined)[] = [];
  private unsaved: number[] = [];

  get size(): number {
    return this.ids.size;
  }

  /** Ids run from 0 to this (exclusive); some may be deleted. */
  get idLimit(): number {
    return this.namesById.length;
  }

  get(name: string): number | undefined {
    return this.ids.get(name);
  }

  name(id: number): string | undefined {
    return this.namesById[id];
  }

  /** Creates a series; the caller checked that `name` is new. */
  add(name: string): number {
    const id = this.namesById.length;
    this.restore(id, name);
    this.unsaved.push(id);
    return id;
  }

  /**
   * Re-creates a series with a known id: from LevelDB, or (`unsaved`) from the write-ahead log,
   * in which case it still has to reach LevelDB.
   */
  restore(id: number, name: string, options: { unsaved?: boolean } = {}): void {
    while (this.namesById.length < id) this.namesById.push(undefined);
    this.namesById[id] = name;
    this.ids.set(name, id);
    if (options.unsaved) this.unsaved.push(id);
  }

  delete(id: number): void {
    const name = this.namesById[id];
    if (name === undefined) return;
    this.ids.delete(name);
    this.namesById[id] = undefined;
  }

  names(): IterableIterator<string> {
    return this.ids.keys();
  }

  entries(): IterableIterator<[string, number]> {
    return this.ids.entries();
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
