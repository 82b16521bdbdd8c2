/**
 * Series names travelling as bytes: one block of them back to back, the carbon worker's new names
 * for main. A string per name was made on the worker, cloned into main's heap, and turned back
 * into bytes and hashed there several times (the series index, the metric tree, the write-ahead
 * log); main was the bottleneck of a burst of new series. A block crosses as transferred typed
 * arrays, with the hashes the store's lookups need (describePath) computed by the thread that
 * writes it, so main copies each name's bytes where they are kept and hashes nothing.
 *
 * A plain name (ASCII, untagged: nearly all) is its bytes. Any other (tagged, for the tag index;
 * non-ASCII) is kept as UTF-8 and read back as a string.
 */
import { doubledToHold, grown } from '../grown-array.js';
import { describePath, PATH_FIELDS, PathField } from './name-hash.js';
import { latin1Slice, writeAsciiName } from './ascii-name.js';

export interface NameBlock {
  count: number;
  /** Name k is bytes[starts[k], starts[k + 1]). */
  bytes: Uint8Array;
  starts: Uint32Array;
  /** PATH_FIELDS per name: describePath's for a plain name; lastDot NOT_PLAIN for any other. */
  paths: Int32Array;
}

/** paths[k * PATH_FIELDS + lastDot] of a name that is not plain. */
const NOT_PLAIN = -2;

const utf8 = new TextDecoder();

/** Whether name k is plain: its bytes are its name, and paths holds its hashes. */
export function isPlainName(block: NameBlock, k: number): boolean {
  return block.paths[k * PATH_FIELDS + PathField.lastDot] !== NOT_PLAIN;
}

/** Name k as a string (a new one per call). */
export function nameInBlock(block: NameBlock, k: number): string {
  const start = block.starts[k];
  const end = block.starts[k + 1];
  return isPlainName(block, k) ? latin1Slice.call(block.bytes, start, end) : utf8.decode(block.bytes.subarray(start, end));
}

/** The arrays of a block, to transfer rather than copy (none for an empty block, whose arrays are shared). */
export function blockBuffers(block: NameBlock): ArrayBuffer[] {
  if (block.count === 0) return [];
  return [block.bytes.buffer as ArrayBuffer, block.starts.buffer as ArrayBuffer, block.paths.buffer as ArrayBuffer];
}

const EMPTY: NameBlock = { count: 0, bytes: new Uint8Array(0), starts: new Uint32Array(1), paths: new Int32Array(0) };

/** A builder's first arrays: room for this many names, and bytes. */
const INITIAL_NAMES = 64;
const INITIAL_BYTES = 1 << 11;

/** Fills blocks, one after another: take() hands the block over and starts the next. */
export class NameBlockBuilder {
  private bytes = new Uint8Array(INITIAL_BYTES);
  private end = 0;
  private starts = new Uint32Array(INITIAL_NAMES + 1);
  private paths = new Int32Array(INITIAL_NAMES * PATH_FIELDS);
  count = 0;

  /**
   * Adds a plain name (ASCII, untagged, normalised) from its bytes; `path`, if the caller has
   * them, its describePath() fields (lastDot an offset into `bytes`), which are then not computed again.
   */
  addPlain(bytes: Uint8Array, start: number, end: number, path?: Int32Array): void {
    const length = end - start;
    this.room(length);
    const target = this.bytes;
    const at = this.end;
    // Byte by byte: a subarray per name was an object of garbage each.
    for (let i = 0; i < length; i++) target[at + i] = bytes[start + i];
    this.close(length, true, path, start);
  }

  /** Adds a name given as a string (normalised): plain if it is ASCII and untagged. */
  addString(name: string): void {
    this.room(name.length);
    const ascii = writeAsciiName(this.bytes, this.end, name);
    if (ascii >= 0 && !name.includes(';')) {
      this.close(ascii, true);
      return;
    }
    const length = Buffer.byteLength(name, 'utf8');
    this.room(length);
    Buffer.from(this.bytes.buffer, this.bytes.byteOffset).write(name, this.end, 'utf8');
    this.close(length, false);
  }

  /** The block of the names added since the last take (its arrays are the caller's from now on). */
  take(): NameBlock {
    if (this.count === 0) return EMPTY;
    const block: NameBlock = { count: this.count, bytes: this.bytes, starts: this.starts, paths: this.paths };
    // The next block is likely about as large (a burst goes on, a trickle stays small): its
    // arrays start at the size this one needed, not the size it grew to.
    const names = doubledToHold(INITIAL_NAMES, this.count - 1);
    this.bytes = new Uint8Array(doubledToHold(INITIAL_BYTES, this.end - 1));
    this.starts = new Uint32Array(names + 1);
    this.paths = new Int32Array(names * PATH_FIELDS);
    this.end = 0;
    this.count = 0;
    return block;
  }

  /** Ends the name written at bytes[end, end + length); `path` as addPlain's, of a name that was at `pathStart`. */
  private close(length: number, plain: boolean, path?: Int32Array, pathStart = 0): void {
    const k = this.count++;
    const start = this.end;
    this.end += length;
    if (k * PATH_FIELDS >= this.paths.length) {
      this.paths = grown(this.paths, 2 * this.paths.length);
      this.starts = grown(this.starts, this.paths.length / PATH_FIELDS + 1);
    }
    this.starts[k] = start;
    this.starts[k + 1] = this.end;
    const at = k * PATH_FIELDS;
    if (!plain) {
      this.paths[at + PathField.lastDot] = NOT_PLAIN;
    } else if (path === undefined) {
      describePath(this.bytes, start, this.end, this.paths, at);
    } else {
      const dot = path[PathField.lastDot];
      this.paths[at + PathField.whole] = path[PathField.whole];
      this.paths[at + PathField.lastDot] = dot < 0 ? -1 : start + (dot - pathStart);
      this.paths[at + PathField.parent] = path[PathField.parent];
      this.paths[at + PathField.leaf] = path[PathField.leaf];
    }
  }

  /** Room for `length` more bytes. */
  private room(length: number): void {
    if (this.end + length <= this.bytes.length) return;
    this.bytes = grown(this.bytes, doubledToHold(this.bytes.length, this.end + length - 1));
  }
}
