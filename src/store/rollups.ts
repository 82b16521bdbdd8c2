/**
 * Coarser archives and late points: rollups compute each archive's windows from the finer one
 * with the series' aggregation as windows complete (or change behind the watermark), and late
 * points (for windows already sealed, or for a coarser archive) are merged into their stored
 * chunks.
 */
import type { ClassicLevel } from 'classic-level';
import { decodeChunkInto, encodeChunk } from './chunk/index.js';
import type { ArchiveRange, ArchiveReader } from './archive-reader.js';
import type { DecodedWindowCache } from './decoded-cache.js';
import { SWEEP_SLICE_MS } from './event-loop.js';
import { POINTS_PER_CHUNK } from './head.js';
import type { HotRing } from './hot-ring.js';
import { chunkKey, metaKey, u32 } from './keys.js';
import { windowSeconds, type Layout } from './layout.js';
import { RecordBatch } from './record-batch.js';
import { aggregateRuns } from './retention/index.js';
import type { SeriesIndex } from './series-index.js';

/**
 * Series per LevelDB round trip when computing rollups: about 5 ms of main-thread work (70 µs a
 * series for a 1m window over six 10 s chunks), after which the pass rests like a sweep's sealing.
 */
const ROLLUP_SLICE = 64;

/** A point that cannot go into the head: its window was sealed, or it belongs to a coarser archive. */
export interface LatePoint {
  id: number;
  archive: number;
  timestamp: number;
  value: number;
}

/** A window of one series' archive whose data changed: the coarser windows over it are due again. */
export interface ChangedWindow {
  id: number;
  archive: number;
  windowStart: number;
}

/** What Rollups reads and writes of the engine's state. */
export interface RollupSources {
  db: Pick<ClassicLevel<Uint8Array, Uint8Array>, 'get' | 'batch'>;
  index: Pick<SeriesIndex, 'has' | 'idLimit'>;
  /** The finest archive's sealed chunks in memory, rewritten where a late point changes one. */
  ring: Pick<HotRing, 'get' | 'put'>;
  readCache: Pick<DecodedWindowCache, 'invalidate'>;
  archives: Pick<ArchiveReader, 'readArchives'>;
  /** Every layout in use (grows as series with new schemas arrive). */
  layouts: readonly Layout[];
  layoutOf(id: number): Layout;
  /** Finest-archive windows before this (per step) are sealed. */
  sealedBefore: ReadonlyMap<number, number>;
  /** Rollup archive `step` is complete from `finer` up to this time, per "finer:step"; advanced here. */
  rollupDone: Map<string, number>;
  stats: { rollupChunks: number };
  /** Rests after `sliceMs` of background work (flat out while the engine closes). */
  pause(sliceMs: number): Promise<void>;
}

export class Rollups {
  private readonly db: RollupSources['db'];
  private readonly index: RollupSources['index'];
  private readonly ring: RollupSources['ring'];
  private readonly readCache: RollupSources['readCache'];
  private readonly archives: RollupSources['archives'];
  private readonly layouts: readonly Layout[];
  private readonly layoutOf: (id: number) => Layout;
  private readonly sealedBefore: ReadonlyMap<number, number>;
  private readonly rollupDone: Map<string, number>;
  private readonly stats: { rollupChunks: number };
  private readonly pause: (sliceMs: number) => Promise<void>;
  private readonly gridTs = new Uint32Array(POINTS_PER_CHUNK);
  private readonly gridValues = new Float64Array(POINTS_PER_CHUNK);
  /** One slice's reads and the finer values they bring, reused from slice to slice (100k arrays of 5.6 KB a round kept the GC busy). */
  private readonly sliceReads: ArchiveRange[] = [];
  private readonly sliceValues: Float64Array[] = [];
  private readonly sliceGrid = new Float64Array(POINTS_PER_CHUNK);
  /** (id, step, start) of each chunk in the batch being built, whose cached decodes go once it is written. */
  private readonly queued: number[] = [];

  constructor(sources: RollupSources) {
    this.db = sources.db;
    this.index = sources.index;
    this.ring = sources.ring;
    this.readCache = sources.readCache;
    this.archives = sources.archives;
    this.layouts = sources.layouts;
    this.layoutOf = sources.layoutOf;
    this.sealedBefore = sources.sealedBefore;
    this.rollupDone = sources.rollupDone;
    this.stats = sources.stats;
    this.pause = sources.pause;
  }

  /** Merges late points into their chunks (read, merge, rewrite); returns the windows it changed, whose rollups are due. */
  async mergeLate(late: readonly LatePoint[]): Promise<ChangedWindow[]> {
    const groups = new Map<string, LatePoint[]>();
    for (const p of late) {
      const step = this.layoutOf(p.id).archives[p.archive].secondsPerPoint;
      const t = p.timestamp - (p.timestamp % step);
      const start = t - (t % windowSeconds(step));
      const key = `${p.id}:${p.archive}:${start}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      group.push({ ...p, timestamp: t });
    }
    const batch = new RecordBatch(this.db);
    const touched: ChangedWindow[] = [];
    for (const [key, points] of groups) {
      const [id, archive, start] = key.split(':').map(Number);
      if (!this.index.has(id)) continue;
      const step = this.layoutOf(id).archives[archive].secondsPerPoint;
      const grid = await this.readStoredWindow(id, archive, step, start);
      for (const p of points) grid[(p.timestamp - start) / step] = p.value;
      const chunk = this.encodeGrid(grid, start, step);
      if (!chunk) continue;
      if (archive === 0 && this.ring.get(id, start) !== undefined) this.ring.put(id, start, chunk);
      this.readCache.invalidate(id, step, start);
      this.queue(batch, id, step, start, chunk);
      if (batch.full) await this.write(batch, false);
      touched.push({ id, archive, windowStart: start });
    }
    await this.write(batch, true);
    return touched;
  }

  /** One stored window (hot ring or LevelDB) as a grid of POINTS_PER_CHUNK slots. */
  private async readStoredWindow(id: number, archive: number, step: number, start: number): Promise<Float64Array> {
    const grid = new Float64Array(POINTS_PER_CHUNK).fill(NaN);
    const chunk = (archive === 0 ? this.ring.get(id, start) : undefined) ?? (await this.db.get(chunkKey(id, step, start)));
    if (chunk) this.decodeIntoGrid(chunk, grid, start, step);
    return grid;
  }

  private decodeIntoGrid(chunk: Uint8Array, grid: Float64Array, start: number, step: number): void {
    const n = decodeChunkInto(chunk, this.gridTs, this.gridValues);
    const slots = grid.length;
    for (let i = 0; i < n; i++) {
      const slot = (this.gridTs[i] - start) / step;
      if (slot >= 0 && slot < slots) grid[slot] = this.gridValues[i];
    }
  }

  private encodeGrid(grid: Float64Array, start: number, step: number): Uint8Array | null {
    let n = 0;
    for (let slot = 0; slot < grid.length; slot++) {
      if (grid[slot] === grid[slot]) {
        this.gridTs[n] = start + slot * step;
        this.gridValues[n++] = grid[slot];
      }
    }
    return n === 0 ? null : encodeChunk(this.gridTs, this.gridValues, 0, n);
  }

  /**
   * Computes coarser archives, one level at a time so each level reads what the level below just
   * wrote: first every window up to each pair's new watermark, then windows behind a watermark
   * whose finer data changed (late points, backfills).
   */
  async run(now: number, pending: readonly ChangedWindow[]): Promise<void> {
    const before = new Map(this.rollupDone);
    const depth = Math.max(0, ...this.layouts.map((l) => l.archives.length));
    for (let k = 1; k < depth; k++) {
      for (const layout of this.layouts) {
        if (k >= layout.archives.length) continue;
        const finer = layout.archives[k - 1].secondsPerPoint;
        const step = layout.archives[k].secondsPerPoint;
        const pair = pairKey(layout, k);
        const span = windowSeconds(step);
        const finerComplete = k === 1 ? (this.sealedBefore.get(finer) ?? 0) : (this.rollupDone.get(`${layout.archives[k - 2].secondsPerPoint}:${finer}`) ?? 0);
        const target = Math.floor(finerComplete / span) * span;
        // First sight of this pair: nothing older exists except backfills, which the
        // changed-window pass rolls up.
        const done = this.rollupDone.get(pair) ?? target;
        if (done >= target) {
          if (!this.rollupDone.has(pair)) this.rollupDone.set(pair, done);
          continue;
        }
        const ids: number[] = [];
        for (let id = 0; id < this.index.idLimit; id++) {
          if (!this.index.has(id)) continue;
          const l = this.layoutOf(id);
          if (l.archives[k]?.secondsPerPoint === step && l.archives[k - 1].secondsPerPoint === finer) ids.push(id);
        }
        // Chunks are written as they come; ahead of their watermark, the last record, they are
        // harmless: they are computed again.
        const batch = new RecordBatch(this.db);
        for (let start = Math.max(done, target - layout.archives[k].retentionSeconds); start < target; start += span) {
          await this.rollupWindows(ids, k, start, batch);
        }
        batch.put(metaKey(`rollup:${pair}`), u32(target));
        await this.write(batch, true);
        this.rollupDone.set(pair, target);
      }
    }
    // Changed windows behind a watermark: redo the coarser windows that contain them, level by level.
    // Nearly all are windows a sweep just sealed, ahead of every watermark: they are passed over
    // before any key is made for them (a string per window cost 2-3 µs, 1 s for 500k series).
    let level = pending;
    while (level.length > 0) {
      const next: ChangedWindow[] = [];
      const seen = new Set<string>();
      const byWindow = new Map<string, number[]>();
      for (const { id, archive, windowStart } of level) {
        const layout = this.layoutOf(id);
        if (layout === undefined || archive + 1 >= layout.archives.length || !this.index.has(id)) continue;
        const step = layout.archives[archive + 1].secondsPerPoint;
        const span = windowSeconds(step);
        const start = windowStart - (windowStart % span);
        const pair = pairKey(layout, archive + 1);
        const done = this.rollupDone.get(pair) ?? 0;
        const coveredThisSweep = start >= (before.get(pair) ?? done);
        if (start + span > done || coveredThisSweep) continue;
        const coarse = `${id}:${archive + 1}:${start}`;
        if (seen.has(coarse)) continue;
        seen.add(coarse);
        const key = `${archive + 1}:${start}`;
        const ids = byWindow.get(key) ?? [];
        if (ids.length === 0) byWindow.set(key, ids);
        ids.push(id);
        next.push({ id, archive: archive + 1, windowStart: start });
      }
      const batch = new RecordBatch(this.db);
      for (const [key, ids] of byWindow) {
        const [archive, start] = key.split(':').map(Number);
        await this.rollupWindows(ids, archive, start, batch);
      }
      await this.write(batch, true);
      level = next;
    }
  }

  /**
   * One window of archive k for each series, computed from archive k-1 with its aggregation method,
   * in slices with rests between them: a round over every series (each coarse window's end) took
   * the main thread flat out for seconds, 6 s at 100k series, starving StatsD receivers on 2 cores.
   */
  private async rollupWindows(ids: readonly number[], k: number, start: number, batch: RecordBatch): Promise<void> {
    for (let i = 0; i < ids.length; i += ROLLUP_SLICE) {
      const sliceStart = performance.now();
      await this.rollupSlice(ids, i, Math.min(ids.length, i + ROLLUP_SLICE), k, start, batch);
      // Written a batch at a time, each in its turn (one batch of every series' chunk held the main thread for its whole encoding).
      if (batch.full) await this.write(batch, false);
      const sliceMs = performance.now() - sliceStart;
      if (sliceMs > SWEEP_SLICE_MS) await this.pause(sliceMs);
    }
  }

  /** Rolls up window `start` of archive k for ids[from, to) into `batch`. */
  private async rollupSlice(ids: readonly number[], from: number, to: number, k: number, start: number, batch: RecordBatch): Promise<void> {
    const reads = this.sliceReads;
    reads.length = to - from;
    for (let i = from; i < to; i++) {
      const id = ids[i];
      const step = this.layoutOf(id).archives[k].secondsPerPoint;
      const read = (reads[i - from] ??= { id: 0, archive: 0, from: 0, until: 0 });
      read.id = id;
      read.archive = k - 1;
      read.from = start;
      read.until = start + windowSeconds(step);
    }
    const fine = await this.archives.readArchives(reads, false, this.sliceValues);
    const grid = this.sliceGrid;
    for (let i = from; i < to; i++) {
      const id = ids[i];
      const layout = this.layoutOf(id);
      const step = layout.archives[k].secondsPerPoint;
      const ratio = step / layout.archives[k - 1].secondsPerPoint;
      const { method, xFilesFactor } = layout.aggregation;
      const values = fine[i - from];
      aggregateRuns(method, values, ratio, grid, xFilesFactor);
      const chunk = this.encodeGrid(grid, start, step);
      if (!chunk) continue;
      this.queue(batch, id, step, start, chunk);
      this.stats.rollupChunks++;
    }
  }

  /** Puts a chunk into `batch`; its cached decode is dropped when the batch is written. */
  private queue(batch: RecordBatch, id: number, step: number, start: number, chunk: Uint8Array): void {
    batch.putChunk(id, step, start, chunk);
    this.queued.push(id, step, start);
  }

  /** Writes `batch`, then drops cached decodes of the chunks it held (reads find the new bytes now). */
  private async write(batch: RecordBatch, sync: boolean): Promise<void> {
    await batch.write(sync);
    const queued = this.queued;
    for (let i = 0; i < queued.length; i += 3) this.readCache.invalidate(queued[i], queued[i + 1], queued[i + 2]);
    queued.length = 0;
  }
}

const pairKeys = new WeakMap<Layout, string[]>();

/** "finer:step", the key of archive k's rollup watermark: made once per layout, not per window. */
function pairKey(layout: Layout, k: number): string {
  let keys = pairKeys.get(layout);
  if (keys === undefined) {
    const steps = layout.archives.map((a) => a.secondsPerPoint);
    keys = steps.map((step, i) => (i === 0 ? '' : `${steps[i - 1]}:${step}`));
    pairKeys.set(layout, keys);
  }
  return keys[k];
}
