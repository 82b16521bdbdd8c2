/**
 * Gorilla-style chunk of (timestamp, value) points: delta-of-delta timestamps and XOR'd float
 * values, after Facebook's Gorilla paper and Prometheus' tsdb/chunkenc/xor.go, with timestamp
 * buckets sized for whole seconds. docs/format/chunk.md gives the exact layout.
 */
import { BitReader, BitStreamEndError, BitWriter, wordsOf, peek32 } from './bit-stream.js';

/** Encoding byte that opens every XOR chunk, so other encodings can be told apart later. */
export const XOR_CHUNK_ENCODING = 1;
/** Encoding u8, count u16, first timestamp u32, last timestamp u32; all big-endian. */
export const XOR_CHUNK_HEADER_BYTES = 11;
/** The header counts points in 16 bits. */
export const XOR_CHUNK_MAX_POINTS = 0xffff;

const MAX_TIMESTAMP = 0xffffffff;
const TWO_POW_32 = 0x1_0000_0000;

// One shared float/word pair turns doubles into their two 32-bit halves and back without allocating.
const floatCell = new Float64Array(1);
const wordCells = new Uint32Array(floatCell.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = 1 - HI;

/** Trailing zero bits of a non-zero 32-bit integer. */
function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Accumulates points into one compressed chunk; `bytes()` seals a copy. */
export class XorChunkEncoder {
  private readonly bits: BitWriter;
  private pointCount = 0;
  private first = 0;
  private last = 0;
  private delta = 0;
  private valueHi = 0;
  private valueLo = 0;
  /** Leading zeros of the current XOR window; -1 until the first window is written. */
  private leading = -1;
  private trailing = 0;

  /** `initialBytes` sizes the bit buffer; it grows by doubling. */
  constructor(initialBytes = 128) {
    this.bits = new BitWriter(initialBytes);
  }

  get count(): number {
    return this.pointCount;
  }

  /** Timestamp of the first point; 0 while empty. */
  get firstTimestamp(): number {
    return this.first;
  }

  /** Timestamp of the last point; 0 while empty. */
  get lastTimestamp(): number {
    return this.last;
  }

  /** Size of what `bytes()` returns. */
  get sizeBytes(): number {
    return XOR_CHUNK_HEADER_BYTES + this.bits.byteLength;
  }

  /** Appends a point; `timestamp` is whole seconds (u32) and later than the previous one. */
  append(timestamp: number, value: number): void {
    if (!Number.isInteger(timestamp) || timestamp < 0 || timestamp > MAX_TIMESTAMP) {
      throw new RangeError(`chunk timestamp must be whole seconds in [0, 2^32), got ${timestamp}`);
    }
    const count = this.pointCount;
    if (count === XOR_CHUNK_MAX_POINTS) throw new RangeError(`chunk is full (${XOR_CHUNK_MAX_POINTS} points)`);
    floatCell[0] = value;
    const hi = wordCells[HI];
    const lo = wordCells[LO];
    const bits = this.bits;
    if (count === 0) {
      this.first = timestamp;
      bits.writeBits(hi, 32);
      bits.writeBits(lo, 32);
    } else {
      if (timestamp <= this.last) {
        throw new RangeError(`chunk timestamps must increase: ${timestamp} is not after ${this.last}`);
      }
      const delta = timestamp - this.last;
      this.writeDeltaOfDelta(delta - this.delta);
      this.delta = delta;
      this.writeValueXor(hi ^ this.valueHi, lo ^ this.valueLo);
    }
    this.valueHi = hi;
    this.valueLo = lo;
    this.last = timestamp;
    this.pointCount = count + 1;
  }

  /** A compact copy of the chunk: header, then the bit stream padded to a whole byte. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.sizeBytes);
    writeHeader(out, this.pointCount, this.first, this.last);
    out.set(this.bits.view(), XOR_CHUNK_HEADER_BYTES);
    return out;
  }

  /** Empties the encoder, keeping its buffer for the next chunk. */
  reset(): void {
    this.bits.reset();
    this.pointCount = 0;
    this.first = 0;
    this.last = 0;
    this.delta = 0;
    this.valueHi = 0;
    this.valueLo = 0;
    this.leading = -1;
    this.trailing = 0;
  }

  // Buckets from the Gorilla paper (seconds): '0' | '10'+7 | '110'+9 | '1110'+12 | '1111'+33 bits,
  // two's complement. 33 bits hold any difference of two u32 deltas.
  private writeDeltaOfDelta(dod: number): void {
    const bits = this.bits;
    if (dod === 0) bits.writeBit(0);
    else if (dod >= -64 && dod <= 63) bits.writeBits((0b10 << 7) | (dod & 0x7f), 9);
    else if (dod >= -256 && dod <= 255) bits.writeBits((0b110 << 9) | (dod & 0x1ff), 12);
    else if (dod >= -2048 && dod <= 2047) bits.writeBits((0b1110 << 12) | (dod & 0xfff), 16);
    else {
      bits.writeBits((0b1111 << 1) | (dod < 0 ? 1 : 0), 5);
      bits.writeBits(dod >>> 0, 32);
    }
  }

  // '0' for an unchanged value; '10' + the meaningful bits when they fit the previous
  // leading/trailing-zero window; otherwise '11' + 5-bit leading + 6-bit length (64 as 0) + bits.
  private writeValueXor(xorHi: number, xorLo: number): void {
    const bits = this.bits;
    if ((xorHi | xorLo) === 0) {
      bits.writeBit(0);
      return;
    }
    let leading = xorHi !== 0 ? Math.clz32(xorHi) : 32 + Math.clz32(xorLo);
    if (leading > 31) leading = 31; // 5 bits
    let trailing = xorLo !== 0 ? ctz32(xorLo) : 32 + ctz32(xorHi);
    if (this.leading >= 0 && leading >= this.leading && trailing >= this.trailing) {
      leading = this.leading;
      trailing = this.trailing;
      bits.writeBits(0b10, 2);
    } else {
      this.leading = leading;
      this.trailing = trailing;
      bits.writeBits((0b11 << 11) | (leading << 6) | ((64 - leading - trailing) & 63), 13);
    }
    // Shift the 64-bit XOR right by `trailing` and write what is left of the window.
    if (trailing >= 32) bits.writeBits(xorHi >>> (trailing - 32), 32 - leading - (trailing - 32));
    else if (trailing === 0) bits.writeBits64(xorHi, xorLo, 64 - leading);
    else bits.writeBits64(xorHi >>> trailing, (xorLo >>> trailing) | (xorHi << (32 - trailing)), 64 - leading - trailing);
  }
}

function writeHeader(out: Uint8Array, count: number, first: number, last: number): void {
  const view = new DataView(out.buffer, out.byteOffset, XOR_CHUNK_HEADER_BYTES);
  view.setUint8(0, XOR_CHUNK_ENCODING);
  view.setUint16(1, count);
  view.setUint32(3, first);
  view.setUint32(7, last);
}

/** Thrown when chunk bytes do not decode to what their header says. */
export class CorruptChunkError extends Error {
  constructor(detail: string) {
    super(`corrupt chunk: ${detail}`);
    this.name = 'CorruptChunkError';
  }
}

function checkHeader(chunk: Uint8Array): void {
  if (chunk.length < XOR_CHUNK_HEADER_BYTES) {
    throw new CorruptChunkError(`${chunk.length} bytes is shorter than the ${XOR_CHUNK_HEADER_BYTES}-byte header`);
  }
  if (chunk[0] !== XOR_CHUNK_ENCODING) throw new CorruptChunkError(`encoding ${chunk[0]} is not XOR (${XOR_CHUNK_ENCODING})`);
}

/** Point count from the header alone. */
export function xorChunkCount(chunk: Uint8Array): number {
  checkHeader(chunk);
  return (chunk[1] << 8) | chunk[2];
}

function u32At(chunk: Uint8Array, offset: number): number {
  return ((chunk[offset] << 24) | (chunk[offset + 1] << 16) | (chunk[offset + 2] << 8) | chunk[offset + 3]) >>> 0;
}

/** First timestamp from the header alone (0 for an empty chunk). */
export function xorChunkFirstTimestamp(chunk: Uint8Array): number {
  checkHeader(chunk);
  return u32At(chunk, 3);
}

/** Last timestamp from the header alone (0 for an empty chunk). */
export function xorChunkLastTimestamp(chunk: Uint8Array): number {
  checkHeader(chunk);
  return u32At(chunk, 7);
}

/** Walks a chunk's points in order; reusable across chunks via reset(), allocation-free per point. */
export class XorChunkIterator {
  /** The current point, valid after next() returned true. */
  timestamp = 0;
  value = 0;
  private readonly bits = new BitReader();
  private total = 0;
  private index = 0;
  private headerLast = 0;
  private delta = 0;
  private valueHi = 0;
  private valueLo = 0;
  private leading = 0;
  private trailing = 0;

  constructor(chunk?: Uint8Array) {
    if (chunk !== undefined) this.reset(chunk);
  }

  /** Starts over on `chunk`. */
  reset(chunk: Uint8Array): this {
    this.total = xorChunkCount(chunk);
    this.timestamp = u32At(chunk, 3);
    this.headerLast = u32At(chunk, 7);
    this.bits.reset(chunk, XOR_CHUNK_HEADER_BYTES);
    this.index = 0;
    this.value = 0;
    this.delta = 0;
    this.valueHi = 0;
    this.valueLo = 0;
    this.leading = 0;
    this.trailing = 0;
    return this;
  }

  /** Points in the chunk, from its header. */
  get count(): number {
    return this.total;
  }

  /** Advances to the next point; false once all points were read. */
  next(): boolean {
    const index = this.index;
    if (index === this.total) return false;
    const bits = this.bits;
    if (index === 0) {
      this.valueHi = bits.readBits(32);
      this.valueLo = bits.readBits(32);
    } else {
      this.delta += this.readDeltaOfDelta();
      if (this.delta <= 0) throw new CorruptChunkError(`timestamps stop increasing at point ${index}`);
      this.timestamp += this.delta;
      if (bits.readBit() === 1) this.readValueXor();
    }
    wordCells[HI] = this.valueHi;
    wordCells[LO] = this.valueLo;
    this.value = floatCell[0];
    this.index = index + 1;
    if (index + 1 === this.total && this.timestamp !== this.headerLast) {
      throw new CorruptChunkError(`last point is at ${this.timestamp}, header says ${this.headerLast}`);
    }
    return true;
  }

  private readDeltaOfDelta(): number {
    const bits = this.bits;
    if (bits.readBit() === 0) return 0;
    if (bits.readBit() === 0) return (bits.readBits(7) << 25) >> 25;
    if (bits.readBit() === 0) return (bits.readBits(9) << 23) >> 23;
    if (bits.readBit() === 0) return (bits.readBits(12) << 20) >> 20;
    const negative = bits.readBit();
    const low = bits.readBits(32);
    return negative === 1 ? low - TWO_POW_32 : low;
  }

  private readValueXor(): void {
    const bits = this.bits;
    if (bits.readBit() === 1) {
      const leading = bits.readBits(5);
      const significant = bits.readBits(6) || 64;
      const trailing = 64 - leading - significant;
      if (trailing < 0) throw new CorruptChunkError(`XOR window of ${leading}+${significant} bits exceeds 64`);
      this.leading = leading;
      this.trailing = trailing;
    }
    const trailing = this.trailing;
    bits.readBits64(64 - this.leading - trailing);
    let hi = bits.hi;
    let lo = bits.lo;
    if (trailing >= 32) {
      hi = lo << (trailing - 32);
      lo = 0;
    } else if (trailing > 0) {
      hi = (hi << trailing) | (lo >>> (32 - trailing));
      lo = lo << trailing;
    }
    this.valueHi ^= hi;
    this.valueLo ^= lo;
  }
}

/**
 * Decodes every point of `chunk` into `timestamps[at...]` and `values[at...]`; returns the count.
 * Several chunks can be decoded back to back into one pair of arrays. One loop with the bit position
 * in a local and 32-bit peeks (XorChunkIterator reads the same bits one field at a time).
 */
export function decodeXorChunkInto(chunk: Uint8Array, timestamps: Uint32Array, values: Float64Array, at = 0): number {
  const count = xorChunkCount(chunk);
  if (at + count > timestamps.length || at + count > values.length) {
    throw new RangeError(`decoding ${count} points at ${at} needs arrays of ${at + count}, got ${timestamps.length} and ${values.length}`);
  }
  if (count === 0) return 0;
  const buf = wordsOf(chunk);
  const endBit = chunk.length * 8;
  let pos = XOR_CHUNK_HEADER_BYTES * 8;
  let timestamp = u32At(chunk, 3);
  let delta = 0;
  let valueHi = peek32(buf, pos);
  let valueLo = peek32(buf, pos + 32);
  pos += 64;
  let leading = 0;
  let trailing = 0;
  timestamps[at] = timestamp;
  wordCells[HI] = valueHi;
  wordCells[LO] = valueLo;
  values[at] = floatCell[0];
  for (let i = 1; i < count; i++) {
    if (pos > endBit) throw new BitStreamEndError();
    let word = peek32(buf, pos);
    // '0' + '0': the step and the value are unchanged, the common case of a steady series.
    if (word >>> 30 === 0) {
      pos += 2;
      timestamp += delta;
      timestamps[at + i] = timestamp;
      values[at + i] = values[at + i - 1];
      continue;
    }
    if (word >>> 31 === 0) pos += 1;
    else {
      let dod: number;
      if (word >>> 30 === 0b10) {
        dod = (word << 2) >> 25;
        pos += 9;
      } else if (word >>> 29 === 0b110) {
        dod = (word << 3) >> 23;
        pos += 12;
      } else if (word >>> 28 === 0b1110) {
        dod = (word << 4) >> 20;
        pos += 16;
      } else {
        const negative = (word >>> 27) & 1;
        const low = peek32(buf, pos + 5);
        dod = negative === 1 ? low - TWO_POW_32 : low;
        pos += 37;
      }
      delta += dod;
      if (delta <= 0) throw new CorruptChunkError(`timestamps stop increasing at point ${i}`);
    }
    timestamp += delta;
    timestamps[at + i] = timestamp;
    word = peek32(buf, pos);
    if (word >>> 31 === 1) {
      if ((word & 0x4000_0000) !== 0) {
        leading = (word >>> 25) & 31;
        const significant = (word >>> 19) & 63 || 64;
        trailing = 64 - leading - significant;
        if (trailing < 0) throw new CorruptChunkError(`XOR window of ${leading}+${significant} bits exceeds 64`);
        pos += 13;
      } else {
        pos += 2;
      }
      const significant = 64 - leading - trailing;
      let hi = 0;
      let lo: number;
      if (significant > 32) {
        hi = peek32(buf, pos) >>> (64 - significant);
        lo = peek32(buf, pos + significant - 32);
      } else {
        lo = peek32(buf, pos) >>> (32 - significant);
      }
      pos += significant;
      if (trailing >= 32) {
        hi = lo << (trailing - 32);
        lo = 0;
      } else if (trailing > 0) {
        hi = (hi << trailing) | (lo >>> (32 - trailing));
        lo = lo << trailing;
      }
      valueHi = (valueHi ^ hi) >>> 0;
      valueLo = (valueLo ^ lo) >>> 0;
      wordCells[HI] = valueHi;
      wordCells[LO] = valueLo;
      values[at + i] = floatCell[0];
    } else {
      pos += 1;
      values[at + i] = values[at + i - 1];
    }
  }
  if (pos > endBit) throw new BitStreamEndError();
  if (timestamp !== u32At(chunk, 7)) throw new CorruptChunkError(`last point is at ${timestamp}, header says ${u32At(chunk, 7)}`);
  return count;
}
