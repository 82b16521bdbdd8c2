/**
 * Sealed chunks of the finest archive kept in memory (the hot tier). Every chunk here is already
 * in LevelDB, so leaving memory never loses data: past the byte budget the oldest windows go first.
 */
interface RingChunk {
  start: number;
  bytes: Uint8Array;
}

export class HotRing {
  /** Per series, chunks sorted by start. */
  private readonly chunks: (RingChunk[] | undefined)[] = [];
  /** Bytes held per window start, to evict whole windows oldest first. */
  private readonly bytesByWindow = new Map<number, number>();
  private total = 0;

  constructor(private readonly budgetBytes: number) {}

  get bytes(): number {
    return this.total;
  }

  get(id: number, start: number): Uint8Array | undefined {
    const list = this.chunks[id];
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i].start === start) return list[i].bytes;
      if (list[i].start < start) return undefined;
    }
    return undefined;
  }

  /** Oldest window start still held for any series (Infinity when empty). */
  oldestWindow(): number {
    let oldest = Infinity;
    for (const start of this.bytesByWindow.keys()) oldest = Math.min(oldest, start);
    return oldest;
  }

  /** Adds or replaces a series' chunk. */
  put(id: number, start: number, bytes: Uint8Array): void {
    let list = this.chunks[id];
    if (!list) list = this.chunks[id] = [];
    let i = list.length;
    while (i > 0 && list[i - 1].start > start) i--;
    if (i > 0 && list[i - 1].start === start) {
      this.account(start, bytes.length - list[i - 1].bytes.length);
      list[i - 1].bytes = bytes;
    } else {
      list.splice(i, 0, { start, bytes });
      this.account(start, bytes.length);
    }
    if (this.total > this.budgetBytes) this.evictOverBudget();
  }

  /** Drops every chunk that starts before `start` (older than the hot window). */
  evictBefore(start: number): void {
    for (const window of [...this.bytesByWindow.keys()]) if (window < start) this.evictWindow(window);
  }

  deleteSeries(id: number): void {
    const list = this.chunks[id];
    if (!list) return;
    for (const c of list) this.account(c.start, -c.bytes.length);
    this.chunks[id] = undefined;
  }

  private account(start: number, delta: number): void {
    this.total += delta;
    const next = (this.bytesByWindow.get(start) ?? 0) + delta;
    if (next <= 0) this.bytesByWindow.delete(start);
    else this.bytesByWindow.set(start, next);
  }

  private evictOverBudget(): void {
    while (this.total > this.budgetBytes && this.bytesByWindow.size > 1) this.evictWindow(this.oldestWindow());
  }

  private evictWindow(start: number): void {
    for (let id = 0; id < this.chunks.length; id++) {
      const list = this.chunks[id];
      if (!list || list.length === 0 || list[0].start > start) continue;
      const i = list.findIndex((c) => c.start === start);
      if (i >= 0) {
        this.total -= list[i].bytes.length;
        list.splice(i, 1);
      }
    }
    this.bytesByWindow.delete(start);
  }
}
