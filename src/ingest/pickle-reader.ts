/**
 * Carbon's pickle protocol (TCP 2004): frames of a 4-byte big-endian length and a pickle of
 * `[(path, (timestamp, value)), ...]`. This is our own pickle reader, not an unpickler: it builds
 * only lists, tuples, strings, bytes, numbers, booleans and None, for pickle protocols 0 to 5,
 * and refuses every opcode that could name a class or call anything (GLOBAL, REDUCE, BUILD, ...).
 *
 * Values: list and tuple → array, str → string, bytes → Uint8Array, int → number (bigint beyond
 * 2^53), float → number, None → null, bool → boolean. Python 2 `str` (STRING, BINSTRING,
 * SHORT_BINSTRING) is decoded as UTF-8, as carbon's `SafeUnpickler` does with `encoding='utf-8'`.
 */
import type { CarbonParseCounters, CarbonSink } from './carbon-plaintext-parser.js';
import { MAX_TIMESTAMP } from './carbon-plaintext-parser.js';
import { GraphiteTagError, normaliseSeriesName } from './graphite-tags.js';

/** A pickle we will not read; `offset` is where the problem is, in bytes from the pickle's start. */
export class PickleError extends Error {
  override readonly name = 'PickleError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
  }
}

export interface ReadPickleOptions {
  /** Deepest accepted nesting of lists and tuples. Default 1000. */
  maxDepth?: number;
}

/** Every opcode of protocols 0-5, for error messages that name what was refused. */
const OPCODE_NAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT',
  0x4a: 'BININT', 0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID',
  0x51: 'BINPERSID', 0x52: 'REDUCE', 0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING',
  0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND', 0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT',
  0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET', 0x69: 'INST', 0x6a: 'LONG_BINGET',
  0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT', 0x72: 'LONG_BINPUT',
  0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1',
  0x86: 'TUPLE2', 0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4',
  0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8',
  0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX',
  0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME', 0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
};

const HIGHEST_PROTOCOL = 5;
/** Python (3.11+) refuses int literals longer than this by default; so do we, to keep BigInt parsing linear. */
const MAX_INT_DIGITS = 4300;
const MAX_INT_BYTES = 2048;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads one pickle from `bytes` (bytes after its STOP are ignored, as Python does). Throws PickleError. */
export function readPickle(bytes: Uint8Array, options: ReadPickleOptions = {}): unknown {
  return new PickleReader(bytes, options.maxDepth ?? 1000).read();
}

/**
 * Nesting depth is tracked per stack slot (0 for scalars, 1 + deepest item for containers) so no
 * walk is needed afterwards. Lists are the one mutable thing: a list being built (created by
 * EMPTY_LIST/LIST, not yet put into anything) has a negative depth on its own slot, may be appended
 * to only there, and may not be fetched from the memo until it is finished. That rules out cycles
 * (which Python's pickler emits only for self-containing lists) and keeps every depth exact.
 */
class PickleReader {
  private pos = 0;
  private readonly view: DataView;
  private readonly stack: unknown[] = [];
  private readonly depths: number[] = [];
  private readonly marks: number[] = [];
  private readonly memo: unknown[] = [];
  private readonly memoDepths: number[] = [];
  private memoCount = 0;
  private readonly listsBeingBuilt = new Set<unknown[]>();
  private readonly finishedListDepths = new Map<unknown[], number>();
  /** Depths of the items popped last, valid until the next pop. */
  private itemDepths: number[] = [];
  /** The same bytes as a Buffer, for true Latin-1 decoding of protocol 0 text. */
  private readonly buffer: Buffer;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly maxDepth: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  read(): unknown {
    const bytes = this.bytes;
    for (;;) {
      if (this.pos >= bytes.length) throw new PickleError('pickle ends without STOP', this.pos);
      const at = this.pos;
      const op = bytes[this.pos++];
      switch (op) {
        // ---- framing ----
        case 0x80: { // PROTO
          const protocol = this.take(1, at);
          if (bytes[protocol] > HIGHEST_PROTOCOL) throw new PickleError(`unsupported pickle protocol ${bytes[protocol]}`, at);
          break;
        }
        case 0x95: // FRAME: a hint for buffered readers (the pickle is all in memory), but it must fit
          if (this.length64(at) > bytes.length - this.pos) throw new PickleError('FRAME runs past the end of the pickle', at);
          break;
        case 0x2e: { // STOP
          if (this.stack.length === 0 || this.marks[this.marks.length - 1] === this.stack.length) {
            throw new PickleError('STOP with nothing to return', at);
          }
          return this.stack[this.stack.length - 1];
        }
        case 0x28: // MARK: open marks nest like the containers they build, so the same limit applies
          if (this.marks.length >= this.maxDepth) throw new PickleError(`MARKs nested deeper than ${this.maxDepth}`, at);
          this.marks.push(this.stack.length);
          break;

        // ---- scalars ----
        case 0x4e: this.push(null, 0); break; // NONE
        case 0x88: this.push(true, 0); break; // NEWTRUE
        case 0x89: this.push(false, 0); break; // NEWFALSE
        case 0x4b: this.push(bytes[this.take(1, at)], 0); break; // BININT1
        case 0x4d: this.push(this.view.getUint16(this.take(2, at), true), 0); break; // BININT2
        case 0x4a: this.push(this.view.getInt32(this.take(4, at), true), 0); break; // BININT
        case 0x47: this.push(this.view.getFloat64(this.take(8, at), false), 0); break; // BINFLOAT (big-endian)
        case 0x8a: { // LONG1
          const n = bytes[this.take(1, at)];
          this.push(twosComplementLittleEndian(bytes, this.take(n, at), n), 0);
          break;
        }
        case 0x8b: { // LONG4
          const n = this.view.getInt32(this.take(4, at), true);
          if (n < 0) throw new PickleError('LONG4 with a negative byte count', at);
          if (n > MAX_INT_BYTES) throw new PickleError(`integer longer than ${MAX_INT_BYTES} bytes`, at);
          this.push(twosComplementLittleEndian(bytes, this.take(n, at), n), 0);
          break;
        }
        case 0x49: { // INT: decimal line; `01`/`00` are True/False in protocol 0
          const text = this.line(at);
          this.push(text === '01' ? true : text === '00' ? false : parseIntText(text, at), 0);
          break;
        }
        case 0x4c: { // LONG: decimal line, optional trailing L
          const text = this.line(at);
          this.push(parseIntText(text.endsWith('L') ? text.slice(0, -1) : text, at), 0);
          break;
        }
        case 0x46: this.push(parseFloatText(this.line(at), at), 0); break; // FLOAT

        // ---- strings and bytes ----
        case 0x8c: this.push(this.utf8(this.take(bytes[this.take(1, at)], at), at), 0); break; // SHORT_BINUNICODE
        case 0x58: this.push(this.utf8(this.take(this.view.getUint32(this.take(4, at), true), at), at), 0); break; // BINUNICODE
        case 0x8d: this.push(this.utf8(this.take(this.length64(at), at), at), 0); break; // BINUNICODE8
        case 0x55: this.push(this.utf8(this.take(bytes[this.take(1, at)], at), at), 0); break; // SHORT_BINSTRING
        case 0x54: { // BINSTRING
          const n = this.view.getInt32(this.take(4, at), true);
          if (n < 0) throw new PickleError('BINSTRING with a negative byte count', at);
          this.push(this.utf8(this.take(n, at), at), 0);
          break;
        }
        case 0x43: this.push(this.copy(this.take(bytes[this.take(1, at)], at)), 0); break; // SHORT_BINBYTES
        case 0x42: this.push(this.copy(this.take(this.view.getUint32(this.take(4, at), true), at)), 0); break; // BINBYTES
        case 0x8e: this.push(this.copy(this.take(this.length64(at), at)), 0); break; // BINBYTES8
        case 0x53: this.push(decodeQuotedString(this.line(at), at), 0); break; // STRING
        case 0x56: this.push(decodeRawUnicodeEscape(this.line(at)), 0); break; // UNICODE

        // ---- containers ----
        case 0x5d: this.pushNewList([], at); break; // EMPTY_LIST
        case 0x6c: this.pushNewList(this.popToMark(at), at); break; // LIST
        case 0x29: this.push([], 1); break; // EMPTY_TUPLE
        case 0x74: this.pushTuple(this.popToMark(at), at); break; // TUPLE
        case 0x85: this.pushSmallTuple(1, at); break; // TUPLE1
        case 0x86: this.pushSmallTuple(2, at); break; // TUPLE2
        case 0x87: this.pushSmallTuple(3, at); break; // TUPLE3
        case 0x61: this.appendToList(this.popItems(1, at), at); break; // APPEND
        case 0x65: this.appendToList(this.popToMark(at), at); break; // APPENDS

        // ---- memo ----
        case 0x70: this.put(parseMemoIndex(this.line(at), at), at); break; // PUT
        case 0x71: this.put(bytes[this.take(1, at)], at); break; // BINPUT
        case 0x72: this.put(this.view.getUint32(this.take(4, at), true), at); break; // LONG_BINPUT
        case 0x94: this.put(this.memoCount, at); break; // MEMOIZE
        case 0x67: this.get(parseMemoIndex(this.line(at), at), at); break; // GET
        case 0x68: this.get(bytes[this.take(1, at)], at); break; // BINGET
        case 0x6a: this.get(this.view.getUint32(this.take(4, at), true), at); break; // LONG_BINGET

        default: {
          const name = OPCODE_NAMES[op];
          const shown = `0x${op.toString(16).padStart(2, '0')}`;
          throw new PickleError(name === undefined ? `unknown pickle opcode ${shown}` : `pickle opcode ${name} (${shown}) is not allowed`, at);
        }
      }
    }
  }

  /** Advances past `n` argument bytes and returns where they start; throws if they run past the end. */
  private take(n: number, at: number): number {
    const start = this.pos;
    if (n > this.bytes.length - start) throw new PickleError(`${OPCODE_NAMES[this.bytes[at]]} argument runs past the end of the pickle`, at);
    this.pos = start + n;
    return start;
  }

  /** An 8-byte little-endian length, as a number (anything past the buffer is refused by take()). */
  private length64(at: number): number {
    const n = this.view.getBigUint64(this.take(8, at), true);
    return n > BigInt(this.bytes.length) ? Infinity : Number(n);
  }

  /** A protocol 0 argument: the text up to the next `\n` (which is consumed). */
  private line(at: number): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end === -1) throw new PickleError(`${OPCODE_NAMES[this.bytes[at]]} argument has no end of line`, at);
    const text = this.buffer.toString('latin1', this.pos, end);
    this.pos = end + 1;
    return text;
  }

  private utf8(start: number, at: number): string {
    const end = this.pos;
    let ascii = 0;
    for (let i = start; i < end; i++) ascii |= this.bytes[i];
    if (ascii < 0x80) return this.buffer.toString('latin1', start, end);
    try {
      return utf8.decode(this.bytes.subarray(start, this.pos));
    } catch {
      throw new PickleError('string is not valid UTF-8', at);
    }
  }

  private copy(start: number): Uint8Array {
    return this.bytes.slice(start, this.pos);
  }

  private push(value: unknown, depth: number): void {
    this.stack.push(value);
    this.depths.push(depth);
  }

  /** A new list: negative depth marks it as being built. */
  private pushNewList(items: unknown[], at: number): void {
    this.listsBeingBuilt.add(items);
    this.push(items, -this.containerDepth(items.length, at));
  }

  private pushTuple(items: unknown[], at: number): void {
    this.push(items, this.containerDepth(items.length, at));
  }

  /** TUPLE1-3, the bulk of a carbon pickle: built in place, without the general pop's copies. */
  private pushSmallTuple(n: number, at: number): void {
    const { stack, depths } = this;
    const base = stack.length - n;
    if (base < 0 || (this.marks.length > 0 && this.marks[this.marks.length - 1] > base)) {
      throw new PickleError(`${OPCODE_NAMES[this.bytes[at]]} needs ${n} value(s) on the stack`, at);
    }
    const tuple = n === 2 ? [stack[base], stack[base + 1]] : n === 1 ? [stack[base]] : [stack[base], stack[base + 1], stack[base + 2]];
    let deepest = 0;
    for (let i = 0; i < n; i++) {
      let d = depths[base + i];
      if (d < 0) d = this.finishList(tuple[i] as unknown[], -d);
      if (d > deepest) deepest = d;
    }
    if (deepest + 1 > this.maxDepth) throw new PickleError(`lists and tuples nested deeper than ${this.maxDepth}`, at);
    for (let i = 0; i < n; i++) {
      stack.pop();
      depths.pop();
    }
    this.push(tuple, deepest + 1);
  }

  /** Depth of a container made of the `count` items popped last. */
  private containerDepth(count: number, at: number): number {
    let deepest = 0;
    for (let i = 0; i < count; i++) if (this.itemDepths[i] > deepest) deepest = this.itemDepths[i];
    if (deepest + 1 > this.maxDepth) throw new PickleError(`lists and tuples nested deeper than ${this.maxDepth}`, at);
    return deepest + 1;
  }

  /** Pops the top `n` values; their depths go to itemDepths and finished lists are sealed. */
  private popItems(n: number, at: number): unknown[] {
    if (this.stack.length < n) throw new PickleError(`${OPCODE_NAMES[this.bytes[at]]} needs ${n} value(s) on the stack`, at);
    if (this.marks.length > 0 && this.marks[this.marks.length - 1] > this.stack.length - n) {
      throw new PickleError(`${OPCODE_NAMES[this.bytes[at]]} reaches past a MARK`, at);
    }
    return this.popFrom(this.stack.length - n);
  }

  private popToMark(at: number): unknown[] {
    const mark = this.marks.pop();
    if (mark === undefined) throw new PickleError(`${OPCODE_NAMES[this.bytes[at]]} without a MARK`, at);
    return this.popFrom(mark);
  }

  private popFrom(start: number): unknown[] {
    const items = this.stack.splice(start);
    this.itemDepths = this.depths.splice(start);
    for (let i = 0; i < items.length; i++) {
      if (this.itemDepths[i] < 0) this.itemDepths[i] = this.finishList(items[i] as unknown[], -this.itemDepths[i]);
    }
    return items;
  }

  /** A list goes into a container: it can no longer grow, and memo references to it become valid. */
  private finishList(list: unknown[], depth: number): number {
    this.listsBeingBuilt.delete(list);
    this.finishedListDepths.set(list, depth);
    return depth;
  }

  private appendToList(items: unknown[], at: number): void {
    const top = this.stack.length - 1;
    const listDepth = top < 0 ? 0 : this.depths[top];
    if (listDepth >= 0 || (this.marks.length > 0 && this.marks[this.marks.length - 1] > top)) {
      throw new PickleError(`${OPCODE_NAMES[this.bytes[at]]} to something that is not a list being built`, at);
    }
    const list = this.stack[top] as unknown[];
    let deepest = -listDepth - 1;
    for (let i = 0; i < items.length; i++) {
      list.push(items[i]);
      if (this.itemDepths[i] > deepest) deepest = this.itemDepths[i];
    }
    if (deepest + 1 > this.maxDepth) throw new PickleError(`lists and tuples nested deeper than ${this.maxDepth}`, at);
    this.depths[top] = -(deepest + 1);
  }

  private put(index: number, at: number): void {
    const top = this.stack.length - 1;
    if (top < 0 || (this.marks.length > 0 && this.marks[this.marks.length - 1] > top)) {
      throw new PickleError(`${OPCODE_NAMES[this.bytes[at]]} with nothing to store`, at);
    }
    if (this.memo[index] === undefined) this.memoCount++;
    this.memo[index] = this.stack[top];
    this.memoDepths[index] = this.depths[top];
  }

  private get(index: number, at: number): void {
    const value = this.memo[index];
    if (value === undefined) throw new PickleError(`memo entry ${index} does not exist`, at);
    let depth = this.memoDepths[index];
    if (depth < 0) {
      // Stored while it was still being built: valid only once finished.
      const list = value as unknown[];
      if (this.listsBeingBuilt.has(list)) throw new PickleError('reference to a list that is still being built (a recursive structure)', at);
      depth = this.finishedListDepths.get(list) ?? -depth;
    }
    this.push(value, depth);
  }
}

/** A little-endian two's complement integer (LONG1, LONG4): a number when safe, else a bigint. */
function twosComplementLittleEndian(bytes: Uint8Array, start: number, n: number): number | bigint {
  if (n === 0) return 0;
  if (n <= 6) {
    let value = 0;
    for (let i = n - 1; i >= 0; i--) value = value * 256 + bytes[start + i];
    return bytes[start + n - 1] & 0x80 ? value - 2 ** (8 * n) : value;
  }
  let hex = '';
  for (let i = n - 1; i >= 0; i--) hex += bytes[start + i].toString(16).padStart(2, '0');
  let value = BigInt(`0x${hex}`);
  if (bytes[start + n - 1] & 0x80) value -= 1n << BigInt(8 * n);
  return narrow(value);
}

function narrow(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

const DECIMAL_INT = /^[+-]?\d+$/;
const DECIMAL_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseIntText(text: string, at: number): number | bigint {
  const trimmed = text.trim();
  if (!DECIMAL_INT.test(trimmed)) throw new PickleError(`"${trimmed.slice(0, 40)}" is not an integer`, at);
  if (trimmed.length > MAX_INT_DIGITS) throw new PickleError(`integer longer than ${MAX_INT_DIGITS} digits`, at);
  return trimmed.length < 16 ? Number(trimmed) : narrow(BigInt(trimmed));
}

function parseFloatText(text: string, at: number): number {
  const value = parsePythonFloat(text);
  if (value === undefined) throw new PickleError(`"${text.slice(0, 40)}" is not a float`, at);
  return value;
}

/** A number as Python's float() reads a string (decimal, `inf`, `nan`), or undefined. */
function parsePythonFloat(text: string): number | undefined {
  const trimmed = text.trim();
  if (DECIMAL_FLOAT.test(trimmed)) return Number(trimmed);
  const word = trimmed.toLowerCase();
  const unsigned = word.startsWith('-') || word.startsWith('+') ? word.slice(1) : word;
  if (unsigned === 'nan') return NaN;
  if (unsigned === 'inf' || unsigned === 'infinity') return word.startsWith('-') ? -Infinity : Infinity;
  return undefined;
}

function parseMemoIndex(text: string, at: number): number {
  const trimmed = text.trim();
  if (!/^\d{1,10}$/.test(trimmed)) throw new PickleError(`"${trimmed.slice(0, 40)}" is not a memo index`, at);
  return Number(trimmed);
}

const SIMPLE_ESCAPES: Record<string, number> = { '\\': 0x5c, "'": 0x27, '"': 0x22, a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };

/** STRING's argument: a quoted Python 2 string literal (codecs.escape_decode), decoded as UTF-8. */
function decodeQuotedString(text: string, at: number): string {
  const quote = text[0];
  if (text.length < 2 || (quote !== "'" && quote !== '"') || text[text.length - 1] !== quote) {
    throw new PickleError('the STRING argument must be quoted', at);
  }
  const out: number[] = [];
  for (let i = 1; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x5c || i + 1 >= text.length - 1) {
      if (c === 0x5c) throw new PickleError('STRING ends with a lone backslash', at);
      out.push(c);
      continue;
    }
    const e = text[++i];
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out.push(simple);
    } else if (e === '\n') {
      // line continuation: nothing
    } else if (e === 'x') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex) || i + 2 >= text.length - 1) throw new PickleError('invalid \\x escape in STRING', at);
      out.push(parseInt(hex, 16));
      i += 2;
    } else if (e >= '0' && e <= '7') {
      let value = 0;
      let digits = 0;
      while (digits < 3 && i < text.length - 1 && text[i] >= '0' && text[i] <= '7') {
        value = value * 8 + (text.charCodeAt(i) - 0x30);
        i++;
        digits++;
      }
      i--;
      out.push(value & 0xff);
    } else {
      out.push(0x5c, text.charCodeAt(i)); // unknown escapes stay as written
    }
  }
  try {
    return utf8.decode(Uint8Array.from(out));
  } catch {
    throw new PickleError('string is not valid UTF-8', at);
  }
}

/** UNICODE's argument (raw-unicode-escape): `\uXXXX` and `\UXXXXXXXX` after an odd run of backslashes; other bytes are Latin-1. */
function decodeRawUnicodeEscape(text: string): string {
  if (!text.includes('\\')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '\\') {
      out += text[i++];
      continue;
    }
    let run = 0;
    while (text[i + run] === '\\') run++;
    const kind = text[i + run];
    const width = kind === 'u' ? 4 : kind === 'U' ? 8 : 0;
    const hex = text.slice(i + run + 1, i + run + 1 + width);
    if (run % 2 === 1 && width > 0 && hex.length === width && /^[0-9a-fA-F]+$/.test(hex)) {
      out += '\\'.repeat(run - 1) + String.fromCodePoint(parseInt(hex, 16));
      i += run + 1 + width;
    } else {
      out += '\\'.repeat(run);
      i += run;
    }
  }
  return out;
}

// ---- carbon's use of it ------------------------------------------------------------------------

export interface CarbonPickleOptions {
  /** Longest accepted series name in bytes (UTF-8), before tag normalisation. Default 1024. */
  maxNameLength?: number;
  /** Deepest accepted nesting. Default 1000. */
  maxDepth?: number;
  /** Called once per bad entry with its position in the list and the reason. */
  onBadEntry?: (index: number, reason: string) => void;
}

/**
 * Reads a carbon pickle frame and feeds each valid `(path, (timestamp, value))` entry to `sink`.
 * Entries may be tuples or lists; timestamp and value may be numbers or numeric strings (carbon
 * applies float() to both). Each entry counts as a line in `counters`; bad entries are counted and
 * skipped with the same rules as plaintext lines. Throws PickleError when the frame is not a
 * readable pickle of a list: the caller logs it, counts it and keeps the connection (as carbon does).
 */
export function decodeCarbonPickle(
  bytes: Uint8Array,
  sink: CarbonSink,
  counters: CarbonParseCounters,
  now: () => number,
  options: CarbonPickleOptions = {},
): void {
  const entries = readPickle(bytes, { maxDepth: options.maxDepth });
  if (!Array.isArray(entries)) throw new PickleError('a carbon pickle must hold a list of (path, (timestamp, value))', 0);
  const maxNameLength = options.maxNameLength ?? 1024;
  let nowSeconds = -1;
  for (let i = 0; i < entries.length; i++) {
    counters.lines++;
    const entry: unknown = entries[i];
    let problem: string | null = null;
    let name = '';
    let timestamp = NaN;
    let value = NaN;
    if (!Array.isArray(entry) || entry.length !== 2 || !Array.isArray(entry[1]) || entry[1].length !== 2) {
      problem = 'entry is not (path, (timestamp, value))';
    } else {
      const [path, datapoint] = entry as [unknown, unknown[]];
      value = toFloat(datapoint[1]);
      timestamp = Math.trunc(toFloat(datapoint[0]));
      if (timestamp === -1) {
        if (nowSeconds === -1) nowSeconds = now();
        timestamp = nowSeconds;
      }
      const rawName = typeof path === 'string' ? path : path instanceof Uint8Array ? decodeName(path) : undefined;
      if (rawName === undefined) problem = 'path is not a string';
      else if (Buffer.byteLength(rawName, 'utf8') > maxNameLength) problem = `name longer than ${maxNameLength} bytes`;
      else if (!Number.isFinite(value)) problem = 'value is not a finite number';
      else if (Number.isNaN(timestamp)) problem = 'timestamp is not a number';
      else if (timestamp < 0) problem = 'negative timestamp';
      else if (timestamp > MAX_TIMESTAMP) problem = 'timestamp past 2106 (milliseconds instead of seconds?)';
      else {
        try {
          name = normaliseSeriesName(rawName);
        } catch (err) {
          if (!(err instanceof GraphiteTagError)) throw err;
          problem = err.message;
        }
      }
    }
    if (problem === null) {
      sink.point(sink.seriesOf(name), value, timestamp);
    } else {
      counters.badLines++;
      options.onBadEntry?.(i, problem);
    }
  }
}

function decodeName(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Python's float() of a pickled number, bool or numeric string; NaN for anything else. */
function toFloat(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'bigint') return Number(x);
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'string') return parsePythonFloat(x) ?? NaN;
  return NaN;
}

// ---- framing -----------------------------------------------------------------------------------

/** Carbon's own limit is 1 MiB (Int32StringReceiver.MAX_LENGTH); senders batching harder exist. */
export const DEFAULT_MAX_PICKLE_FRAME_BYTES = 16 * 1024 * 1024;
/** A reassembly buffer larger than this is dropped once empty, so one big frame does not pin memory. */
const RETAINED_BUFFER_BYTES = 1024 * 1024;

/**
 * Splits a TCP byte stream into length-prefixed pickle frames (4-byte big-endian length, then
 * that many bytes). Frames are handed out without copying when they sit whole in one chunk.
 */
export class PickleFrameSplitter {
  private pending: Uint8Array = new Uint8Array(0);
  private pendingLength = 0;
  private error: string | null = null;

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_PICKLE_FRAME_BYTES) {}

  /** Bytes held back waiting for the rest of a frame. */
  get buffered(): number {
    return this.pendingLength;
  }

  /**
   * Feeds the next chunk; calls `onFrame` for every complete frame (the frame's bytes are only
   * valid during the call). Returns null, or the reason the connection must be closed (a frame
   * longer than the limit); after an error every further push returns it again and does nothing.
   */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): string | null {
    if (this.error !== null) return this.error;
    let data = chunk;
    if (this.pendingLength > 0) {
      this.append(chunk);
      data = this.pending.subarray(0, this.pendingLength);
    }
    let pos = 0;
    while (data.length - pos >= 4) {
      const length = ((data[pos] << 24) | (data[pos + 1] << 16) | (data[pos + 2] << 8) | data[pos + 3]) >>> 0;
      if (length > this.maxFrameBytes) {
        this.error = `pickle frame of ${length} bytes is larger than the ${this.maxFrameBytes}-byte limit`;
        this.pendingLength = 0;
        this.pending = new Uint8Array(0);
        return this.error;
      }
      if (data.length - pos - 4 < length) break;
      onFrame(data.subarray(pos + 4, pos + 4 + length));
      pos += 4 + length;
    }
    const rest = data.length - pos;
    if (data === chunk) {
      this.pendingLength = 0;
      if (rest > 0) this.append(chunk.subarray(pos));
    } else {
      this.pending.copyWithin(0, pos, this.pendingLength);
      this.pendingLength = rest;
    }
    if (this.pendingLength === 0 && this.pending.length > RETAINED_BUFFER_BYTES) this.pending = new Uint8Array(0);
    return null;
  }

  private append(bytes: Uint8Array): void {
    const needed = this.pendingLength + bytes.length;
    if (needed > this.pending.length) {
      const grown = new Uint8Array(Math.max(needed, this.pending.length * 2, 4096));
      grown.set(this.pending.subarray(0, this.pendingLength));
      this.pending = grown;
    }
    this.pending.set(bytes, this.pendingLength);
    this.pendingLength = needed;
  }
}
