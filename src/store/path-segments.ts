/**
 * The distinct path components of the metric tree, each stored once under a small integer id, so
 * the tree compares ids rather than strings, and a glob is tested once per distinct component
 * rather than once per node. Counted by use: an id and its name are freed with the last node.
 */
export class PathSegments {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private uses = new Int32Array(64);
  private readonly free: number[] = [];

  /** Ids run from 0 to this (exclusive); freed ones are reused. */
  get idLimit(): number {
    return this.names.length;
  }

  id(name: string): number | undefined {
    return this.ids.get(name);
  }

  name(id: number): string {
    return this.names[id];
  }

  /** The id of `name`, created if new, counted as used once more. */
  use(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.free.pop() ?? this.names.length;
      if (id === this.names.length) this.names.push(name);
      else this.names[id] = name;
      this.ids.set(name, id);
      if (id >= this.uses.length) {
        const grown = new Int32Array(this.uses.length * 2);
        grown.set(this.uses);
        this.uses = grown;
      }
    }
    this.uses[id]++;
    return id;
  }

  /** One use less; the last frees the id. */
  release(id: number): void {
    if (--this.uses[id] > 0) return;
    this.ids.delete(this.names[id]);
    this.names[id] = '';
    this.free.push(id);
  }
}
