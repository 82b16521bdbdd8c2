/**
 * The LevelDB records that name a series (docs/format/leveldb.md): a `01` record, its name with its
 * layout spec inline after a 0xff byte, or, for a series with earlier layouts, its bare name and a
 * `04` layouts record; series new to LevelDB go into `05` blocks of many. Writes the records of the
 * series the index has not saved yet, and reads them all back at start.
 */
import type { ClassicLevel } from 'classic-level';
import { eachEntry, KeyPrefix, layoutKey, SERIES_KEY_BYTES, seriesBlockKey, seriesIdFromKey, seriesKey, writeSeriesKey } from './keys.js';
import { layoutSpec, parseLayoutSpec, type Layout, type StoredLayouts } from './layout.js';
import { RecordArena } from './record-arena.js';
import type { RecordBatch } from './record-batch.js';
import type { Archive } from './retention/index.js';
import { eachSeriesInBlock, SeriesBlockWriter } from './series-blocks.js';
import type { SeriesIndex } from './series-index.js';

/** New series per `05` block: one LevelDB record of about 50 KB, encoded in well under a millisecond. */
const SERIES_PER_BLOCK = 1024;
/** Between a series name and its inline layout spec: a byte that never occurs in utf-8. */
const LAYOUT_SEPARATOR = 0xff;

const enc = new TextEncoder();
const dec = new TextDecoder();

/** What SeriesRecords reads and writes of the engine's state. */
export interface SeriesRecordSources {
  db: Pick<ClassicLevel<Uint8Array, Uint8Array>, 'iterator'>;
  index: Pick<SeriesIndex, 'name' | 'has' | 'markUnsaved' | 'asciiLength' | 'copyAscii'>;
  /** Every layout in use (grows as series with new schemas arrive). */
  layouts: readonly Layout[];
  /** The index in `layouts` of a series' layout. */
  layoutIndexOf(id: number): number;
  /** Archive layouts a series had before storage-schemas.conf changed, newest first; filled by load(). */
  earlierLayouts: Map<number, (readonly Archive[])[]>;
}

/** The binding hands out Buffers; a plain Uint8Array is wrapped, not copied. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function isAscending(ids: ArrayLike<number>): boolean {
  for (let i = 1; i < ids.length; i++) if (ids[i] < ids[i - 1]) return false;
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class SeriesRecords {
  /**
   * Ids from this one up have never reached LevelDB (no record, block entry or tombstone): a
   * new series among them can go into a `05` block, which a record written before could not
   * supersede.
   */
  private storedIdLimit = 0;
  /** Per layout index: its spec (`10:60480,60:43200`) as utf-8, and the JSON layouts record of a series that never had another layout. */
  private readonly specBytes: Uint8Array[] = [];
  private readonly currentOnlyRecords: Uint8Array[] = [];
  /** Per layout index: the separator and spec that follow a name in its record. */
  private readonly inlineSuffixes: Uint8Array[] = [];

  constructor(private readonly sources: SeriesRecordSources) {}

  /** LevelDB holds (or held) something of series `id`: a record, a block entry or a tombstone. */
  noteStored(id: number): void {
    this.storedIdLimit = Math.max(this.storedIdLimit, id + 1);
  }

  /** Reads every series' records; `restore` puts a series in the index and registers it (its layout index known after). */
  async load(restore: (id: number, name: string) => void): Promise<void> {
    const { db, index, layouts, earlierLayouts } = this.sources;
    // `01` records first: one supersedes a block entry of its id, and an empty one (a tombstone) deletes it.
    const tombstones = new Set<number>();
    await eachEntry(db, KeyPrefix.series, (key, value) => {
      const id = seriesIdFromKey(key);
      this.noteStored(id);
      if (value.length === 0) tombstones.add(id);
      else this.loadRecord(id, asBuffer(value), 0, value.length, restore);
    });
    await eachEntry(db, KeyPrefix.seriesBlock, (_key, value) => {
      const block = asBuffer(value);
      eachSeriesInBlock(block, (id, start, end) => {
        this.noteStored(id);
        if (!index.has(id) && !tombstones.has(id)) this.loadRecord(id, block, start, end, restore);
      });
    });
    await eachEntry(db, KeyPrefix.layout, (key, value) => {
      const id = seriesIdFromKey(key);
      if (!index.has(id)) return;
      const layout = this.sources.layoutIndexOf(id);
      // Stores written before layouts went inline have this record for every series; most say
      // "current layout, no earlier one", recognised without parsing JSON.
      if (sameBytes(value, this.currentOnlyRecord(layout))) return;
      const stored = JSON.parse(dec.decode(value)) as StoredLayouts;
      const current = layoutSpec(layouts[layout].archives);
      const earlier = stored.current === current ? stored.earlier : [stored.current, ...stored.earlier];
      if (earlier.length > 0) earlierLayouts.set(id, earlier.map(parseLayoutSpec));
      else earlierLayouts.delete(id);
      if (stored.current !== current) index.markUnsaved(id);
    });
  }

  /**
   * A series' `01` record or `05` block entry, `bytes[start, end)`: its name, and its layout spec
   * when inline. Decoded in place: a view per record cost as much as the decoding.
   */
  private loadRecord(id: number, bytes: Buffer, start: number, end: number, restore: (id: number, name: string) => void): void {
    let separator = end - 1;
    while (separator >= start && bytes[separator] !== LAYOUT_SEPARATOR) separator--;
    const name = bytes.toString('utf8', start, separator < start ? end : separator);
    restore(id, name);
    if (separator < start) return;
    // A record with its layout inline (no 0x04 record): the layout the series was stored under.
    const spec = this.currentSpecBytes(this.sources.layoutIndexOf(id));
    if (end - separator - 1 === spec.length && bytes.compare(spec, 0, spec.length, separator + 1, end) === 0) return;
    this.sources.earlierLayouts.set(id, [parseLayoutSpec(bytes.toString('utf8', separator + 1, end))]);
    this.sources.index.markUnsaved(id);
  }

  /**
   * Queues the records of the series `unsaved` (ids the index took as unsaved) in `batch`, writing
   * it whenever it is full; what is queued last is left in it for the caller's synced write. Ids no
   * record was ever written for go into `05` blocks, a block a batch; the others get `01` records,
   * which supersede what is stored.
   */
  async writeUnsaved(unsaved: ArrayLike<number>, batch: RecordBatch): Promise<void> {
    const { index, earlierLayouts } = this.sources;
    const arena = new RecordArena();
    const freshIds = new Uint32Array(unsaved.length);
    let freshCount = 0;
    for (let i = 0; i < unsaved.length; i++) {
      const id = unsaved[i];
      if (!index.has(id)) continue;
      // Names are made as strings only where they are written (they are kept as bytes).
      if (id >= this.storedIdLimit && !earlierLayouts.has(id)) freshIds[freshCount++] = id;
      else this.putRecords(batch, arena, id, index.name(id)!);
      if (batch.full) await batch.write();
    }
    // Ascending, so each block's key (its first id) is above every id stored before it. The index
    // hands out ids in order, so the sort is nearly always a check; a typed array sorts
    // numerically without a compare callback per pair (a million after a burst).
    const fresh = freshIds.subarray(0, freshCount);
    if (!isAscending(fresh)) fresh.sort();
    const block = new SeriesBlockWriter();
    let firstId = 0;
    for (let i = 0; i < fresh.length; i++) {
      const id = fresh[i];
      if (index.has(id) && id !== fresh[i - 1]) {
        if (block.size === 0) firstId = id;
        const suffix = this.inlineSuffix(this.sources.layoutIndexOf(id));
        const ascii = index.asciiLength(id);
        if (ascii >= 0) block.addAscii(id, ascii, index, suffix);
        else block.add(id, index.name(id)!, suffix);
      }
      if (block.size === 0 || (block.size < SERIES_PER_BLOCK && i < fresh.length - 1)) continue;
      this.storedIdLimit = id + 1;
      batch.put(seriesBlockKey(firstId), block.take());
      // The last block stays for the caller's synced write.
      if (i < fresh.length - 1) await batch.write();
    }
  }

  /**
   * Queues the LevelDB records of a series: its name with the layout inline, or, when it has
   * earlier layouts, its bare name and a 0x04 layouts record (docs/format/leveldb.md).
   */
  private putRecords(batch: RecordBatch, arena: RecordArena, id: number, name: string): void {
    this.noteStored(id);
    const layout = this.sources.layoutIndexOf(id);
    const earlier = this.sources.earlierLayouts.get(id);
    if (earlier !== undefined) {
      const layouts: StoredLayouts = { current: layoutSpec(this.sources.layouts[layout].archives), earlier: earlier.map(layoutSpec) };
      batch.put(seriesKey(id), enc.encode(name));
      batch.put(layoutKey(id), enc.encode(JSON.stringify(layouts)));
      return;
    }
    const spec = this.currentSpecBytes(layout);
    const key = writeSeriesKey(arena.take(SERIES_KEY_BYTES), id);
    const value = arena.take(name.length * 3 + 1 + spec.length);
    const { written } = enc.encodeInto(name, value);
    value[written] = LAYOUT_SEPARATOR;
    value.set(spec, written + 1);
    batch.put(key, arena.shorten(value, written + 1 + spec.length));
  }

  private currentSpecBytes(layout: number): Uint8Array {
    return (this.specBytes[layout] ??= enc.encode(layoutSpec(this.sources.layouts[layout].archives)));
  }

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
    return (this.currentOnlyRecords[layout] ??= enc.encode(JSON.stringify({ current: layoutSpec(this.sources.layouts[layout].archives), earlier: [] } satisfies StoredLayouts)));
  }
}
