/**
 * Sealing: an open head window of the finest archive, once its time has passed (or a point two
 * windows ahead of it arrives), compressed into a chunk, kept in memory (the hot ring, or among the
 * unwritten ones) and written to LevelDB with the new series' records and the seal marks. Also,
 * between sweeps, the head's whole-window blocks made ahead of need, in paced slices.
 */
import type { ClassicLevel } from 'classic-level';
import { encodeChunk } from './chunk/index.js';
import type { DecodedWindowCache } from './decoded-cache.js';
import { SWEEP_SLICE_MS } from './event-loop.js';
import { POINTS_PER_CHUNK, type Head } from './head.js';
import type { HotRing } from './hot-ring.js';
import { metaKey, u32 } from './keys.js';
import { windowSeconds, type Layout } from './layout.js';
import { RecordBatch } from './record-batch.js';
import type { SeriesIndex } from './series-index.js';
import type { SeriesRecords } from './series-records.js';

/** Head ids scanned per slice when counting the windows about to need a whole-window block. */
const RESERVE_SCAN_IDS = 16_384;

/** A sealed chunk on its way to LevelDB: series `id`'s window at `start` of its finest archive (`step`). */
export interface SealedChunk {
  id: number;
  step: number;
  start: number;
  /** The hot ring's copy. */
  value: Uint8Array;
}

/** What a Sealer reads and writes of the engine's state. */
export interface SealerSources {
  db: Pick<ClassicLevel<Uint8Array, Uint8Array>, 'batch'>;
  index: Pick<SeriesIndex, 'has' | 'idLimit' | 'takeUnsaved' | 'markUnsaved'>;
  head: Pick<Head, 'block' | 'release' | 'windowAt' | 'idCapacity' | 'countGrowing' | 'reserveWholeBlocks'>;
  ring: Pick<HotRing, 'get' | 'put'>;
  readCache: Pick<DecodedWindowCache, 'invalidate'>;
  records: Pick<SeriesRecords, 'writeUnsaved'>;
  layoutOf(id: number): Layout;
  stats: { sealedChunks: number };
  /** A window of the finest archive was sealed: the coarser windows over it are due. */
  sealed(id: number, windowStart: number): void;
  /** Rests after `sliceMs` of background work (flat out while the engine closes). */
  pause(sliceMs: number): Promise<void>;
  /** Set once the engine begins to close. */
  closing(): boolean;
}

export class Sealer {
  /** Sealed chunks not written yet, in the order they were sealed. */
  private pending: SealedChunk[] = [];
  /**
   * The chunks of `pending` until their batch is in LevelDB, by window start and series id:
   * reads find them here when the hot ring did not keep them (over budget, or an old window
   * sealed by a backfill).
   */
  readonly unflushed = new Map<number, Map<number, Uint8Array>>();
  private readonly sealTs = new Uint32Array(POINTS_PER_CHUNK);
  private readonly sealValues = new Float64Array(POINTS_PER_CHUNK);

  constructor(private readonly sources: SealerSources) {}

  /** Sealed chunks not written to LevelDB yet (the WAL checkpoint logs them again). */
  get unwritten(): readonly SealedChunk[] {
    return this.pending;
  }

  /** Compresses one open window, queues the chunk for LevelDB and frees the slots. */
  seal(id: number, parity: number, step: number, windowStart: number): void {
    const { head, ring, readCache, stats } = this.sources;
    const { values, offset, firstSlot, slots } = head.block(id, parity);
    let n = 0;
    for (let j = 0; j < slots; j++) {
      const v = values[offset + j];
      if (v === v) {
        this.sealTs[n] = windowStart + (firstSlot + j) * step;
        this.sealValues[n++] = v;
      }
    }
    head.release(id, parity);
    if (n === 0) return;
    const chunk = ring.put(id, windowStart, encodeChunk(this.sealTs, this.sealValues, 0, n));
    stats.sealedChunks++;
    readCache.invalidate(id, step, windowStart);
    this.pending.push({ id, step, start: windowStart, value: chunk });
    let byId = this.unflushed.get(windowStart);
    if (!byId) this.unflushed.set(windowStart, (byId = new Map()));
    byId.set(id, chunk);
    this.sources.sealed(id, windowStart);
  }

  /** A sealed chunk of the finest archive from memory: the hot ring, or one not written yet. */
  inMemory(id: number, start: number): Uint8Array | undefined {
    return this.sources.ring.get(id, start) ?? this.unflushed.get(start)?.get(id);
  }

  /** Seals every open window that ends by its step's cutoff, in paced slices (series created meanwhile included). */
  async sealEnded(cutoffs: ReadonlyMap<number, number>): Promise<void> {
    const { index, head, layoutOf, pause } = this.sources;
    let sliceStart = performance.now();
    for (let id = 0; id < index.idLimit; id++) {
      if (!index.has(id)) continue;
      const step = layoutOf(id).archives[0].secondsPerPoint;
      const cutoff = cutoffs.get(step);
      if (cutoff === undefined) continue;
      const span = windowSeconds(step);
      for (const parity of [0, 1]) {
        const start = head.windowAt(id, parity);
        if (start >= 0 && start + span <= cutoff) this.seal(id, parity, step, start);
      }
      if ((id & 63) === 63 && performance.now() - sliceStart > SWEEP_SLICE_MS) {
        await pause(performance.now() - sliceStart);
        sliceStart = performance.now();
      }
    }
  }

  /**
   * Creates, in paced slices, the whole-window head blocks that windows about to outgrow their
   * small block will need, so that the flush that fills their ninth slot does not fault in fresh
   * memory for every series at once (see head.ts).
   */
  async reserveHeadBlocks(): Promise<void> {
    const { head, pause, closing } = this.sources;
    if (closing()) return;
    let sliceStart = performance.now();
    const pace = async (): Promise<void> => {
      if (performance.now() - sliceStart <= SWEEP_SLICE_MS) return;
      await pause(performance.now() - sliceStart);
      sliceStart = performance.now();
    };
    let growing = 0;
    for (let from = 0; from < head.idCapacity; from += RESERVE_SCAN_IDS) {
      growing += head.countGrowing(from, from + RESERVE_SCAN_IDS);
      await pace();
    }
    while (!closing() && head.reserveWholeBlocks(growing)) await pace();
  }

  /**
   * Writes new series names, sealed chunks and then the seal marks, the last batch synced. Records
   * go in small batches, so a burst of new series or a sweep sealing every series does not hold the
   * event loop in one piece; names and chunks ahead of their seal mark are harmless (the WAL has
   * them too, and sealing them again writes the same chunk).
   */
  async flush(cutoffs: ReadonlyMap<number, number>): Promise<void> {
    const { db, index, records } = this.sources;
    const puts = this.pending;
    this.pending = [];
    const unsaved = index.takeUnsaved();
    try {
      const batch = new RecordBatch(db);
      await records.writeUnsaved(unsaved, batch);
      for (let i = 0; i < puts.length; i++) {
        const { id, step, start, value } = puts[i];
        batch.putChunk(id, step, start, value);
        // The last chunk stays for the synced batch, which makes the ones before it durable too.
        if (batch.full && i < puts.length - 1) await batch.write();
      }
      for (const [step, cutoff] of cutoffs) batch.put(metaKey(`sealed:${step}`), u32(cutoff));
      await batch.write(true);
    } catch (err) {
      // Queued again for the next flush, so a passing failure (a full disk freed) delays them
      // rather than leaving them for a restart's replay. Writing a record or chunk twice is harmless.
      for (let i = 0; i < unsaved.length; i++) index.markUnsaved(unsaved[i]);
      this.pending = puts.concat(this.pending);
      throw err;
    }
    for (const { id, start, value } of puts) {
      const byId = this.unflushed.get(start);
      // A window sealed again meanwhile keeps its newer chunk here until that one is written.
      if (byId?.get(id) === value) byId.delete(id);
      if (byId?.size === 0) this.unflushed.delete(start);
    }
  }

  /** Drops the unwritten chunks of deleted series, which would otherwise land after their deletion. */
  forget(gone: ReadonlySet<number>): void {
    this.pending = this.pending.filter((p) => !gone.has(p.id));
  }
}
