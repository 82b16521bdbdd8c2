/**
 * The end of a series' life: forgetting it in memory when it is deleted (remembered by name and id,
 * so a writer can bring it back under its old id), removing it from LevelDB, and expiry (windows
 * past their archive's retention, series idle for too long).
 */
import type { ClassicLevel } from 'classic-level';
import type { DecodedWindowCache } from './decoded-cache.js';
import type { DeletedSeries } from './deleted-series.js';
import { SWEEP_SLICE_MS } from './event-loop.js';
import type { Head } from './head.js';
import type { HotRing } from './hot-ring.js';
import { chunkKey, layoutKey, metaKey, seriesKey, u32 } from './keys.js';
import { windowSeconds, type Layout } from './layout.js';
import type { PathTrie } from './path-trie.js';
import { RecordBatch } from './record-batch.js';
import type { SeriesIndex } from './series-index.js';
import type { TagIndex } from './tag-index.js';

/** The engine's state a series is dropped from, and what expiry reads. */
export interface LifecycleSources {
  db: Pick<ClassicLevel<Uint8Array, Uint8Array>, 'put' | 'batch' | 'clear'>;
  index: Pick<SeriesIndex, 'name' | 'hashOf' | 'has' | 'idLimit' | 'delete'>;
  tree: Pick<PathTrie, 'remove'>;
  tagIndex: Pick<TagIndex, 'remove'>;
  head: Pick<Head, 'release'>;
  ring: Pick<HotRing, 'deleteSeries'>;
  readCache: Pick<DecodedWindowCache, 'invalidateSeries'>;
  /** Sealed chunks not in LevelDB yet, by window start and series id. */
  unflushed: Map<number, Map<number, Uint8Array>>;
  /** Archive layouts a series had before its schema changed. */
  earlierLayouts: Map<number, unknown>;
  /** Filled here, emptied where a series comes back. */
  deleted: Pick<DeletedSeries, 'add'>;
  /** Every layout in use. */
  layouts: readonly Layout[];
  /** Windows of each step before this are expired, per step; advanced here. */
  expiredBefore: Map<number, number>;
  /** The time of a series' latest point (or of its registration). */
  lastWrite(id: number): number;
  /** Rests after `sliceMs` of background work (flat out while the engine closes). */
  pause(sliceMs: number): Promise<void>;
}

export class SeriesLifecycle {
  constructor(private readonly sources: LifecycleSources) {}

  /** Drops series from memory: head, hot ring, unwritten chunks, decoded windows and name indexes. */
  forget(ids: readonly number[], gone: ReadonlySet<number>): void {
    this.sources.readCache.invalidateSeries(gone);
    for (const id of ids) this.forgetOne(id);
  }

  private forgetOne(id: number): void {
    const { head, ring, unflushed, index, tree, tagIndex, deleted, earlierLayouts } = this.sources;
    head.release(id, 0);
    head.release(id, 1);
    ring.deleteSeries(id);
    for (const [start, byId] of unflushed) if (byId.delete(id) && byId.size === 0) unflushed.delete(start);
    const name = index.name(id);
    if (name !== undefined && !name.includes(';')) tree.remove(name);
    if (name !== undefined) deleted.add(id, name, index.hashOf(id));
    tagIndex.remove(id);
    index.delete(id);
    earlierLayouts.delete(id);
  }

  /** Removes a series from LevelDB: its records and every chunk. */
  async deleteStored(id: number): Promise<void> {
    const { db } = this.sources;
    // An empty `01` record, not none: the series may have an entry in a `05` block.
    await db.batch([{ type: 'put', key: seriesKey(id), value: new Uint8Array(0) }, { type: 'del', key: layoutKey(id) }], { sync: true });
    await db.clear({ gte: chunkKey(id, 0, 0), lt: chunkKey(id + 1, 0, 0) });
  }

  /**
   * Drops windows past each archive's retention from LevelDB: a deletion per series and window,
   * in paced slices (a window of every series is a sweep's worth of records, as sealing is).
   */
  async expireWindows(now: number): Promise<void> {
    const { db, index, layouts, expiredBefore, pause } = this.sources;
    const batch = new RecordBatch(db);
    const byStep = new Map<number, number>();
    for (const layout of layouts) {
      for (const a of layout.archives) byStep.set(a.secondsPerPoint, Math.max(byStep.get(a.secondsPerPoint) ?? 0, a.retentionSeconds));
    }
    for (const [step, retention] of byStep) {
      const span = windowSeconds(step);
      const cutoff = Math.floor((now - retention) / span) * span - span;
      const before = expiredBefore.get(step) ?? cutoff;
      if (cutoff <= before) {
        expiredBefore.set(step, before);
        continue;
      }
      let sliceStart = performance.now();
      for (let start = before; start < cutoff; start += span) {
        for (let id = 0; id < index.idLimit; id++) {
          if (index.has(id)) batch.deleteChunk(id, step, start);
          if (batch.full) await batch.write();
          if ((id & 63) === 63 && performance.now() - sliceStart > SWEEP_SLICE_MS) {
            await pause(performance.now() - sliceStart);
            sliceStart = performance.now();
          }
        }
      }
      expiredBefore.set(step, cutoff);
      // After the deletions: a crash in between deletes them again at the next start.
      batch.put(metaKey(`expired:${step}`), u32(cutoff));
      await batch.write();
    }
  }

  /** Series without writes for longer than `expireAfter` seconds. */
  idleSeries(now: number, expireAfter: number): number[] {
    const { index } = this.sources;
    const idle: number[] = [];
    for (let id = 0; id < index.idLimit; id++) {
      if (index.has(id) && now - this.sources.lastWrite(id) > expireAfter) idle.push(id);
    }
    return idle;
  }
}
