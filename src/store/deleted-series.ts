/**
 * Deleted series, by name and by id. Ids are never reused: a writer that still holds an id (a
 * StatsD flush resolves each name once) or asks for the name again brings the series back under
 * its old id, with none of its deleted data.
 *
 * The names' hashes are kept too, for names given as bytes (carbon's name blocks): one is looked
 * up by its string, here, only when a deleted name shares its hash. Checking for any deletion at
 * all sent every new carbon name the string way (twice the cost) from the first deletion or idle
 * expiry until a restart.
 */
export class DeletedSeries {
  private readonly idByName = new Map<string, number>();
  private readonly nameById = new Map<number, string>();
  /** Hashes of the deleted names, and of some that came back since: cleared when none is left. */
  private readonly hashes = new Set<number>();

  get size(): number {
    return this.nameById.size;
  }

  add(id: number, name: string, hash: number): void {
    this.idByName.set(name, id);
    this.nameById.set(id, name);
    this.hashes.add(hash);
  }

  /** The id of a deleted series of this name. */
  idOf(name: string): number | undefined {
    // Asked only when there are any: a Map lookup hashes the whole name again.
    return this.idByName.size > 0 ? this.idByName.get(name) : undefined;
  }

  nameOf(id: number): string | undefined {
    return this.nameById.size > 0 ? this.nameById.get(id) : undefined;
  }

  /** A deleted name may have this hash (a false answer is certain). */
  mayHaveHash(hash: number): boolean {
    return this.nameById.size > 0 && this.hashes.has(hash);
  }

  /** The series is back (or its name taken again, by `id`): neither is deleted any more. */
  remove(id: number, name: string): void {
    this.nameById.delete(id);
    this.idByName.delete(name);
    if (this.nameById.size === 0) this.hashes.clear();
  }
}
