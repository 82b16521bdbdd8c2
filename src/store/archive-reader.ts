/**
 * Reads archive values of series into grids of their step: from the head, the decoded-window
 * cache, the hot ring and LevelDB, with coarser windows not rolled up yet derived from the finer
 * archive, and gaps filled from layouts a series had before its schema changed.
 */
import type { ClassicLevel } from 'classic-level';
import { decodeChunkIntoGrid } from './chunk/index.js';
import type { DecodedWindowCache } from './decoded-cache.js';
import { yieldToEventLoop } from './event-loop.js';
import { POINTS_PER_CHUNK, type Head } from './head.js';
import { chunkKey } from './keys.js';
import { windowSeconds, type Layout } from './layout.js';
import { aggregateValues, type Archive } from './retention/index.js';

/** Series per slice of a read; between slices the read yields to the event loop. */
const READ_SLICE = 128;

/** One archive of one series over a step-aligned range [from, until). */
export interface ArchiveRange {
  id: number;
  archive: number;
  from: number;
  until: number;
}

/** What an ArchiveReader reads from: the engine's stores and per-series state, not the engine. */
export interface ArchiveSources {
  db: Pick<ClassicLevel<Uint8Array, Uint8Array>, 'getMany'>;
  head: Head;
  /** Decoded sealed windows; invalidated by the engine where a chunk is rewritten. */
  readCache: DecodedWindowCache;
  /** Rollup archive `step` is complete from `finer` up to this time, per "finer:step". */
  rollupDone: ReadonlyMap<string, number>;
  /** Archive layouts a series had before storage-schemas.conf changed, newest first. */
  earlierLayouts: ReadonlyMap<number, readonly (readonly Archive[])[]>;
  layoutOf(id: number): Layout;
  /** A sealed chunk of the finest archive from memory: the hot ring, or one not written yet. */
  sealedInMemory(id: number, start: number): Uint8Array | undefined;
}

/** NaN (no point) in the slots of the window at `out[at...]`, clipped to `out`. */
function fillWindowNaN(out: Float64Array, at: number): void {
  out.fill(NaN, Math.max(0, at), Math.min(out.length, at + POINTS_PER_CHUNK));
}

/** Copies a window's slots (src from offset) to `out[at...]`, clipped to `out`. */
function copyWindow(src: Float64Array, offset: number, out: Float64Array, at: number): void {
  const first = Math.max(0, -at);
  const end = Math.min(POINTS_PER_CHUNK, out.length - at);
  for (let slot = first; slot < end; slot++) out[at + slot] = src[offset + slot];
}

export class ArchiveReader {
  private readonly db: ArchiveSources['db'];
  private readonly head: Head;
  private readonly readCache: DecodedWindowCache;
  private readonly rollupDone: ReadonlyMap<string, number>;
  private readonly earlierLayouts: ReadonlyMap<number, readonly (readonly Archive[])[]>;
  private readonly layoutOf: (id: number) => Layout;
  private readonly sealedInMemory: (id: number, start: number) => Uint8Array | undefined;

  constructor(sources: ArchiveSources) {
    this.db = sources.db;
    this.head = sources.head;
    this.readCache = sources.readCache;
    this.rollupDone = sources.rollupDone;
    this.earlierLayouts = sources.earlierLayouts;
    this.layoutOf = sources.layoutOf;
    this.sealedInMemory = sources.sealedInMemory;
  }

  /** Up to where `archive` of `layout` holds rollups (Infinity for the finest archive, which is written directly). */
  private rolledUpTo(layout: Layout, archive: number): number {
    if (archive === 0) return Infinity;
    const { archives } = layout;
    return this.rollupDone.get(`${archives[archive - 1].secondsPerPoint}:${archives[archive].secondsPerPoint}`) ?? 0;
  }

  /** Buffers for small head blocks spread to whole windows, reused by each windowsInMemory call. */
  private readonly headSpreads: Float64Array[] = [];

  /**
   * Whether every window `reads` covers is in the head or the decoded cache (nothing to decode,
   * fetch, derive or fill from earlier layouts); if so, sources[k] from offsets[k] holds the k-th
   * window's slots, in the order readArchives visits them.
   */
  windowsInMemory(reads: readonly ArchiveRange[], cache: DecodedWindowCache | null, sources: Float64Array[], offsets: number[]): boolean {
    if (!cache) return false;
    // Written by index, never truncated: emptying the arrays would drop their backing stores, and
    // regrowing them cost 4 MB of garbage per 1,000-series read.
    let k = 0;
    let spreads = 0;
    for (const { id, archive, from, until } of reads) {
      if (this.earlierLayouts.has(id)) return false;
      const layout = this.layoutOf(id);
      const step = layout.archives[archive].secondsPerPoint;
      const span = windowSeconds(step);
      const rolledUpTo = this.rolledUpTo(layout, archive);
      for (let start = from - (from % span); start < until; start += span) {
        if (archive === 0) {
          const parity = (start / span) & 1;
          if (this.head.windowAt(id, parity) === start) {
            // Small head blocks are spread into a buffer of their own: the sources are read after the loop.
            const spread = (this.headSpreads[spreads++] ??= new Float64Array(POINTS_PER_CHUNK));
            const { values, offset } = this.head.slots(id, parity, spread);
            sources[k] = values;
            offsets[k++] = offset;
            continue;
          }
        } else if (start + span > rolledUpTo) return false;
        const entry = cache.find(id, step, start);
        if (entry < 0) return false;
        sources[k] = cache.slab(entry);
        offsets[k++] = cache.offset(entry);
      }
    }
    return true;
  }

  /**
   * Values of archive `archive` over [from, until) (step-aligned) for each request: head, decoded
   * window cache (when `cached`), hot ring, then one LevelDB getMany for everything else; coarser
   * windows not rolled up yet are computed from the finer archive. Rollups read uncached, so a sweep
   * over every series does not flush what queries use. With `buffers`, request r writes into
   * buffers[r] when it has the right length (and leaves a new array there otherwise).
   */
  async readArchives(
    requests: readonly ArchiveRange[],
    cached = false,
    buffers?: Float64Array[],
  ): Promise<Float64Array[]> {
    const cache = cached && this.readCache.capacity > 0 ? this.readCache : null;
    // Anything invalidated while getMany is out makes insert() refuse what it brings back.
    const generation = this.readCache.generation;
    const results: Float64Array[] = [];
    const keys: Uint8Array[] = [];
    const keyRequests: number[] = [];
    const keyStarts: number[] = [];
    const derived: { result: number; id: number; archive: number; start: number; until: number }[] = [];
    for (let r = 0; r < requests.length; r++) {
      // A read of thousands of series gives ingest and small queries a turn now and then.
      if ((r & (READ_SLICE - 1)) === READ_SLICE - 1) await yieldToEventLoop();
      const { id, archive, from, until } = requests[r];
      const layout = this.layoutOf(id);
      const step = layout.archives[archive].secondsPerPoint;
      // Not filled with NaN up front: every slot lies in one window, and each window below is either
      // copied whole (head, cache, derived) or NaN-filled before its chunk is decoded into it.
      const length = Math.max(0, (until - from) / step);
      let out = buffers?.[r];
      if (out?.length !== length) {
        out = new Float64Array(length);
        if (buffers) buffers[r] = out;
      }
      results.push(out);
      const span = windowSeconds(step);
      const rolledUpTo = this.rolledUpTo(layout, archive);
      for (let start = from - (from % span); start < until; start += span) {
        if (archive === 0) {
          const parity = (start / span) & 1;
          if (this.head.windowAt(id, parity) === start) {
            const { values, offset } = this.head.slots(id, parity);
            const at = (start - from) / step;
            const first = Math.max(0, -at);
            const end = Math.min(POINTS_PER_CHUNK, out.length - at);
            if (end > first) out.set(values.subarray(offset + first, offset + end), at + first);
            continue;
          }
        } else if (start + span > rolledUpTo) {
          derived.push({ result: r, id, archive, start, until: start + span });
          continue;
        }
        const entry = cache ? cache.find(id, step, start) : -1;
        if (entry >= 0) {
          copyWindow(cache!.slab(entry), cache!.offset(entry), out, (start - from) / step);
          continue;
        }
        const hot = archive === 0 ? this.sealedInMemory(id, start) : undefined;
        fillWindowNaN(out, (start - from) / step);
        if (hot) {
          this.decodeWindow(hot, out, from, id, step, start, cache, generation);
          continue;
        }
        keys.push(chunkKey(id, step, start));
        keyRequests.push(r);
        keyStarts.push(start);
      }
    }
    if (keys.length > 0) {
      const chunks = await this.db.getMany(keys);
      for (let i = 0; i < chunks.length; i++) {
        if ((i & (READ_SLICE * 64 - 1)) === READ_SLICE * 64 - 1) await yieldToEventLoop();
        const r = keyRequests[i];
        const { id, archive, from } = requests[r];
        const step = this.layoutOf(id).archives[archive].secondsPerPoint;
        const chunk = chunks[i];
        // A window with no chunk is cached empty too, so sparse series do not go to LevelDB each time.
        if (chunk) this.decodeWindow(chunk, results[r], from, id, step, keyStarts[i], cache, generation);
        else cache?.insert(id, step, keyStarts[i], generation);
      }
    }
    for (const d of derived) {
      const layout = this.layoutOf(d.id);
      const step = layout.archives[d.archive].secondsPerPoint;
      const finer = layout.archives[d.archive - 1].secondsPerPoint;
      const [fine] = await this.readArchives([{ id: d.id, archive: d.archive - 1, from: d.start, until: d.until }], cached);
      const out = results[d.result];
      const from = requests[d.result].from;
      const ratio = step / finer;
      const { method, xFilesFactor } = layout.aggregation;
      for (let slot = 0; slot < POINTS_PER_CHUNK; slot++) {
        const at = (d.start + slot * step - from) / step;
        if (at >= 0 && at < out.length) out[at] = aggregateValues(method, fine, slot * ratio, (slot + 1) * ratio, xFilesFactor);
      }
    }
    return results;
  }

  /** Decodes one sealed window into `out` (which starts at `from`), through the cache when it takes the window. */
  private decodeWindow(
    chunk: Uint8Array,
    out: Float64Array,
    from: number,
    id: number,
    step: number,
    start: number,
    cache: DecodedWindowCache | null,
    generation: number,
  ): void {
    const window = cache?.insert(id, step, start, generation);
    if (!window) {
      decodeChunkIntoGrid(chunk, out, from, step);
      return;
    }
    try {
      decodeChunkIntoGrid(chunk, window, start, step);
    } catch (err) {
      this.readCache.invalidate(id, step, start);
      throw err;
    }
    copyWindow(window, 0, out, (start - from) / step);
  }

  /**
   * Fills gaps in freshly read values from chunks a series wrote under an earlier layout: each
   * earlier archive is read by whisper's rule over its own retention; its points land in the slots
   * of the current step they fall in (aggregated with the series' method when several do).
   */
  async fillFromEarlierLayouts(
    wanted: readonly ArchiveRange[],
    values: Float64Array[],
    now: number,
  ): Promise<void> {
    for (let i = 0; i < wanted.length; i++) {
      const earlier = this.earlierLayouts.get(wanted[i].id);
      if (!earlier || !values[i].some((v) => v !== v)) continue;
      const { id, from, until } = wanted[i];
      const layout = this.layoutOf(id);
      const step = layout.archives[wanted[i].archive].secondsPerPoint;
      for (const archives of earlier) {
        const old = archives.find((a) => now - from <= a.retentionSeconds) ?? archives[archives.length - 1];
        const oldStep = old.secondsPerPoint;
        const span = windowSeconds(oldStep);
        const keys: Uint8Array[] = [];
        for (let start = from - (from % span); start < until; start += span) keys.push(chunkKey(id, oldStep, start));
        const grid = new Float64Array(Math.ceil((until - from) / oldStep) + 1).fill(NaN);
        const gridFrom = from - (from % oldStep);
        for (const chunk of await this.db.getMany(keys)) if (chunk) this.decodeInto(chunk, grid, gridFrom, oldStep);
        const out = values[i];
        const slot = new Float64Array(Math.max(1, Math.ceil(step / oldStep)));
        for (let at = 0; at < out.length; at++) {
          if (out[at] === out[at]) continue;
          const t = from + at * step;
          let n = 0;
          for (let u = t - (t % oldStep); u < t + step; u += oldStep) slot[n++] = grid[(u - gridFrom) / oldStep] ?? NaN;
          out[at] = aggregateValues(layout.aggregation.method, slot, 0, n, 0);
        }
      }
    }
  }

  private decodeInto(chunk: Uint8Array, out: Float64Array, from: number, step: number): void {
    decodeChunkIntoGrid(chunk, out, from, step);
  }
}
