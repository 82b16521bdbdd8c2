/**
 * Series records in blocks: the records of many new series in one LevelDB value (key `05`,
 * docs/format/leveldb.md) instead of one `01` record each. A record of its own costs the LevelDB
 * binding about a microsecond to take from JavaScript, and iterating it back at start as much
 * again: with a burst of a million new series, that was a third of the main thread's work per
 * series. Each entry is the id (u32), the record's length (u32) and the record, which holds what a
 * `01` record would (name, `ff`, layout spec).
 */
import { writeAsciiName } from '../names/ascii-name.js';

const ENTRY_HEADER_BYTES = 8;

/** Names by id kept as ASCII bytes (SeriesIndex). */
export interface AsciiNames {
  /** Writes id's name at target[at...]. */
  copyAscii(id: number, target: Uint8Array, at: number): void;
}
const enc = new TextEncoder();

export class SeriesBlockWriter {
  private bytes = new Uint8Array(64 * 1024);
  private used = 0;
  private entries = 0;

  get size(): number {
    return this.entries;
  }

  /** Appends the entry of `id`: its name as utf-8, then `suffix` (the separator and layout spec). */
  add(id: number, name: string, suffix: Uint8Array): void {
    this.room(ENTRY_HEADER_BYTES + 3 * name.length + suffix.length);
    const at = this.used;
    let written = writeAsciiName(this.bytes, at + ENTRY_HEADER_BYTES, name);
    if (written < 0) written = enc.encodeInto(name, this.bytes.subarray(at + ENTRY_HEADER_BYTES)).written;
    this.bytes.set(suffix, at + ENTRY_HEADER_BYTES + written);
    putU32(this.bytes, at, id);
    putU32(this.bytes, at + 4, written + suffix.length);
    this.used = at + ENTRY_HEADER_BYTES + written + suffix.length;
    this.entries++;
  }

  /**
   * add() for an ASCII name of `length` bytes that `names` writes in place: a name kept as bytes
   * (SeriesIndex) is copied from them, where a string made of it first cost as much as the rest.
   */
  addAscii(id: number, length: number, names: AsciiNames, suffix: Uint8Array): void {
    this.room(ENTRY_HEADER_BYTES + length + suffix.length);
    const at = this.used;
    const bytes = this.bytes;
    names.copyAscii(id, bytes, at + ENTRY_HEADER_BYTES);
    // A loop: set() is a native call, per entry, for a dozen bytes.
    for (let i = 0, to = at + ENTRY_HEADER_BYTES + length; i < suffix.length; i++) bytes[to + i] = suffix[i];
    putU32(this.bytes, at, id);
    putU32(this.bytes, at + 4, length + suffix.length);
    this.used = at + ENTRY_HEADER_BYTES + length + suffix.length;
    this.entries++;
  }

  private room(most: number): void {
    if (this.used + most <= this.bytes.length) return;
    const bytes = new Uint8Array(Math.max(2 * this.bytes.length, this.used + most));
    bytes.set(this.bytes.subarray(0, this.used));
    this.bytes = bytes;
  }

  /** The block's value; the writer starts a new block. */
  take(): Uint8Array {
    const block = this.bytes.subarray(0, this.used);
    this.bytes = new Uint8Array(this.bytes.length);
    this.used = 0;
    this.entries = 0;
    return block;
  }
}

/**
 * Calls `visit` with each entry's id and where its record lies in `block`: offsets rather than a
 * view per entry, which cost as much as decoding the name.
 */
export function eachSeriesInBlock(block: Uint8Array, visit: (id: number, start: number, end: number) => void): void {
  for (let at = 0; at + ENTRY_HEADER_BYTES <= block.length; ) {
    const id = getU32(block, at);
    const length = getU32(block, at + 4);
    const start = at + ENTRY_HEADER_BYTES;
    if (start + length > block.length) throw new Error(`series block entry of ${length} bytes runs past the block's end`);
    visit(id, start, start + length);
    at = start + length;
  }
}

function putU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = value >>> 16;
  bytes[at + 2] = value >>> 8;
  bytes[at + 3] = value;
}

function getU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}
