/**
 * The storage engine: a carbon-like store with Graphite retention schemas.
 *
 *   append -> WAL -> head (open windows of the finest archive, fixed-step slots)
 *          -> sealed chunk (compressed) -> LevelDB, and the hot ring in memory
 *          -> rollups into coarser archives as their windows complete
 *
 * Disk is the source of truth for sealed data; the WAL covers what is still in the head.
 * Layouts: docs/format/{wal,chunk,leveldb}.md.
 *
 * The engine runs ingest and the sweep, and coordinates the rest: loading and writing series
 * records (series-records.ts), sealing and the LevelDB flush (sealer.ts), the WAL checkpoint
 * (wal-checkpoint.ts), reads (series-reader.ts over archive-reader.ts), rollups and late points
 * (rollups.ts), deletion and expiry (series-lifecycle.ts). Each gets the parts of the engine's
 * state it uses, not the engine.
 */
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import type { PointBatch } from '../points.js';
import { isPlainName, nameInBlock, type NameBlock } from '../names/name-block.js';
import { PATH_FIELDS, PathField } from '../names/name-hash.js';
import { ArchiveReader } from './archive-reader.js';
import { DecodedWindowCache } from './decoded-cache.js';
import { DeletedSeries } from './deleted-series.js';
import { doubledToHold, grown } from '../grown-array.js';
import { RateLimitedLog } from '../rate-limited-log.js';
import { restAfterSlice, yieldToEventLoop } from './event-loop.js';
import { Head } from './head.js';
import { HotRing } from './hot-ring.js';
import { windowSeconds, type Layout } from './layout.js';
import { PathTrie } from './path-trie.js';
import { TagIndex } from './tag-index.js';
import { parseSeriesByTag } from '../names/tag-expression.js';
import { eachEntry, KeyPrefix, readU32 } from './keys.js';
import { Rollups, type LatePoint } from './rollups.js';
import { Sealer } from './sealer.js';
import type { Aggregation, Archive, RetentionPolicy } from './retention/index.js';
import { SeriesIndex } from './series-index.js';
import { SeriesLifecycle } from './series-lifecycle.js';
import { SeriesReader } from './series-reader.js';
import { SeriesRecords } from './series-records.js';
import { REJECTED_SERIES, type SeriesRange, type SeriesStore, type SeriesVisitor, type TagValueCount, type TreeNodes } from './series-store.js';
import { WriteAheadLog, type WalReplayStats } from './wal.js';
import { WalCheckpoint } from './wal-checkpoint.js';

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
  /** Points refused because the write-ahead log could not take them (disk full, file too large). */
  droppedWalFailed: number;
  latePoints: number;
  sealedChunks: number;
  rollupChunks: number;
  replay: WalReplayStats & { ms: number };
}

export class SeriesLimitError extends Error {
  override name = 'SeriesLimitError';
}

type Db = ClassicLevel<Uint8Array, Uint8Array>;

const dec = new TextDecoder();
/**
 * LevelDB's memtable (4 MiB by default). Chunk keys are series-major, so every table a sweep's
 * writes flush spans the whole key space, and each compaction into level 1 rewrites all of it:
 * fewer, larger tables compact less. At 100k series (about 15 MB a sealing round) 16 MiB cut
 * compaction output by a quarter (612 -> 449 MB over the store-sweep bench) for up to two
 * memtables of memory.
 */
const WRITE_BUFFER_BYTES = 16 * 1024 * 1024;
const SEAL_SWEEP_MS = 5000;
/** Points more than this far ahead of the clock are refused (clock skew allowance). */
const FUTURE_TOLERANCE_SECONDS = 600;

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
      droppedWalFailed: 0,
      latePoints: 0,
      sealedChunks: 0,
      rollupChunks: 0,
      replay: { segments: 0, records: 0, points: 0, bytes: 0, tornBytes: 0, ms: 0 },
    };
    const { index, head, ring, readCache, layouts, earlierLayouts, rollupDone, stats, seriesLayout: layoutOf } = this;
    this.records = new SeriesRecords({ db, index, layouts, layoutIndexOf: (id) => this.layoutOf[id], earlierLayouts });
    const pause = (sliceMs: number): Promise<void> => this.pauseBackgroundWork(sliceMs);
    this.sealer = new Sealer({
      db, index, head, ring, readCache, records: this.records, layoutOf, stats, pause,
      sealed: (id, windowStart) => this.pendingRollups.push({ id, archive: 0, windowStart }),
      closing: () => this.closing,
    });
    this.checkpoint = new WalCheckpoint({ index, head, sealer: this.sealer, layoutOf, pause });
    this.archives = new ArchiveReader({ db, head, readCache, rollupDone, earlierLayouts, layoutOf, sealedInMemory: (id, start) => this.sealer.inMemory(id, start) });
    this.reader = new SeriesReader({ index, layoutOf, readCache, archives: this.archives });
    const { sealedBefore } = this;
    this.rollups = new Rollups({ db, index, ring, readCache, archives: this.archives, layouts, layoutOf, sealedBefore, rollupDone, stats, pause });
    const { tree, tagIndex, deleted, expiredBefore } = this;
    const { unflushed } = this.sealer;
    this.lifecycle = new SeriesLifecycle({ db, index, tree, tagIndex, head, ring, readCache, unflushed, earlierLayouts, deleted, layouts, expiredBefore, lastWrite: (id) => this.lastWrite[id], pause });
  }

  /** Opens (or creates) the store in `dataDir`: loads the index, replays the WAL, starts sealing. */
  static async open(options: StorageEngineOptions): Promise<StorageEngine> {
    const db: Db = new ClassicLevel(join(options.dataDir, 'db'), { keyEncoding: 'view', valueEncoding: 'view', writeBufferSize: WRITE_BUFFER_BYTES });
    await db.open();
    const engine = new StorageEngine(db, options);
    await engine.load();
    return engine;
  }

  private async load(): Promise<void> {
    await this.records.load((id, name) => {
      this.index.restore(id, name);
      this.registerSeries(id, name);
    });
    await eachEntry(this.db, KeyPrefix.meta, (key, value) => {
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
        if (!this.index.has(id)) {
          this.deleted.remove(id, name);
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
    const deleted = this.deleted.idOf(name);
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

  /**
   * seriesId() of name k of a block. A plain name (nearly all) is looked up by its bytes and
   * the hashes the block carries, kept as a copy of its bytes (index, tree, log), and given to
   * the retention policy as bytes: no string is made of it.
   */
  seriesIdIn(names: NameBlock, k: number): number {
    const { bytes, starts, paths } = names;
    const hash = paths[k * PATH_FIELDS + PathField.whole];
    // Deleted series are found by their name strings (a Map): a name whose hash a deleted one has may be one.
    if (!isPlainName(names, k) || this.deleted.mayHaveHash(hash)) return this.seriesId(nameInBlock(names, k));
    const start = starts[k];
    const end = starts[k + 1];
    const known = this.index.getBytes(bytes, start, end, hash);
    if (known >= 0) return known;
    if (this.index.size >= this.maxSeries) {
      this.stats.droppedSeriesLimit++;
      return REJECTED_SERIES;
    }
    const id = this.index.addBytes(bytes, start, end, hash);
    this.tree.addIn(names, k);
    const { policy } = this.options;
    if (policy.archivesForPlain && policy.aggregationForPlain) {
      this.setLayout(id, policy.archivesForPlain(bytes, start, end), policy.aggregationForPlain(bytes, start, end));
    } else {
      const name = nameInBlock(names, k);
      this.setLayout(id, policy.archivesFor(name), policy.aggregationFor(name));
    }
    this.wal.logSeriesBytes(id, bytes, start, end);
    return id;
  }

  prefetch(names: NameBlock, from: number, to: number): void {
    this.tree.prefetchIn(names, from, to);
    this.index.prefetch(names.paths, from * PATH_FIELDS + PathField.whole, to - from, PATH_FIELDS);
  }

  seriesCount(): number {
    return this.index.size;
  }

  /** The name of series `id` (a new string per call), or undefined if it is none. */
  seriesName(id: number): string | undefined {
    return this.index.name(id);
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
    if (this.deleted.size > 0) {
      for (let i = 0; i < batch.length; i++) {
        const id = batch.seriesIds[i];
        if (!this.index.has(id)) this.revive(id);
      }
    }
    try {
      this.wal.logPoints(batch);
    } catch (err) {
      // Not durable, so not taken: the batch is dropped and counted, ingest goes on, and the next
      // batch tries the log again (the log keeps only whole frames, see wal.ts).
      this.stats.droppedWalFailed += batch.length;
      this.walFailureLog.log(`${batch.length} points dropped: ${(err as Error).message}`);
      return;
    }
    this.apply(batch);
  }

  private readonly walFailureLog = new RateLimitedLog('write-ahead log write failed');

  /** Puts points into the head, or queues them as late; shared by append and WAL replay. */
  private apply(batch: PointBatch): void {
    const now = this.now();
    const { seriesIds, timestamps, values } = batch;
    // sealedBefore of the last step asked: the Map was asked once per new window (per new series in
    // a burst of them), and only a sweep changes it, never during a batch.
    let sealedStep = -1;
    let sealedMark = 0;
    for (let i = 0; i < batch.length; i++) {
      const id = seriesIds[i];
      const value = values[i];
      if (id === REJECTED_SERIES) continue;
      if (!this.index.has(id) && !this.revive(id)) continue;
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
      if (this.head.windowAt(id, parity) !== windowStart) {
        if (step !== sealedStep) {
          sealedStep = step;
          sealedMark = this.sealedBefore.get(step) ?? 0;
        }
        if (windowStart < sealedMark) {
          this.queueLate(id, 0, t, value);
          continue;
        }
      }
      const slot = (t - windowStart) / step;
      if (this.head.write(id, windowStart, parity, slot, value)) continue;
      const occupant = this.head.windowAt(id, parity);
      if (occupant < windowStart) {
        // Two windows ahead of an unsealed one (a backfill or a long gap): seal the old one now.
        this.sealer.seal(id, parity, step, occupant);
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

  /**
   * Failed storage writes since start. After one, the WAL is never trimmed again: what failed is
   * only in the log, and the next start replays it.
   */
  private writeFailures = 0;

  /** Runs storage writes one after another; errors are logged, never thrown into ingest. */
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
    this.setLayout(id, this.options.policy.archivesFor(name), this.options.policy.aggregationFor(name));
  }

  /** Gives the series the layout of the archives and aggregation the retention policy gives it. */
  private setLayout(id: number, archives: readonly Archive[], aggregation: Aggregation): void {
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
      const size = doubledToHold(this.layoutOf.length, id);
      this.layoutOf = grown(this.layoutOf, size);
      this.lastWrite = grown(this.lastWrite, size);
    }
    this.layoutOf[id] = layout;
    this.lastWrite[id] = this.turnNow();
  }

  /** this.now() read once per task: a burst of new series read the clock per series (69 ns each here). */
  private turnClock = -1;

  private turnNow(): number {
    if (this.turnClock < 0) {
      this.turnClock = this.now();
      queueMicrotask(() => (this.turnClock = -1));
    }
    return this.turnClock;
  }

  // ---- sealing: sealer.ts (chunks, LevelDB flush), wal-checkpoint.ts, series-records.ts ----------

  private readonly records: SeriesRecords;
  private readonly sealer: Sealer;
  private readonly checkpoint: WalCheckpoint;

  /** Seals every window that ended more than the grace period ago, rolls up, trims the WAL. */
  sweep(): Promise<void> {
    // A failed sweep (the WAL cannot rotate on a full disk) is logged and tried again by the next one.
    this.sweeping ??= this.runSweep()
      .catch((err: Error) => console.error(`carbonado: storage sweep failed: ${err.stack ?? err.message}`))
      .finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  /** Late points taken (stats.latePoints) before the segment the last WAL checkpoint kept. */
  private lateCheckpointed = 0;

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
    const lateLogged = this.stats.latePoints;
    // Marked before the pass, which yields to ingest: a point for a window it already sealed is late, not a new head window.
    for (const [step, cutoff] of cutoffs) this.sealedBefore.set(step, cutoff);
    const sealedChunks = this.stats.sealedChunks;
    if (sealing) await this.sealer.sealEnded(cutoffs);
    // After sealing, whose released blocks count as spare.
    await this.sealer.reserveHeadBlocks();
    await this.enqueueWrite(() => this.sealer.flush(cutoffs));
    await this.enqueueWrite(() => this.runRollups(now));
    await this.enqueueWrite(() => this.expire(now));
    // Trimming the WAL is safe only if everything it covers reached LevelDB. A pass that sealed
    // nothing (a fresh store's first sweep, an idle one) would log the whole head again to free
    // only what the head still holds: the older segments wait for a pass worth its cost. Late
    // points are not in the head: a backfill that seals nothing would otherwise grow the log
    // without end (and replay every point of it at the next start). An empty head costs nothing.
    const sealedAny = this.stats.sealedChunks > sealedChunks;
    const lateSinceCheckpoint = lateLogged > this.lateCheckpointed;
    if (sealing && (sealedAny || lateSinceCheckpoint || this.head.openWindows === 0) && this.writeFailures === 0) {
      await this.enqueueWrite(async () => {
        await this.checkpoint.run(this.wal, keepWalFrom);
        this.lateCheckpointed = lateLogged;
      });
    }
    const hotWindow = Math.max(...this.layouts.map((l) => l.archives[0].retentionSeconds));
    if (Number.isFinite(hotWindow)) this.ring.evictBefore(now - hotWindow);
    if (sealing) this.ring.trim(this.index.idLimit);
    this.refreshStats();
  }

  // ---- late points and rollups: rollups.ts -----------------------------------------------

  private readonly rollups: Rollups;
  /** Windows whose coarser archives are due again (sealed, or changed by late points) since the last rollups. */
  private pendingRollups: { id: number; archive: number; windowStart: number }[] = [];

  /** Merges queued late points into their chunks (read, merge, rewrite), then their rollups. */
  private async writeLate(): Promise<void> {
    while (this.late.length > 0) {
      // A sealed window waiting for the sweep's flush may have left the hot ring already: written
      // first, so the merge reads it and the flush cannot overwrite the merge.
      if (this.sealer.unwritten.length > 0) await this.sealer.flush(new Map());
      const late = this.late;
      this.late = [];
      // Awaited first: `this.pendingRollups.push(...await x)` would push into the array that was
      // current before the await, lost if the queue is replaced meanwhile (runRollups, forgetSeries).
      const touched = await this.rollups.mergeLate(late);
      this.pendingRollups.push(...touched);
    }
  }

  /** Computes the coarser archives due, and redoes those over windows changed since the last sweep. */
  private runRollups(now: number): Promise<void> {
    const pending = this.pendingRollups;
    this.pendingRollups = [];
    return this.rollups.run(now, pending);
  }

  // ---- reads: series-reader.ts (planning, handing over), archive-reader.ts (fetching, decoding) ----

  private readonly archives: ArchiveReader;
  private readonly reader: SeriesReader;
  /** The layout of series `id`; the reads hold this, as layoutOf is replaced when it grows. */
  private readonly seriesLayout = (id: number): Layout => this.layouts[this.layoutOf[id]];

  /**
   * Reads many series over [from, until): per series the finest archive whose retention covers
   * `from` (whisper's rule), with whisper's interval alignment and clipping to now.
   */
  read(names: readonly string[], from: number, until: number): Promise<SeriesRange[]> {
    return this.reader.read(names, from, until, this.now());
  }

  /** read() handed to a visitor series by series (SeriesReader.readEach). */
  readEach(names: readonly string[], from: number, until: number, visitor: SeriesVisitor): Promise<void> {
    return this.reader.readEach(names, from, until, this.now(), visitor);
  }


  // ---- lifecycle: series-lifecycle.ts ----------------------------------------------------------

  private readonly lifecycle: SeriesLifecycle;

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

  /** Deleted series: a writer holding one's id, or its name, brings it back under that id (deleted-series.ts). */
  private readonly deleted = new DeletedSeries();

  /** Brings a deleted series back; false if the id was never a series. */
  private revive(id: number): boolean {
    const name = this.deleted.nameOf(id);
    if (name === undefined) return false;
    this.deleted.remove(id, name);
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
    this.sealer.forget(gone);
    this.pendingRollups = this.pendingRollups.filter((r) => !gone.has(r.id));
    this.late = this.late.filter((p) => !gone.has(p.id));
    this.lifecycle.forget(ids, gone);
  }

  private async deleteStored(id: number): Promise<void> {
    this.records.noteStored(id);
    await this.lifecycle.deleteStored(id);
  }

  /** Drops windows past each archive's retention, and series idle past expireAfter. */
  private async expire(now: number): Promise<void> {
    await this.lifecycle.expireWindows(now);
    if (this.expireAfter > 0) await this.deleteByIds(this.lifecycle.idleSeries(now, this.expireAfter));
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
    await this.enqueueWrite(async () => this.sealer.flush(new Map()));
    await this.writeChain;
    this.closed = true;
    this.wal.close();
    await this.db.close();
  }
}
