/**
 * The read path of the store: which archive and range each named series is read from (whisper's
 * rules), and handing the values over, whole (read) or slice by slice to a visitor (readEach).
 */
import type { DecodedWindowCache } from './decoded-cache.js';
import { yieldToEventLoop } from './event-loop.js';
import { POINTS_PER_CHUNK } from './head.js';
import type { ArchiveRange, ArchiveReader } from './archive-reader.js';
import { windowSeconds, type Layout } from './layout.js';
import type { SeriesIndex } from './series-index.js';
import type { SeriesRange, SeriesShape, SeriesVisitor } from './series-store.js';

/** What a SeriesReader needs of the engine. */
export interface SeriesReaderSources {
  index: Pick<SeriesIndex, 'get'>;
  layoutOf(id: number): Layout;
  /** Decoded sealed windows: a slice whose windows are all here or in the head is handed over with no copy. */
  readCache: DecodedWindowCache;
  archives: ArchiveReader;
}

const NO_SOURCES: readonly Float64Array[] = [];

export class SeriesReader {
  private readonly index: Pick<SeriesIndex, 'get'>;
  private readonly layoutOf: (id: number) => Layout;
  private readonly readCache: DecodedWindowCache;
  private readonly archives: ArchiveReader;

  constructor(sources: SeriesReaderSources) {
    this.index = sources.index;
    this.layoutOf = sources.layoutOf;
    this.readCache = sources.readCache;
    this.archives = sources.archives;
  }

  /**
   * Reads many series over [from, until): per series the finest archive whose retention covers
   * `from` (whisper's rule), with whisper's interval alignment and clipping to now.
   */
  async read(names: readonly string[], from: number, until: number, now: number): Promise<SeriesRange[]> {
    const wanted = this.planRead(names, from, until, now);
    const values = await this.archives.readArchives(wanted, true, readBuffers(wanted, this.layoutOf));
    await this.archives.fillFromEarlierLayouts(wanted, values, now);
    return wanted.map((w, i) => ({ ...this.shapeOf(w), values: values[i] }));
  }

  /**
   * read() handed to a visitor series by series, READ_EACH_SLICE series at a time: a slice whose
   * windows are all in the head or the decoded cache (a warm read) is handed over straight from
   * there, with no copy; any other slice is read as read() does into arrays reused from slice to
   * slice, then handed over whole.
   */
  async readEach(names: readonly string[], from: number, until: number, now: number, visitor: SeriesVisitor): Promise<void> {
    const wanted = this.planRead(names, from, until, now);
    const cache = this.readCache.capacity > 0 ? this.readCache : null;
    // Two sets: a cold slice is handed over from one while the next one is read into the other.
    const buffers: [Float64Array[], Float64Array[]] = [[], []];
    const sources: Float64Array[] = [];
    const offsets: number[] = [];
    const readSlice = async (slice: readonly ReadRequest[], into: Float64Array[]): Promise<Float64Array[]> => {
      const values = await this.archives.readArchives(slice, true, into);
      await this.archives.fillFromEarlierLayouts(slice, values, now);
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
          if (this.archives.windowsInMemory(slice, cache, sources, offsets)) {
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
    const step = this.layoutOf(reads[0].id).archives[reads[0].archive].secondsPerPoint;
    for (const w of reads) {
      if (w.from !== from || w.until !== until) return 0;
      if (this.layoutOf(w.id).archives[w.archive].secondsPerPoint !== step) return 0;
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
      const step = this.layoutOf(w.id).archives[w.archive].secondsPerPoint;
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

  /** What read() fetches for each name: archive and step-aligned range, unknown and out-of-retention names left out. */
  private planRead(names: readonly string[], from: number, until: number, now: number): ReadRequest[] {
    const wanted: ReadRequest[] = [];
    for (const name of names) {
      const id = this.index.get(name);
      if (id === undefined) continue;
      const { archives, maxRetention } = this.layoutOf(id);
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
    const layout = this.layoutOf(w.id);
    const step = layout.archives[w.archive].secondsPerPoint;
    const { method, xFilesFactor } = layout.aggregation;
    return { name: w.name, start: w.from, end: w.until, step, aggregationMethod: method, xFilesFactor };
  }

}

/** Series per slice of readEach(): their values stay in the CPU caches between read and use. */
const READ_EACH_SLICE = 32;

/** One series of a read: which archive, over which step-aligned range. */
interface ReadRequest extends ArchiveRange {
  name: string;
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
function readBuffers(wanted: readonly ArchiveRange[], layoutOf: (id: number) => Layout): Float64Array[] {
  const lengths = wanted.map((w) => Math.max(0, (w.until - w.from) / layoutOf(w.id).archives[w.archive].secondsPerPoint));
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
