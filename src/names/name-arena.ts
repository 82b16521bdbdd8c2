/**
 * Names by id kept as bytes in one arena, not as a string each, for the store's million-entry
 * name lists (series names, metric tree components). A burst of a million new series otherwise
 * left a million strings (and a million tree components sliced out of them, which keep the whole
 * name alive) to be copied out of V8's young generation and marked again by every full
 * collection while the heap grew. A name becomes a string again only when asked for. Names with
 * a non-ASCII character, rare, stay strings.
 */
import { doubledToHold, grown } from '../grown-array.js';
import { writeAsciiName } from './ascii-name.js';
import { ByteRuns } from './byte-runs.js';
import { hashName, hashNameBytes } from './name-hash.js';

/** lengths[id]: no name. */
const ABSENT = -1;
/** lengths[id]: the name is in `wide`, not in the arena. */
const WIDE = -2;
/** Dead bytes (cleared names) tolerated before the arena is compacted, and only once they are most of it. */
const COMPACT_AFTER_BYTES = 1 << 20;

export class NameArena {
  /** ASCII names back to back; id's name is bytes[starts[id], starts[id] + lengths[id]). */
  private bytes = Buffer.allocUnsafe(1 << 16);
  private end = 0;
  private deadBytes = 0;
  private starts = new Uint32Array(1024);
  private lengths = new Int32Array(1024).fill(ABSENT);
  private readonly wide = new Map<number, string>();
  private readonly runs = new ByteRuns();
  /** Ids run from 0 to this (exclusive). */
  limit = 0;

  has(id: number): boolean {
    return id < this.limit && this.lengths[id] !== ABSENT;
  }

  /** A new string per call. */
  get(id: number): string | undefined {
    if (id >= this.limit) return undefined;
    const length = this.lengths[id];
    if (length === ABSENT) return undefined;
    if (length === WIDE) return this.wide.get(id);
    const start = this.starts[id];
    return this.bytes.toString('latin1', start, start + length);
  }

  /** The length of id's name if it is kept as bytes (ASCII), else -1 (no name, or a string). */
  asciiLength(id: number): number {
    if (id >= this.limit) return -1;
    const length = this.lengths[id];
    return length >= 0 ? length : -1;
  }

  /** Writes id's name, kept as bytes (asciiLength >= 0), at target[at...]: no string made. */
  copyAscii(id: number, target: Uint8Array, at: number): void {
    const bytes = this.bytes;
    const start = this.starts[id];
    const length = this.lengths[id];
    for (let i = 0; i < length; i++) target[at + i] = bytes[start + i];
  }

  /** Whether id's name is `name`, without making a string. */
  is(id: number, name: string): boolean {
    if (id >= this.limit) return false;
    const length = this.lengths[id];
    if (length === WIDE) return this.wide.get(id) === name;
    if (length !== name.length) return false;
    const bytes = this.bytes;
    const start = this.starts[id];
    // A non-ASCII character never equals a byte of an ASCII name.
    for (let i = 0; i < length; i++) if (bytes[start + i] !== name.charCodeAt(i)) return false;
    return true;
  }

  /** Whether id's name is the ASCII name in bytes[start, end), without making a string. */
  isBytes(id: number, bytes: Uint8Array, start: number, end: number): boolean {
    if (id >= this.limit) return false;
    const length = this.lengths[id];
    if (length !== end - start) return false; // a name kept as a string (WIDE) is not ASCII
    const arena = this.bytes;
    const at = this.starts[id] - start;
    for (let i = start; i < end; i++) if (arena[at + i] !== bytes[i]) return false;
    return true;
  }

  /** hashName() of id's name (which it must have), without making its string. */
  hash(id: number): number {
    const length = this.lengths[id];
    if (length === WIDE) return hashName(this.wide.get(id)!);
    const start = this.starts[id];
    return hashNameBytes(this.bytes, start, start + length);
  }

  /** Gives `id` the name, replacing any it had. */
  set(id: number, name: string): void {
    this.prepare(id, name.length);
    const length = writeAsciiName(this.bytes, this.end, name);
    if (length < 0) {
      this.lengths[id] = WIDE;
      this.wide.set(id, name);
      return;
    }
    this.starts[id] = this.end;
    this.lengths[id] = length;
    this.end += length;
  }

  /** Gives `id` the ASCII name in bytes[start, end), replacing any it had: a copy, no string made. */
  setBytes(id: number, bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.prepare(id, length);
    this.runs.copy(bytes, start, end, this.bytes, this.end);
    this.starts[id] = this.end;
    this.lengths[id] = length;
    this.end += length;
  }

  /** Makes room for id and `length` more bytes, and forgets id's name. */
  private prepare(id: number, length: number): void {
    this.room(id);
    if (id >= this.limit) this.limit = id + 1;
    else this.clear(id);
    if (this.end + length > this.bytes.length) this.growArena(length);
  }

  /** Forgets id's name (its bytes are dead until the next compaction). */
  clear(id: number): void {
    if (id >= this.limit) return;
    const length = this.lengths[id];
    if (length === WIDE) this.wide.delete(id);
    else if (length > 0) this.deadBytes += length;
    this.lengths[id] = ABSENT;
  }

  /** Makes the per-id arrays hold `id`. */
  private room(id: number): void {
    if (id < this.lengths.length) return;
    const size = doubledToHold(this.lengths.length, id);
    this.starts = grown(this.starts, size);
    this.lengths = grown(this.lengths, size, ABSENT);
  }

  /** Room for `needed` more bytes; cleared names' bytes are squeezed out when they are most of the arena. */
  private growArena(needed: number): void {
    const live = this.end - this.deadBytes;
    const compact = this.deadBytes >= COMPACT_AFTER_BYTES && this.deadBytes >= live;
    const used = compact ? live : this.end;
    let capacity = 1 << 16;
    while (capacity < 2 * (used + needed)) capacity *= 2;
    const bytes = Buffer.allocUnsafe(capacity);
    if (!compact) this.bytes.copy(bytes, 0, 0, this.end);
    else {
      let end = 0;
      for (let id = 0; id < this.limit; id++) {
        const length = this.lengths[id];
        if (length <= 0) continue;
        this.bytes.copy(bytes, end, this.starts[id], this.starts[id] + length);
        this.starts[id] = end;
        end += length;
      }
      this.end = end;
      this.deadBytes = 0;
    }
    this.bytes = bytes;
  }
}
