/**
 * The storage engine: a carbon-like store with Graphite retention schemas.
 *
 *   append -> WAL -> head (open windows of the finest archive, fixed-step slots)
 *          -> sealed chunk (compressed) -> LevelDB, and the hot ring in memory
 *          -> rollups into coarser archives as their windows complete
 *
 * Disk is the source of truth for sealed data; the WAL covers what is still in the head.
 * Layouts: docs/format/{wal,chunk,leveldb}.md.
 */
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { PointBatchBuilder, type PointBatch } from '../points.js';
import { decodeChunkInto, decodeChunkIntoGrid, encodeChunk } from './chunk/index.js';
import { DecodedWindowCache } from './decoded-cache.js';
import { Head, POINTS_PER_CHUNK } from './head.js';
import { HotRing } from './hot-ring.js';
import { PathTrie } from './path-trie.js';
import { TagIndex } from './tag-index.js';
import { parseSeriesByTag } from '../names/tag-expression.js';
import { chunkKey, chunkStartFromKey, KeyPrefix, layoutKey, metaKey, SERIES_KEY_BYTES, seriesBlockKey, seriesIdFromKey, seriesKey, writeSeriesKey } from './keys.js';
import { RecordArena } from './record-arena.js';
import { eachSeriesInBlock, SeriesBlockWriter } from './series-blocks.js';
import { aggregateValues, type Aggregation, type Archive, type RetentionPolicy } from './retention/index.js';
import { SeriesIndex } from './series-index.js';
import { REJECTED_SERIES, type SeriesRange, type SeriesShape, type SeriesStore, type SeriesVisitor, type TagValueCount, type TreeNodes } from './series-store.js';
import { WriteAheadLog, type WalReplayStats } from './wal.js';

export interface StorageEngineOptions {
  dataDir: string;
  policy: RetentionPolicy;
  /** fdatasync of the WAL every this often; a power loss loses at most this much. */
  walSyncIntervalMs?: number;
  /** Memory for sealed chunks of the finest archive; past it the oldest windows are read from disk. */
  hotBudgetBytes?: number;
  /** How long after a window ends it still takes points in the head before it is sealed. */
  sealGraceSeconds?: number;
  maxSeries?: number;
  /** Series without writes for this long are deleted (0 = never). */
  expireAfterSeconds?: number;
  /** Clock in seconds; tests pass their own. */
  now?: () => number;
  /** Memory for decoded sealed windows kept for reads (0 turns the cache off). */
  readCacheBytes?: number;
}

export interface StorageStats {
  series: number;
  headOpenWindows: number;
  headBytes: number;
  hotBytes: number;
  droppedTooOld: number;
  droppedFuture: number;
  droppedInvalid: number;
  droppedSeriesLimit: number;
  latePoints: number;
  sealedChunks: number;
  rollupChunks: number;
  replay: WalReplayStats & { ms: number };
}

export class SeriesLimitError extends Error {
  override name = 'SeriesLimitError';
}

type Db = ClassicLevel<Uint8Array, Uint8Array>;

interface Layout {
  archives: readonly Archive[];
  aggregation: Aggregation;
  /** Longest retention: points older than this are dropped. */
  maxRetention: number;
}

/** A point that cannot go into the head: its window was sealed, or it belongs to a coarser archive. */
interface LatePoint {
  id: number;
  archive: number;
  timestamp: number;
  value: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const SEAL_SWEEP_MS = 5000;
/** Between a series name and its inline layout spec: a byte that never occurs in utf-8. */
const LAYOUT_SEPARATOR = 0xff;
/**
 * Records per LevelDB batch when a sweep writes many (new series, sealed chunks): building and
 * encoding a batch runs on the main thread, about 1 ms for this many, and queries wait behind it.
 */
const RECORDS_PER_BATCH = 256;
/** New series per `05` block: one LevelDB record of about 50 KB, encoded in well under a millisecond. */
const SERIES_PER_BLOCK = 1024;
/** Main-thread time a sweep's sealing pass or WAL checkpoint runs before it gives queries and ingest a turn. */
const SWEEP_SLICE_MS = 1;
/** Points per WAL frame of a checkpoint (256 KiB). */
const CHECKPOINT_FRAME_POINTS = 16_384;
/** Series per slice of a read; between slices the read yields to the event loop. */
const READ_SLICE = 128;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/**
 * Background work (a sweep's sealing pass, the WAL checkpoint) rests three times as long as its
 * slice ran: at most a quarter of a core. Sealing a window of 500k series takes the main thread
 * 1-2 s of CPU; taken flat out (or even at half a core) on a 2-core box saturated by StatsD
 * receivers, it left them short of CPU long enough to overflow their kernel buffers.
 */
const REST_PER_SLICE_MS = 3;
const restAfterSlice = (sliceMs: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(sliceMs * REST_PER_SLICE_MS))));
/** Series per LevelDB round trip when computing rollups. */
const ROLLUP_SLICE = 1000;
/** Points more than this far ahead of the clock are refused (clock skew allowance). */
const FUTURE_TOLERANCE_SECONDS = 600;

const windowSeconds = (step: number): number => step * POINTS_PER_CHUNK;
const NO_SOURCES: readonly Float64Array[] = [];

/** How a series' archive layouts are kept in LevelDB (key prefix 0x04). */
interface StoredLayouts {
  current: string;
  earlier: string[];
}

/** `10:60480,60:43200`: seconds per point and points of each archive. */
const layoutSpec = (archives: readonly Archive[]): string => archives.map((a) => `${a.secondsPerPoint}:${a.points}`).join(',');
const parseLayoutSpec = (spec: string): Archive[] =>
  spec.split(',').map((part) => {
    const [secondsPerPoint, points] = part.split(':').map(Number);
    return { secondsPerPoint, points, retentionSeconds: secondsPerPoint * points };
  });
const u32 = (value: number): Uint8Array => {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value);
  return bytes;
};
const readU32 = (bytes: Uint8Array): number => new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);

/** The binding hands out Buffers; a plain Uint8Array is wrapped, not copied. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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

export class StorageEngine implements SeriesStore {
  private readonly index = new SeriesIndex();
  /** Untagged names as a tree, for globs and /metrics/find. */
  private readonly tree = new PathTrie();
  /** Tagged names by tag and value, for seriesByTag and the /tags API. */
  private readonly tagIndex = new TagIndex();
  private readonly head = new Head();
  private readonly ring: HotRing;
  /** Decoded sealed windows for repeated reads; invalidated where a chunk is rewritten. */
  private readonly readCache: DecodedWindowCache;
  private readonly layouts: Layout[] = [];
  private readonly layoutKeys = new Map<readonly Archive[], Map<Aggregation, number>>();
  /** The layout registerSeries gave last. */
  private lastLayout = 0;
  private layoutOf = new Uint16Array(1024);
  private lastWrite = new Uint32Array(1024);
  /** Finest-archive windows before this (per step) are sealed: later points for them are late. */
  private readonly sealedBefore = new Map<number, number>();
  /** Rollup archive `step` is complete from `finer` up to this time, per "finer:step". */
  private readonly rollupDone = new Map<string, number>();
  private readonly expiredBefore = new Map<number, number>();
  /**
   * Archive layouts a series had before storage-schemas.conf changed, newest first: its old
   * chunks stay readable through them (no resize tool needed).
   */
  private readonly earlierLayouts = new Map<number, (readonly Archive[])[]>();
  private late: LatePoint[] = [];
  private writeChain: Promise<void> = Promise.resolve();
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private closed = false;
  private wal!: WriteAheadLog;
  private readonly now: () => number;
  private readonly grace: number;
  private readonly maxSeries: number;
  private readonly expireAfter: number;
  readonly stats: StorageStats;

  private constructor(
    private readonly db: Db,
    private readonly options: StorageEngineOptions,
  ) {
    this.ring = new HotRing(options.hotBudgetBytes ?? 4 * 1024 ** 3);
    this.readCache = new DecodedWindowCache(options.readCacheBytes ?? 512 * 1024 ** 2);
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.grace = options.sealGraceSeconds ?? 60;
    this.maxSeries = options.maxSeries ?? 10_000_000;
    this.expireAfter = options.expireAfterSeconds ?? 0;
    this.stats = {
      series: 0,
      headOpenWindows: 0,
      headBytes: 0,
      hotBytes: 0,
      droppedTooOld: 0,
      droppedFuture: 0,
      droppedInvalid: 0,
      droppedSeriesLimit: 0,
      latePoints: 0,
      sealedChunks: 0,
      rollupChunks: 0,
      replay: { segments: 0, records: 0, points: 0, bytes: 0, tornBytes: 0, ms: 0 },
    };
  }

  /** Opens (or creates) the store in `dataDir`: loads the index, replays the WAL, starts sealing. */
  static async open(options: StorageEngineOptions): Promise<StorageEngine> {
    const db: Db = new ClassicLevel(join(options.dataDir, 'db'), { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    const engine = new StorageEngine(db, options);
    await engine.load();
    return engine;
  }

  /** Visits every entry under one key prefix, fetched in large batches (a promise per entry is slow at 1M series). */
  private async eachEntry(prefix: number, visit: (key: Uint8Array, value: Uint8Array) => void): Promise<void> {
    const iterator = this.db.iterator({ gte: Uint8Array.of(prefix), lt: Uint8Array.of(prefix + 1) });
    try {
      for (;;) {
        const batch = await iterator.nextv(10_000);
        if (batch.length === 0) return;
        for (const [key, value] of batch) visit(key, value);
      }
    } finally {
      await iterator.close();
    }
  }

  /**
   * Ids from this one up have never reached LevelDB (no record, block entry or tombstone): a
   * new series among them can go into a `05` block, which a record written before could not
   * supersede.
   */
  private storedIdLimit = 0;

  /**
   * A series' `01` record or `05` block entry, `bytes[start, end)`: its name, and its layout spec
   * when inline. Decoded in place: a view per record cost as much as the decoding.
   */
  private loadSeriesRecord(id: number, bytes: Buffer, start: number, end: number): void {
    let separator = end - 1;
    while (separator >= start && bytes[separator] !== LAYOUT_SEPARATOR) separator--;
    const name = bytes.toString('utf8', start, separator < start ? end : separator);
    this.index.restore(id, name);
    this.registerSeries(id, name);
    if (separator < start) return;
    // A record with its layout inline (no 0x04 record): the layout the series was stored under.
    const spec = this.currentSpecBytes(this.layoutOf[id]);
    if (end - separator - 1 === spec.length && bytes.compare(spec, 0, spec.length, separator + 1, end) === 0) return;
    this.earlierLayouts.set(id, [parseLayoutSpec(bytes.toString('utf8', separator + 1, end))]);
    this.index.markUnsaved(id);
  }

  private async load(): Promise<void> {
    // `01` records first: one supersedes a block entry of its id, and an empty one (a tombstone) deletes it.
    const tombstones = new Set<number>();
    await this.eachEntry(KeyPrefix.series, (key, value) => {
      const id = seriesIdFromKey(key);
      this.storedIdLimit = Math.max(this.storedIdLimit, id + 1);
      if (value.length === 0) tombstones.add(id);
      else this.loadSeriesRecord(id, asBuffer(value), 0, value.length);
    });
    await this.eachEntry(KeyPrefix.seriesBlock, (_key, value) => {
      const block = asBuffer(value);
      eachSeriesInBlock(block, (id, start, end) => {
        this.storedIdLimit = Math.max(this.storedIdLimit, id + 1);
        if (this.index.name(id) === undefined && !tombstones.has(id)) this.loadSeriesRecord(id, block, start, end);
      });
    });
    await this.eachEntry(KeyPrefix.layout, (key, value) => {
      const id = seriesIdFromKey(key);
      if (this.index.name(id) === undefined) return;
      // Stores written before layouts went inline have this record for every series; most say
      // "current layout, no earlier one", recognised without parsing JSON.
      if (sameBytes(value, this.currentOnlyRecord(this.layoutOf[id]))) return;
      const stored = JSON.parse(dec.decode(value)) as StoredLayouts;
      const current = layoutSpec(this.layouts[this.layoutOf[id]].archives);
      const earlier = stored.current === current ? stored.earlier : [stored.current, ...stored.earlier];
      if (earlier.length > 0) this.earlierLayouts.set(id, earlier.map(parseLayoutSpec));
      else this.earlierLayouts.delete(id);
      if (stored.current !== current) this.index.markUnsaved(id);
    });
    await this.eachEntry(KeyPrefix.meta, (key, value) => {
      const name = dec.decode(key.subarray(1));
      const [kind, ...rest] = name.split(':');
      if (kind === 'sealed') this.sealedBefore.set(Number(rest[0]), readU32(value));
      else if (kind === 'rollup') this.rollupDone.set(rest.join(':'), readU32(value));
      else if (kind === 'expired') this.expiredBefore.set(Number(rest[0]), readU32(value));
    });
    const started = performance.now();
    // Writes the replay queues (late points, force-sealed windows) wait until the replayed deletions
    // are done: a series deleted and written again must not lose what it got after its deletion.
    let replayed!: () => void;
    this.writeChain = new Promise((resolve) => (replayed = resolve));
    const deleted = new Set<number>();
    const { wal, stats } = WriteAheadLog.open(join(this.options.dataDir, 'wal'), this.options.walSyncIntervalMs ?? 1000, {
      series: (id, name) => {
        if (this.index.name(id) === undefined) {
          this.deletedIds.delete(name);
          this.deletedNames.delete(id);
          this.index.restore(id, name, { unsaved: true });
          this.registerSeries(id, name);
        }
      },
      points: (batch) => this.apply(batch),
      deleted: (id) => {
        this.forgetSeries([id]);
        deleted.add(id);
      },
    });
    this.wal = wal;
    // LevelDB may still hold what a deletion was removing (a crash in between), or what the series
    // stored after it (its points after the deletion record are all in the log, replayed above).
    for (const id of deleted) await this.deleteStored(id);
    replayed();
    // Replayed late points are merged before the store is handed out, so reads see them.
    await this.writeChain;
    this.stats.replay = { ...stats, ms: performance.now() - started };
    this.sweepTimer = setInterval(() => void this.sweep(), SEAL_SWEEP_MS);
    this.sweepTimer.unref();
  }

  seriesId(name: string): number {
    const known = this.index.get(name);
    if (known !== undefined) return known;
    // Asked only when there are any: a Map lookup hashes the whole name again.
    const deleted = this.deletedIds.size > 0 ? this.deletedIds.get(name) : undefined;
    if (deleted !== undefined) {
      this.revive(deleted);
      return deleted;
    }
    if (this.index.size >= this.maxSeries) {
      this.stats.droppedSeriesLimit++;
      return REJECTED_SERIES;
    }
    const id = this.index.add(name);
    this.registerSeries(id, name);
    this.wal.logSeries(id, name);
    return id;
  }

  prefetch(names: readonly string[], from: number, to: number): void {
    this.index.prefetch(names, from, to);
    this.tree.prefetch(names, from, to);
  }

  seriesCount(): number {
    return this.index.size;
  }

  names(): Iterable<string> {
    return this.index.names();
  }

  /** Untagged series names matching a Graphite glob, sorted. */
  match(pattern: string): string[] {
    return this.tree.match(pattern);
  }

  /** Nodes of the metric tree matching a glob at its depth (for /metrics/find). */
  find(pattern: string): TreeNodes {
    return this.tree.find(pattern);
  }

  /** Tagged series names selected by graphite-web tag expressions, sorted; QueryError on bad ones. */
  seriesByTag(expressions: readonly string[]): string[] {
    return this.tagIndex.select(parseSeriesByTag(expressions));
  }

  tagNames(prefix?: string, limit?: number): string[] {
    return this.tagIndex.tagNames(prefix, limit);
  }

  tagValues(tag: string, prefix?: string, limit?: number): TagValueCount[] {
    return this.tagIndex.tagValues(tag, prefix, limit);
  }

  append(batch: PointBatch): void {
    if (this.closed) throw new Error('storage engine is closed');
    // A writer may still hold the id of a deleted series: it comes back before its points are
    // logged, so the log names it ahead of them (replay drops points of an id it does not know).
    if (this.deletedNames.size > 0) {
      for (let i = 0; i < batch.length; i++) {
        const id = batch.seriesIds[i];
        if (this.index.name(id) === undefined && this.deletedNames.has(id)) this.revive(id);
      }
    }
    this.wal.logPoints(batch);
    this.apply(batch);
  }

  /** Puts points into the head, or queues them as late; shared by append and WAL replay. */
  private apply(batch: PointBatch): void {
    const now = this.now();
    const { seriesIds, timestamps, values } = batch;
    for (let i = 0; i < batch.length; i++) {
      const id = seriesIds[i];
      const value = values[i];
      if (id === REJECTED_SERIES) continue;
      if (this.index.name(id) === undefined && !this.revive(id)) continue;
      if (!Number.isFinite(value)) {
        this.stats.droppedInvalid++;
        continue;
      }
      const layout = this.layouts[this.layoutOf[id]];
      const finest = layout.archives[0];
      const step = finest.secondsPerPoint;
      const t = timestamps[i] - (timestamps[i] % step);
      if (t > now + FUTURE_TOLERANCE_SECONDS) {
        this.stats.droppedFuture++;
        continue;
      }
      const age = now - t;
      if (age >= layout.maxRetention) {
        this.stats.droppedTooOld++;
        continue;
      }
      if (t > this.lastWrite[id]) this.lastWrite[id] = t;
      if (age >= finest.retentionSeconds) {
        const archive = layout.archives.findIndex((a) => age < a.retentionSeconds);
        this.queueLate(id, archive, timestamps[i], value);
        continue;
      }
      const span = windowSeconds(step);
      const windowStart = t - (t % span);
      const parity = (windowStart / span) & 1;
      // A window behind the seal mark may still be open while a sweep works through the head.
      // The head is asked first: a point for an open window (nearly all) then skips the Map lookup.
      if (this.head.windowAt(id, parity) !== windowStart && windowStart < (this.sealedBefore.get(step) ?? 0)) {
        this.queueLate(id, 0, t, value);
        continue;
      }
      const slot = (t - windowStart) / step;
      if (this.head.write(id, windowStart, parity, slot, value)) continue;
      const occupant = this.head.windowAt(id, parity);
      if (occupant < windowStart) {
        // Two windows ahead of an unsealed one (a backfill or a long gap): seal the old one now.
        this.sealWindow(id, parity, step, occupant);
        this.head.write(id, windowStart, parity, slot, value);
      } else {
        this.queueLate(id, 0, t, value);
      }
    }
  }

  private queueLate(id: number, archive: number, timestamp: number, value: number): void {
    this.stats.latePoints++;
    this.late.push({ id, archive, timestamp, value });
    if (this.late.length === 1) this.enqueueWrite(() => this.writeLate());
  }

  /** Runs storage writes one after another; errors are logged, never thrown into ingest. */
  /**
   * Failed storage writes since start. After one, the WAL is never trimmed again: what failed is
   * only in the log, and the next start replays it.
   */
  private writeFailures = 0;

  private enqueueWrite(task: () => Promise<void>): Promise<void> {
    this.writeChain = this.writeChain.then(task).catch((err: Error) => {
      this.writeFailures++;
      console.error(`carbonado: storage write failed: ${err.stack ?? err.message}`);
    });
    return this.writeChain;
  }

  /** Per-series derived state: archive layout, and the metric tree for untagged names. */
  private registerSeries(id: number, name: string): void {
    if (!name.includes(';')) this.tree.add(name);
    else this.tagIndex.add(id, name);
    const archives = this.options.policy.archivesFor(name);
    const aggregation = this.options.policy.aggregationFor(name);
    // The policy hands out one shared object per rule, so the pair identifies the layout; a burst
    // of new series nearly always has the pair of the series before.
    let layout = this.lastLayout;
    if (archives !== this.layouts[layout]?.archives || aggregation !== this.layouts[layout].aggregation) {
      let byAggregation = this.layoutKeys.get(archives);
      if (!byAggregation) this.layoutKeys.set(archives, (byAggregation = new Map()));
      let found = byAggregation.get(aggregation);
      if (found === undefined) {
        found = this.layouts.length;
        this.layouts.push({ archives, aggregation, maxRetention: Math.max(...archives.map((a) => a.retentionSeconds)) });
        byAggregation.set(aggregation, found);
      }
      layout = this.lastLayout = found;
    }
    if (id >= this.layoutOf.length) {
      let capacity = this.layoutOf.length;
      while (capacity <= id) capacity *= 2;
      const grown = new Uint16Array(capacity);
      grown.set(this.layoutOf);
      this.layoutOf = grown;
      const lastWrite = new Uint32Array(capacity);
      lastWrite.set(this.lastWrite);
      this.lastWrite = lastWrite;
    }
    this.layoutOf[id] = layout;
    this.lastWrite[id] = this.now();
  }

  // ---- sealing ---------------------------------------------------------------------------

  private readonly sealTs = new Uint32Array(POINTS_PER_CHUNK);
  private readonly sealValues = new Float64Array(POINTS_PER_CHUNK);

  /** Compresses one open window, hands the chunk to the write queue and frees the slots. */
  private sealWindow(id: number, parity: number, step: number, windowStart: number): void {
    const { values, offset, firstSlot, slots } = this.head.block(id, parity);
    let n = 0;
    for (let j = 0; j < slots; j++) {
      const v = values[offset + j];
      if (v === v) {
        this.sealTs[n] = windowStart + (firstSlot + j) * step;
        this.sealValues[n++] = v;
      }
    }
    this.head.release(id, parity);
    if (n === 0) return;
    const chunk = encodeChunk(this.sealTs, this.sealValues, 0, n);
    this.stats.sealedChunks++;
    this.ring.put(id, windowStart, chunk);
    this.readCache.invalidate(id, step, windowStart);
    this.pendingPuts.push({ key: chunkKey(id, step, windowStart), value: chunk });
    let byId = this.unflushed.get(windowStart);
    if (!byId) this.unflushed.set(windowStart, (byId = new Map()));
    byId.set(id, chunk);
    this.pendingRollups.push({ id, archive: 0, windowStart });
  }

  private pendingPuts: { key: Uint8Array; value: Uint8Array }[] = [];
  /**
   * The chunks of pendingPuts until their batch is in LevelDB, by window start and series id:
   * reads find them here when the hot ring did not keep them (over budget, or an old window
   * sealed by a backfill).
   */
  private readonly unflushed = new Map<number, Map<number, Uint8Array>>();

  /** A sealed chunk of the finest archive from memory: the hot ring, or one not written yet. */
  private sealedInMemory(id: number, start: number): Uint8Array | undefined {
    return this.ring.get(id, start) ?? this.unflushed.get(start)?.get(id);
  }
  private pendingRollups: { id: number; archive: number; windowStart: number }[] = [];

  /** Seals every window that ended more than the grace period ago, rolls up, trims the WAL. */
  sweep(): Promise<void> {
    this.sweeping ??= this.runSweep().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async runSweep(): Promise<void> {
    if (this.closed) return;
    const now = this.now();
    const steps = new Set(this.layouts.map((l) => l.archives[0].secondsPerPoint));
    const cutoffs = new Map<number, number>();
    for (const step of steps) {
      const span = windowSeconds(step);
      const cutoff = Math.floor((now - this.grace) / span) * span;
      if (cutoff > (this.sealedBefore.get(step) ?? 0)) cutoffs.set(step, cutoff);
    }
    const sealing = cutoffs.size > 0;
    const keepWalFrom = sealing ? this.wal.rotate() : 0;
    // Marked before the pass, which yields to ingest: a point for a window it already sealed is late, not a new head window.
    for (const [step, cutoff] of cutoffs) this.sealedBefore.set(step, cutoff);
    if (sealing) {
      let sliceStart = performance.now();
      for (let id = 0; id < this.index.idLimit; id++) {
        if (this.index.name(id) === undefined) continue;
        const step = this.layouts[this.layoutOf[id]].archives[0].secondsPerPoint;
        const cutoff = cutoffs.get(step);
        if (cutoff === undefined) continue;
        const span = windowSeconds(step);
        for (const parity of [0, 1]) {
          const start = this.head.windowAt(id, parity);
          if (start >= 0 && start + span <= cutoff) this.sealWindow(id, parity, step, start);
        }
        if ((id & 63) === 63 && performance.now() - sliceStart > SWEEP_SLICE_MS) {
          await this.pauseBackgroundWork(performance.now() - sliceStart);
          sliceStart = performance.now();
        }
      }
    }
    await this.enqueueWrite(() => this.flushSealed(cutoffs));
    await this.enqueueWrite(() => this.runRollups(now));
    await this.enqueueWrite(() => this.expire(now));
    // Trimming the WAL is safe only if everything it covers reached LevelDB.
    if (sealing && this.writeFailures === 0) {
      await this.enqueueWrite(() => this.checkpointWal(keepWalFrom));
    }
    const hotWindow = Math.max(...this.layouts.map((l) => l.archives[0].retentionSeconds));
    if (Number.isFinite(hotWindow)) this.ring.evictBefore(now - hotWindow);
    if (sealing) this.ring.trim(this.index.idLimit);
    this.refreshStats();
  }

  /** Per layout index: its spec (`10:60480,60:43200`) as utf-8, and the JSON layouts record of a series that never had another layout. */
  private readonly specBytes: Uint8Array[] = [];
  private readonly currentOnlyRecords: Uint8Array[] = [];

  private currentSpecBytes(layout: number): Uint8Array {
    return (this.specBytes[layout] ??= enc.encode(layoutSpec(this.layouts[layout].archives)));
  }

  /** Per layout index: the separator and spec that follow a name in its record. */
  private readonly inlineSuffixes: Uint8Array[] = [];

  private inlineSuffix(layout: number): Uint8Array {
    if (this.inlineSuffixes[layout] === undefined) {
      const spec = this.currentSpecBytes(layout);
      const suffix = new Uint8Array(1 + spec.length);
      suffix[0] = LAYOUT_SEPARATOR;
      suffix.set(spec, 1);
      this.inlineSuffixes[layout] = suffix;
    }
    return this.inlineSuffixes[layout];
  }

  private currentOnlyRecord(layout: number): Uint8Array {
    return (this.currentOnlyRecords[layout] ??= enc.encode(JSON.stringify({ current: layoutSpec(this.layouts[layout].archives), earlier: [] } satisfies StoredLayouts)));
  }

  /**
   * The LevelDB records of a series: its name with the layout inline, or, when it has earlier
   * layouts, its bare name and a 0x04 layouts record (docs/format/leveldb.md).
   */
  private pushSeriesRecords(ops: { type: 'put'; key: Uint8Array; value: Uint8Array }[], arena: RecordArena, id: number, name: string): void {
    this.storedIdLimit = Math.max(this.storedIdLimit, id + 1);
    const layout = this.layoutOf[id];
    const earlier = this.earlierLayouts.get(id);
    if (earlier !== undefined) {
      const layouts: StoredLayouts = { current: layoutSpec(this.layouts[layout].archives), earlier: earlier.map(layoutSpec) };
      ops.push({ type: 'put', key: seriesKey(id), value: enc.encode(name) });
      ops.push({ type: 'put', key: layoutKey(id), value: enc.encode(JSON.stringify(layouts)) });
      return;
    }
    const spec = this.currentSpecBytes(layout);
    const key = writeSeriesKey(arena.take(SERIES_KEY_BYTES), id);
    const value = arena.take(name.length * 3 + 1 + spec.length);
    const { written } = enc.encodeInto(name, value);
    value[written] = LAYOUT_SEPARATOR;
    value.set(spec, written + 1);
    ops.push({ type: 'put', key, value: arena.shorten(value, written + 1 + spec.length) });
  }

  /**
   * Writes new series names, sealed chunks and then the seal marks, the last batch synced. Records
   * go in small batches, so a burst of new series or a sweep sealing every series does not hold the
   * event loop in one piece; names and chunks ahead of their seal mark are harmless (the WAL has
   * them too, and sealing them again writes the same chunk).
   */
  private async flushSealed(cutoffs: Map<number, number>): Promise<void> {
    const puts = this.pendingPuts;
    this.pendingPuts = [];
    const unsaved = this.index.takeUnsaved();
    const arena = new RecordArena();
    let ops: { type: 'put'; key: Uint8Array; value: Uint8Array }[] = [];
    const fresh: number[] = [];
    for (let i = 0; i < unsaved.length; i++) {
      const id = unsaved[i];
      const name = this.index.name(id);
      if (name === undefined) continue;
      if (id >= this.storedIdLimit && !this.earlierLayouts.has(id)) fresh.push(id);
      else this.pushSeriesRecords(ops, arena, id, name);
      if (ops.length >= RECORDS_PER_BATCH) {
        await this.db.batch(ops);
        ops = [];
      }
    }
    // Ascending, so each block's key (its first id) is above every id stored before it.
    fresh.sort((a, b) => a - b);
    const block = new SeriesBlockWriter();
    let firstId = 0;
    for (let i = 0; i < fresh.length; i++) {
      const id = fresh[i];
      const name = this.index.name(id);
      if (name !== undefined && id !== fresh[i - 1]) {
        if (block.size === 0) firstId = id;
        block.add(id, name, this.inlineSuffix(this.layoutOf[id]));
      }
      if (block.size === 0 || (block.size < SERIES_PER_BLOCK && i < fresh.length - 1)) continue;
      this.storedIdLimit = id + 1;
      ops.push({ type: 'put', key: seriesBlockKey(firstId), value: block.take() });
      // The last block stays for the synced batch below.
      if (i < fresh.length - 1) {
        await this.db.batch(ops);
        ops = [];
      }
    }
    for (let i = 0; i < puts.length; i++) {
      ops.push({ type: 'put', key: puts[i].key, value: puts[i].value });
      // The last chunk stays for the synced batch, which makes the ones before it durable too.
      if (ops.length >= RECORDS_PER_BATCH && i < puts.length - 1) {
        await this.db.batch(ops);
        ops = [];
      }
    }
    for (const [step, cutoff] of cutoffs) ops.push({ type: 'put', key: metaKey(`sealed:${step}`), value: u32(cutoff) });
    if (ops.length > 0) await this.db.batch(ops, { sync: true });
    for (const { key, value } of puts) {
      const start = chunkStartFromKey(key);
      const byId = this.unflushed.get(start);
      const id = seriesIdFromKey(key);
      // A window sealed again meanwhile keeps its newer chunk here until that one is written.
      if (byId?.get(id) === value) byId.delete(id);
      if (byId?.size === 0) this.unflushed.delete(start);
    }
  }

  /**
   * The head's points, logged again into the current segment: after that, older segments hold
   * nothing that is not in LevelDB, and are deleted. Logged in frames of CHECKPOINT_FRAME_POINTS,
   * yielding to ingest and queries every SWEEP_SLICE_MS: a series' head is logged as it is at its
   * turn, and whatever ingest appends meanwhile is logged after it by append() itself.
   */
  private async checkpointWal(keepFrom: number): Promise<void> {
    const batch = new PointBatchBuilder(CHECKPOINT_FRAME_POINTS);
    const logFull = (): void => {
      if (batch.length < CHECKPOINT_FRAME_POINTS) return;
      this.wal.logPoints(batch);
      batch.clear();
    };
    const logSealed = (from: number): void => {
      for (let k = from; k < this.pendingPuts.length; k++) {
        const { key, value } = this.pendingPuts[k];
        const id = seriesIdFromKey(key);
        const n = decodeChunkInto(value, this.gridTs, this.gridValues);
        for (let i = 0; i < n; i++) batch.push(id, this.gridTs[i], this.gridValues[i]);
        logFull();
      }
    };
    // First (they are older than the head's windows): windows sealed since the last flush (in apply(), while the sweep awaited) are not in LevelDB yet.
    const sealedBefore = this.pendingPuts.length;
    logSealed(0);
    let sliceStart = performance.now();
    for (let id = 0; id < this.index.idLimit; id++) {
      if (this.index.name(id) === undefined) continue;
      const step = this.layouts[this.layoutOf[id]].archives[0].secondsPerPoint;
      for (const parity of [0, 1]) {
        const start = this.head.windowAt(id, parity);
        if (start < 0) continue;
        const { values, offset, firstSlot, slots } = this.head.block(id, parity);
        for (let j = 0; j < slots; j++) {
          const v = values[offset + j];
          if (v === v) batch.push(id, start + (firstSlot + j) * step, v);
        }
      }
      logFull();
      if ((id & 63) === 63 && performance.now() - sliceStart > SWEEP_SLICE_MS) {
        await this.pauseBackgroundWork(performance.now() - sliceStart);
        sliceStart = performance.now();
      }
    }
    // Windows ingest sealed while this yielded, some before their series' turn: their points left the head unlogged.
    logSealed(sealedBefore);
    this.wal.logPoints(batch);
    await this.wal.syncInPool();
    await this.wal.removeBefore(keepFrom);
  }

  // ---- late points and rollups -------------------------------------------------------------

  /** Merges queued late points into their chunks (read, merge, rewrite), then their rollups. */
  private async writeLate(): Promise<void> {
    while (this.late.length > 0) {
      // A sealed window waiting for the sweep's flush may have left the hot ring already: written
      // first, so the merge reads it and the flush cannot overwrite the merge.
      if (this.pendingPuts.length > 0) await this.flushSealed(new Map());
      const late = this.late;
      this.late = [];
      const groups = new Map<string, LatePoint[]>();
      for (const p of late) {
        const step = this.layouts[this.layoutOf[p.id]].archives[p.archive].secondsPerPoint;
        const t = p.timestamp - (p.timestamp % step);
        const start = t - (t % windowSeconds(step));
        const key = `${p.id}:${p.archive}:${start}`;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = []));
        group.push({ ...p, timestamp: t });
      }
      const ops: { type: 'put'; key: Uint8Array; value: Uint8Array }[] = [];
      const touched: { id: number; archive: number; windowStart: number }[] = [];
      for (const [key, points] of groups) {
        const [id, archive, start] = key.split(':').map(Number);
        if (this.index.name(id) === undefined) continue;
        const step = this.layouts[this.layoutOf[id]].archives[archive].secondsPerPoint;
        const grid = await this.readStoredWindow(id, archive, step, start);
        for (const p of points) grid[(p.timestamp - start) / step] = p.value;
        const chunk = this.encodeGrid(grid, start, step);
        if (!chunk) continue;
        ops.push({ type: 'put', key: chunkKey(id, step, start), value: chunk });
        if (archive === 0 && this.ring.get(id, start) !== undefined) this.ring.put(id, start, chunk);
        this.readCache.invalidate(id, step, start);
        touched.push({ id, archive, windowStart: start });
      }
      if (ops.length > 0) await this.db.batch(ops, { sync: true });
      this.forgetDecoded(ops);
      this.pendingRollups.push(...touched);
    }
  }

  private readonly gridTs = new Uint32Array(POINTS_PER_CHUNK);
  private readonly gridValues = new Float64Array(POINTS_PER_CHUNK);

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
  private async runRollups(now: number): Promise<void> {
    const changed = new Map<string, { id: number; archive: number; windowStart: number }>();
    for (const r of this.pendingRollups) changed.set(`${r.id}:${r.archive}:${r.windowStart}`, r);
    this.pendingRollups = [];
    const before = new Map(this.rollupDone);
    const depth = Math.max(0, ...this.layouts.map((l) => l.archives.length));
    for (let k = 1; k < depth; k++) {
      for (const layout of this.layouts) {
        if (k >= layout.archives.length) continue;
        const finer = layout.archives[k - 1].secondsPerPoint;
        const step = layout.archives[k].secondsPerPoint;
        const pair = `${finer}:${step}`;
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
          if (this.index.name(id) === undefined) continue;
          const l = this.layouts[this.layoutOf[id]];
          if (l.archives[k]?.secondsPerPoint === step && l.archives[k - 1].secondsPerPoint === finer) ids.push(id);
        }
        const ops: { type: 'put'; key: Uint8Array; value: Uint8Array }[] = [];
        for (let start = Math.max(done, target - layout.archives[k].retentionSeconds); start < target; start += span) {
          for (let i = 0; i < ids.length; i += ROLLUP_SLICE) {
            const slice = ids.slice(i, i + ROLLUP_SLICE);
            const chunks = await this.rollupWindows(slice, k, start);
            chunks.forEach((chunk, j) => {
              if (chunk) ops.push({ type: 'put', key: chunkKey(slice[j], step, start), value: chunk });
            });
          }
        }
        this.stats.rollupChunks += ops.length;
        await this.db.batch([...ops, { type: 'put', key: metaKey(`rollup:${pair}`), value: u32(target) }], { sync: true });
        this.forgetDecoded(ops);
        this.rollupDone.set(pair, target);
      }
    }
    // Changed windows behind a watermark: redo the coarser windows that contain them, level by level.
    let level = changed;
    while (level.size > 0) {
      const next = new Map<string, { id: number; archive: number; windowStart: number }>();
      const byWindow = new Map<string, number[]>();
      for (const { id, archive, windowStart } of level.values()) {
        const archives = this.layouts[this.layoutOf[id]]?.archives;
        if (!archives || archive + 1 >= archives.length || this.index.name(id) === undefined) continue;
        const step = archives[archive + 1].secondsPerPoint;
        const span = windowSeconds(step);
        const start = windowStart - (windowStart % span);
        const pair = `${archives[archive].secondsPerPoint}:${step}`;
        const done = this.rollupDone.get(pair) ?? 0;
        const coveredThisSweep = start >= (before.get(pair) ?? done);
        if (start + span > done || coveredThisSweep) continue;
        const key = `${archive + 1}:${start}`;
        const ids = byWindow.get(key) ?? [];
        if (ids.length === 0) byWindow.set(key, ids);
        if (!next.has(`${id}:${archive + 1}:${start}`)) ids.push(id);
        next.set(`${id}:${archive + 1}:${start}`, { id, archive: archive + 1, windowStart: start });
      }
      const ops: { type: 'put'; key: Uint8Array; value: Uint8Array }[] = [];
      for (const [key, ids] of byWindow) {
        const [archive, start] = key.split(':').map(Number);
        const chunks = await this.rollupWindows(ids, archive, start);
        chunks.forEach((chunk, j) => {
          const step = this.layouts[this.layoutOf[ids[j]]].archives[archive].secondsPerPoint;
          if (chunk) ops.push({ type: 'put', key: chunkKey(ids[j], step, start), value: chunk });
        });
      }
      this.stats.rollupChunks += ops.length;
      if (ops.length > 0) await this.db.batch(ops, { sync: true });
      this.forgetDecoded(ops);
      level = next;
    }
  }

  /** One window of archive k for each series, computed from archive k-1 with its aggregation method. */
  private async rollupWindows(ids: readonly number[], k: number, start: number): Promise<(Uint8Array | null)[]> {
    const requests = ids.map((id) => {
      const step = this.layouts[this.layoutOf[id]].archives[k].secondsPerPoint;
      return { id, archive: k - 1, from: start, until: start + windowSeconds(step) };
    });
    const fine = await this.readArchives(requests);
    const grid = new Float64Array(POINTS_PER_CHUNK);
    return ids.map((id, i) => {
      const layout = this.layouts[this.layoutOf[id]];
      const step = layout.archives[k].secondsPerPoint;
      const ratio = step / layout.archives[k - 1].secondsPerPoint;
      const { method, xFilesFactor } = layout.aggregation;
      for (let slot = 0; slot < POINTS_PER_CHUNK; slot++) grid[slot] = aggregateValues(method, fine[i], slot * ratio, (slot + 1) * ratio, xFilesFactor);
      return this.encodeGrid(grid, start, step);
    });
  }

  // ---- reads ---------------------------------------------------------------------------------

  /**
   * Reads many series over [from, until): per series the finest archive whose retention covers
   * `from` (whisper's rule), with whisper's interval alignment and clipping to now.
   */
  async read(names: readonly string[], from: number, until: number): Promise<SeriesRange[]> {
    const now = this.now();
    const wanted = this.planRead(names, from, until, now);
    const values = await this.readArchives(wanted, true, readBuffers(wanted, this.layouts, this.layoutOf));
    await this.fillFromEarlierLayouts(wanted, values, now);
    return wanted.map((w, i) => ({ ...this.shapeOf(w), values: values[i] }));
  }

  /**
   * read() handed to a visitor series by series, READ_EACH_SLICE series at a time: a slice whose
   * windows are all in the head or the decoded cache (a warm read) is handed over straight from
   * there, with no copy; any other slice is read as read() does into arrays reused from slice to
   * slice, then handed over whole.
   */
  async readEach(names: readonly string[], from: number, until: number, visitor: SeriesVisitor): Promise<void> {
    const now = this.now();
    const wanted = this.planRead(names, from, until, now);
    const cache = this.readCache.capacity > 0 ? this.readCache : null;
    // Two sets: a cold slice is handed over from one while the next one is read into the other.
    const buffers: [Float64Array[], Float64Array[]] = [[], []];
    const sources: Float64Array[] = [];
    const offsets: number[] = [];
    const readSlice = async (slice: readonly ReadRequest[], into: Float64Array[]): Promise<Float64Array[]> => {
      const values = await this.readArchives(slice, true, into);
      await this.fillFromEarlierLayouts(slice, values, now);
      return values;
    };
    /** The read of the next slice, begun while the current cold one was still being fetched. */
    let ahead: Promise<Float64Array[]> | undefined;
    try {
      for (let i = 0, n = 0; i < wanted.length; i += READ_EACH_SLICE, n++) {
        // Ingest and small queries get a turn between slices (a warm slice takes well under 1 ms).
        if (i > 0) await yieldToEventLoop();
        const slice = wanted.slice(i, i + READ_EACH_SLICE);
        let read = ahead;
        ahead = undefined;
        if (!read) {
          if (this.windowsInMemory(slice, cache, sources, offsets)) {
            // Synchronous from here: nothing can evict a window before it is handed over.
            if (!this.handOverWindows(slice, sources, offsets, visitor)) return;
            continue;
          }
          read = readSlice(slice, buffers[n & 1]);
        }
        // The next slice is most likely cold too: its chunks come from LevelDB's threads while
        // this one's are decoded here, instead of one round trip after the other.
        const next = i + READ_EACH_SLICE;
        if (next < wanted.length) {
          ahead = readSlice(wanted.slice(next, next + READ_EACH_SLICE), buffers[(n + 1) & 1]);
          ahead.catch(() => {}); // awaited at its turn, or below when the read ends early
        }
        if (!this.handOverArrays(slice, await read, visitor)) return;
      }
    } finally {
      // Nothing of this read keeps running once it has returned.
      await ahead?.catch(() => {});
    }
  }

  /** Scratch for the WindowRuns readEach hands over: reused from slice to slice and read to read. */
  private readonly run = {
    series: 0,
    windows: 0,
    sources: NO_SOURCES as readonly Float64Array[],
    offsets: [] as number[],
    at: new Int32Array(0),
    skip: new Int32Array(0),
    count: new Int32Array(0),
  };

  /** The run scratch with room for `windows` windows. */
  private runFor(windows: number): typeof this.run {
    const run = this.run;
    if (run.at.length < windows) {
      run.at = new Int32Array(windows);
      run.skip = new Int32Array(windows);
      run.count = new Int32Array(windows);
    }
    return run;
  }

  /** The step every read of `reads` has, when they also share from and until; 0 otherwise. */
  private commonGrid(reads: readonly ReadRequest[]): number {
    const { from, until } = reads[0];
    const step = this.layouts[this.layoutOf[reads[0].id]].archives[reads[0].archive].secondsPerPoint;
    for (const w of reads) {
      if (w.from !== from || w.until !== until) return 0;
      if (this.layouts[this.layoutOf[w.id]].archives[w.archive].secondsPerPoint !== step) return 0;
    }
    return step;
  }

  /** Hands windowsInMemory's windows to the visitor, in one run when it takes runs; false when it stopped the read. */
  private handOverWindows(slice: readonly ReadRequest[], sources: Float64Array[], offsets: number[], visitor: SeriesVisitor): boolean {
    const step = visitor.run ? this.commonGrid(slice) : 0;
    if (step > 0) {
      const { from, until } = slice[0];
      const span = windowSeconds(step);
      const length = (until - from) / step;
      const windows = Math.ceil((until - (from - (from % span))) / span);
      const run = this.runFor(windows);
      for (let k = 0, start = from - (from % span); k < windows; k++, start += span) {
        const at = (start - from) / step;
        const first = Math.max(0, -at);
        run.at[k] = at + first;
        run.skip[k] = first;
        run.count[k] = Math.max(0, Math.min(POINTS_PER_CHUNK, length - at) - first);
      }
      for (const w of slice) if (!visitor.series(this.shapeOf(w))) return false;
      run.series = slice.length;
      run.windows = windows;
      run.sources = sources;
      run.offsets = offsets;
      visitor.run!(run);
      run.sources = NO_SOURCES; // the scratch does not keep this read's arrays alive
      return true;
    }
    let k = 0;
    for (const w of slice) {
      if (!visitor.series(this.shapeOf(w))) return false;
      const step = this.layouts[this.layoutOf[w.id]].archives[w.archive].secondsPerPoint;
      const span = windowSeconds(step);
      const length = (w.until - w.from) / step;
      for (let start = w.from - (w.from % span); start < w.until; start += span, k++) {
        const at = (start - w.from) / step;
        const first = Math.max(0, -at);
        const end = Math.min(POINTS_PER_CHUNK, length - at);
        if (end > first) visitor.points(sources[k], offsets[k] + first, at + first, end - first);
      }
    }
    return true;
  }

  /** Hands whole arrays read for `slice` to the visitor, as one run of one window each when it takes runs. */
  private handOverArrays(slice: readonly ReadRequest[], values: Float64Array[], visitor: SeriesVisitor): boolean {
    if (visitor.run && this.commonGrid(slice) > 0) {
      for (const w of slice) if (!visitor.series(this.shapeOf(w))) return false;
      const run = this.runFor(1);
      run.at[0] = 0;
      run.skip[0] = 0;
      run.count[0] = values[0].length;
      run.series = slice.length;
      run.windows = 1;
      run.sources = values;
      run.offsets = this.zeros(slice.length);
      visitor.run(run);
      run.sources = NO_SOURCES;
      return true;
    }
    for (let j = 0; j < slice.length; j++) {
      if (!visitor.series(this.shapeOf(slice[j]))) return false;
      visitor.points(values[j], 0, 0, values[j].length);
    }
    return true;
  }

  private readonly zeroOffsets: number[] = [];

  /** `n` zero offsets (whole arrays). */
  private zeros(n: number): number[] {
    while (this.zeroOffsets.length < n) this.zeroOffsets.push(0);
    return this.zeroOffsets;
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
  private windowsInMemory(reads: readonly ReadRequest[], cache: DecodedWindowCache | null, sources: Float64Array[], offsets: number[]): boolean {
    if (!cache) return false;
    // Written by index, never truncated: emptying the arrays would drop their backing stores, and
    // regrowing them cost 4 MB of garbage per 1,000-series read.
    let k = 0;
    let spreads = 0;
    for (const { id, archive, from, until } of reads) {
      if (this.earlierLayouts.has(id)) return false;
      const layout = this.layouts[this.layoutOf[id]];
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

  /** What read() fetches for each name: archive and step-aligned range, unknown and out-of-retention names left out. */
  private planRead(names: readonly string[], from: number, until: number, now: number): ReadRequest[] {
    const wanted: ReadRequest[] = [];
    for (const name of names) {
      const id = this.index.get(name);
      if (id === undefined) continue;
      const { archives, maxRetention } = this.layouts[this.layoutOf[id]];
      // Whisper answers nothing for a range wholly in the future or wholly past retention.
      if (from >= now || until < now - maxRetention) continue;
      const f = Math.max(from, now - maxRetention);
      const u = Math.max(f, Math.min(until, now));
      let archive = archives.findIndex((a) => now - f <= a.retentionSeconds);
      if (archive < 0) archive = archives.length - 1;
      const step = archives[archive].secondsPerPoint;
      const fromAligned = f - (f % step) + step;
      let untilAligned = u - (u % step) + step;
      if (untilAligned <= fromAligned) untilAligned = fromAligned + step; // always include the next point
      wanted.push({ name, id, archive, from: fromAligned, until: untilAligned });
    }
    return wanted;
  }

  private shapeOf(w: ReadRequest): SeriesShape {
    const layout = this.layouts[this.layoutOf[w.id]];
    const step = layout.archives[w.archive].secondsPerPoint;
    const { method, xFilesFactor } = layout.aggregation;
    return { name: w.name, start: w.from, end: w.until, step, aggregationMethod: method, xFilesFactor };
  }

  /**
   * Values of archive `archive` over [from, until) (step-aligned) for each request: head, decoded
   * window cache (when `cached`), hot ring, then one LevelDB getMany for everything else; coarser
   * windows not rolled up yet are computed from the finer archive. Rollups read uncached, so a sweep
   * over every series does not flush what queries use. With `buffers`, request r writes into
   * buffers[r] when it has the right length (and leaves a new array there otherwise).
   */
  private async readArchives(
    requests: readonly { id: number; archive: number; from: number; until: number }[],
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
      const layout = this.layouts[this.layoutOf[id]];
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
        const step = this.layouts[this.layoutOf[id]].archives[archive].secondsPerPoint;
        const chunk = chunks[i];
        // A window with no chunk is cached empty too, so sparse series do not go to LevelDB each time.
        if (chunk) this.decodeWindow(chunk, results[r], from, id, step, keyStarts[i], cache, generation);
        else cache?.insert(id, step, keyStarts[i], generation);
      }
    }
    for (const d of derived) {
      const layout = this.layouts[this.layoutOf[d.id]];
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

  /** Drops cached decodes of the chunks `ops` just wrote. */
  private forgetDecoded(ops: readonly { key: Uint8Array }[]): void {
    for (const { key } of ops) {
      if (key[0] !== KeyPrefix.chunk) continue;
      const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
      this.readCache.invalidate(view.getUint32(1), view.getUint32(5), view.getUint32(9));
    }
  }

  /**
   * Fills gaps in freshly read values from chunks a series wrote under an earlier layout: each
   * earlier archive is read by whisper's rule over its own retention; its points land in the slots
   * of the current step they fall in (aggregated with the series' method when several do).
   */
  private async fillFromEarlierLayouts(
    wanted: readonly { id: number; archive: number; from: number; until: number }[],
    values: Float64Array[],
    now: number,
  ): Promise<void> {
    for (let i = 0; i < wanted.length; i++) {
      const earlier = this.earlierLayouts.get(wanted[i].id);
      if (!earlier || !values[i].some((v) => v !== v)) continue;
      const { id, from, until } = wanted[i];
      const layout = this.layouts[this.layoutOf[id]];
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

  // ---- lifecycle -----------------------------------------------------------------------------

  /** Deletes series by exact name; returns how many existed. */
  async deleteSeries(names: readonly string[]): Promise<number> {
    let deleted = 0;
    await this.enqueueWrite(async () => {
      const ids = new Set<number>();
      for (const name of names) {
        const id = this.index.get(name);
        if (id !== undefined) ids.add(id);
      }
      deleted = ids.size;
      await this.deleteByIds([...ids]);
    });
    return deleted;
  }

  private async deleteByIds(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    this.forgetSeries(ids);
    // Before LevelDB: a crash in between redoes the deletion on replay.
    for (const id of ids) this.wal.logDeleted(id);
    for (const id of ids) await this.deleteStored(id);
  }

  /**
   * Deleted series by name and by id. Ids are never reused: a writer that still holds an id (a
   * StatsD flush resolves each name once) or asks for the name again brings the series back
   * under its old id, with none of its deleted data.
   */
  private readonly deletedIds = new Map<string, number>();
  private readonly deletedNames = new Map<number, string>();

  /** Brings a deleted series back; false if the id was never a series. */
  private revive(id: number): boolean {
    const name = this.deletedNames.get(id);
    if (name === undefined) return false;
    this.deletedNames.delete(id);
    this.deletedIds.delete(name);
    this.index.restore(id, name, { unsaved: true });
    this.registerSeries(id, name);
    this.wal?.logSeries(id, name); // undefined while the WAL itself is being replayed
    return true;
  }

  /**
   * Drops series from memory: head, hot ring, decoded windows, name indexes, and its writes not
   * yet done (sealed chunks, late points, rollups), which would otherwise land after its deletion.
   */
  private forgetSeries(ids: readonly number[]): void {
    // The queues are filtered once for all ids: a glob delete during a sweep's flush would
    // otherwise scan a million pending chunks per series.
    const gone = new Set(ids);
    this.pendingPuts = this.pendingPuts.filter((p) => !gone.has(seriesIdFromKey(p.key)));
    this.pendingRollups = this.pendingRollups.filter((r) => !gone.has(r.id));
    this.late = this.late.filter((p) => !gone.has(p.id));
    this.readCache.invalidateSeries(gone);
    for (const id of ids) this.forgetOne(id);
  }

  private forgetOne(id: number): void {
    this.head.release(id, 0);
    this.head.release(id, 1);
    this.ring.deleteSeries(id);
    for (const [start, byId] of this.unflushed) if (byId.delete(id) && byId.size === 0) this.unflushed.delete(start);
    const name = this.index.name(id);
    if (name !== undefined && !name.includes(';')) this.tree.remove(name);
    if (name !== undefined) {
      this.deletedIds.set(name, id);
      this.deletedNames.set(id, name);
    }
    this.tagIndex.remove(id);
    this.index.delete(id);
    this.earlierLayouts.delete(id);
  }

  private async deleteStored(id: number): Promise<void> {
    // An empty `01` record, not none: the series may have an entry in a `05` block.
    this.storedIdLimit = Math.max(this.storedIdLimit, id + 1);
    await this.db.batch([{ type: 'put', key: seriesKey(id), value: new Uint8Array(0) }, { type: 'del', key: layoutKey(id) }], { sync: true });
    await this.db.clear({ gte: chunkKey(id, 0, 0), lt: chunkKey(id + 1, 0, 0) });
  }

  /** Drops windows past each archive's retention, and series idle past expireAfter. */
  private async expire(now: number): Promise<void> {
    const ops: { type: 'del'; key: Uint8Array }[] = [];
    const byStep = new Map<number, number>();
    for (const layout of this.layouts) {
      for (const a of layout.archives) byStep.set(a.secondsPerPoint, Math.max(byStep.get(a.secondsPerPoint) ?? 0, a.retentionSeconds));
    }
    for (const [step, retention] of byStep) {
      const span = windowSeconds(step);
      const cutoff = Math.floor((now - retention) / span) * span - span;
      const before = this.expiredBefore.get(step) ?? cutoff;
      if (cutoff <= before) {
        this.expiredBefore.set(step, before);
        continue;
      }
      for (let start = before; start < cutoff; start += span) {
        for (let id = 0; id < this.index.idLimit; id++) {
          if (this.index.name(id) !== undefined) ops.push({ type: 'del', key: chunkKey(id, step, start) });
        }
      }
      this.expiredBefore.set(step, cutoff);
      await this.db.put(metaKey(`expired:${step}`), u32(cutoff));
    }
    if (ops.length > 0) await this.db.batch(ops);
    if (this.expireAfter > 0) {
      const idle: number[] = [];
      for (let id = 0; id < this.index.idLimit; id++) {
        if (this.index.name(id) !== undefined && now - this.lastWrite[id] > this.expireAfter) idle.push(id);
      }
      await this.deleteByIds(idle);
    }
  }

  private refreshStats(): void {
    this.stats.series = this.index.size;
    this.stats.headOpenWindows = this.head.openWindows;
    this.stats.headBytes = this.head.bytes;
    this.stats.hotBytes = this.ring.bytes;
  }

  /** Syncs the WAL and closes LevelDB; the head is rebuilt from the WAL on the next open. */
  /** Set when close() begins: a sweep still running then goes flat out, as a shutdown waits for it. */
  private closing = false;

  private pauseBackgroundWork(sliceMs: number): Promise<void> {
    return this.closing ? yieldToEventLoop() : restAfterSlice(sliceMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.sweeping;
    await this.enqueueWrite(async () => this.flushSealed(new Map()));
    await this.writeChain;
    this.closed = true;
    this.wal.close();
    await this.db.close();
  }
}

/** Series per slice of readEach(): their values stay in the CPU caches between read and use. */
const READ_EACH_SLICE = 32;

/** One series of a read: which archive, over which step-aligned range. */
interface ReadRequest {
  name: string;
  id: number;
  archive: number;
  from: number;
  until: number;
}

/** A series shorter than this shares a buffer with others in read()'s answer. */
const SHARED_BUFFER_MAX_POINTS = 4_096;
/** Points per shared buffer (512 KiB). */
const SHARED_BUFFER_POINTS = 65_536;

/**
 * Arrays for read() to fill: short series get views into shared buffers, long ones are left out,
 * for readArchives to allocate as it goes (between its yields, not all in one turn). A render
 * worker is sent few buffers either way (moving 10,000 in one message costs ~100 ms), while long
 * series are not copied into one big buffer, whose fresh pages cost more than their reads.
 */
function readBuffers(
  wanted: readonly { id: number; archive: number; from: number; until: number }[],
  layouts: readonly { archives: readonly { secondsPerPoint: number }[] }[],
  layoutOf: ArrayLike<number>,
): Float64Array[] {
  const lengths = wanted.map((w) => Math.max(0, (w.until - w.from) / layouts[layoutOf[w.id]].archives[w.archive].secondsPerPoint));
  let shortPoints = 0;
  for (const length of lengths) if (length < SHARED_BUFFER_MAX_POINTS) shortPoints += length;
  const buffers = new Array<Float64Array>(lengths.length);
  if (shortPoints === 0) return buffers;
  let shared = new Float64Array(0);
  let at = 0;
  for (let r = 0; r < lengths.length; r++) {
    const length = lengths[r];
    if (length >= SHARED_BUFFER_MAX_POINTS) continue;
    if (at + length > shared.length) {
      shared = new Float64Array(Math.min(SHARED_BUFFER_POINTS, shortPoints));
      at = 0;
    }
    shortPoints -= length;
    buffers[r] = shared.subarray(at, (at += length));
  }
  return buffers;
}
