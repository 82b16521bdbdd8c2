/**
 * LevelDB batches of many records (a sweep's new series, sealed chunks, rollups and expired windows), built
 * through the binding's chained batch: one native call per record. An array of `{ type, key,
 * value }` objects cost the main thread 2-3 µs a record (abstract-level copies each object, the
 * binding reads its properties back one by one); this, about 1. Keys are written into a
 * RecordArena: a small key of its own would get a backing store of its own when the binding reads it.
 */
import type { ClassicLevel } from 'classic-level';
import { CHUNK_KEY_BYTES, writeChunkKey } from './keys.js';
import { RecordArena } from './record-arena.js';

/**
 * Records per LevelDB batch when a sweep writes many (new series, sealed chunks): building and
 * encoding a batch runs on the main thread, about 1 ms for this many, and queries wait behind it.
 */
export const RECORDS_PER_BATCH = 256;

type Db = Pick<ClassicLevel<Uint8Array, Uint8Array>, 'batch'>;
type Chained = ReturnType<ClassicLevel<Uint8Array, Uint8Array>['batch']>;

/**
 * Key space shared by every batch: the binding copies a key as it is queued, so a batch needs none
 * of its own (one per batch was 256 KiB for each merge of a late point).
 */
const keys = new RecordArena();

export class RecordBatch {
  private chained: Chained | null = null;
  private count = 0;

  constructor(private readonly db: Db) {}

  /** Records queued since the last write. */
  get length(): number {
    return this.count;
  }

  /** RECORDS_PER_BATCH records are queued: write them (a batch's write holds the main thread for its whole encoding). */
  get full(): boolean {
    return this.count >= RECORDS_PER_BATCH;
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.open().put(key, value);
    this.count++;
  }

  putChunk(id: number, step: number, start: number, chunk: Uint8Array): void {
    this.put(writeChunkKey(this.keySpace(), id, step, start), chunk);
  }

  deleteChunk(id: number, step: number, start: number): void {
    this.open().del(writeChunkKey(this.keySpace(), id, step, start));
    this.count++;
  }

  /**
   * Writes what is queued; `sync` makes it, and every write before it, durable. With nothing
   * queued there is no write, synced or not.
   */
  async write(sync = false): Promise<void> {
    const chained = this.chained;
    if (chained === null) return;
    this.chained = null;
    this.count = 0;
    await chained.write({ sync });
  }

  private open(): Chained {
    return (this.chained ??= this.db.batch());
  }

  private keySpace(): Uint8Array {
    return keys.take(CHUNK_KEY_BYTES);
  }
}
