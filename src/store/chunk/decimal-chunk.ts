/**
 * Decimal chunk: for series whose values are all `m / 10^e` for one exponent `e` (rates like 12.34,
 * counts / 10, integers), the integer mantissas `m` are stored in a per-chunk bit width, as offsets
 * from the chunk's smallest mantissa, zig-zag deltas or deltas of deltas, whichever is smallest;
 * after VictoriaMetrics' decimal conversion. Timestamps and the 11-byte header are exactly the XOR
 * chunk's. docs/format/chunk.md gives the exact layout.
 *
 * Mantissas reach 2^53, so their differences need up to 56 bits: they are kept as two 32-bit
 * halves (two's complement, wrapping) and never as doubles, which would round above 2^53.
 */
import { BitStreamEndError, BitWriter, wordsOf, peek32 } from './bit-stream.js';
import { CorruptChunkError, XOR_CHUNK_HEADER_BYTES, XOR_CHUNK_MAX_POINTS } from './xor-chunk.js';

/** Encoding byte of a decimal chunk. */
export const DECIMAL_CHUNK_ENCODING = 2;
/** Largest decimal exponent: values need at most this many decimals to qualify. */
export const DECIMAL_MAX_EXPONENT = 15;

/**
 * How mantissas are written; two stream bits. Offsets suit noise around a level, deltas a wandering
 * or mostly unchanged gauge, deltas of deltas a cumulative counter.
 */
const MantissaMode = { delta: 0, deltaOfDelta: 1, offset: 2 } as const;

const HEADER_BYTES = XOR_CHUNK_HEADER_BYTES;
const TWO_POW_32 = 0x1_0000_0000;
/** Zig-zag of any mantissa delta of delta fits 57 bits (|dod| < 2^55); a width field holds up to 63. */
const MAX_WIDTH = 57;
/** Bits of the exponent, mode and width fields that open the stream. */
const STREAM_PARAMS_BITS = 4 + 2 + 6;
const POWERS_OF_TEN = Array.from({ length: DECIMAL_MAX_EXPONENT + 1 }, (_, e) => 10 ** e);

/** Bit length of the unsigned 64-bit `hi:lo`; 0 for zero. */
function bitLength64(hi: number, lo: number): number {
  return hi !== 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(lo);
}

/**
 * Checks whether `values[start, end)` are all `m / 10^e` for one `e`, and plans the cheapest way to
 * write their mantissas; `encode()` then writes them. Reuses its buffers, so keep one per thread.
 */
export class DecimalChunkEncoder {
  /** Exponent, mode and width chosen by the last successful analyse(). */
  private exponent = 0;
  private mode: number = MantissaMode.delta;
  private width = 1;
  private bitsForValues = 0;
  private count = 0;
  /** Indexes of the smallest and largest analysed value. */
  private smallest = 0;
  private largest = 0;
  /** Mantissas of the analysed values as 64-bit two's complement halves. */
  private mantissaHi = new Int32Array(128);
  private mantissaLo = new Int32Array(128);
  /** Deltas and deltas of deltas per zig-zag bit length; index 0 counts zeros. */
  private readonly deltaLengths = new Int32Array(MAX_WIDTH + 1);
  private readonly dodLengths = new Int32Array(MAX_WIDTH + 1);
  private readonly bits = new BitWriter(256);

  /** Stream bits the analysed values take: parameters, reference mantissa and one code per point; no timestamps. */
  get valueBits(): number {
    return this.bitsForValues;
  }

  /**
   * True when every value of `values[start, end)` (at least one) is exactly `m / 10^e` with
   * `|m| < 2^53` and `e <= 15`; NaN, infinities and -0 never are. Plans the encoding on success.
   */
  analyse(values: Float64Array, start: number, end: number): boolean {
    this.count = 0;
    const count = end - start;
    if (count <= 0 || count > XOR_CHUNK_MAX_POINTS) return false;
    if (count > this.mantissaHi.length) {
      this.mantissaHi = new Int32Array(count);
      this.mantissaLo = new Int32Array(count);
    }
    const mHi = this.mantissaHi;
    const mLo = this.mantissaLo;
    let e = 0;
    let scale = 1;
    let smallest = 0;
    let largest = 0;
    for (let i = 0; i < count; i++) {
      const v = values[start + i];
      const m = Math.round(v * scale);
      // NaN fails the round trip; -0 (m = -0) the sign test, as it would come back as 0.
      if (m / scale !== v || Math.abs(m) > Number.MAX_SAFE_INTEGER || (m === 0 && 1 / v < 0)) {
        if (v !== v || v === 0) return false;
        e = smallestExponentAbove(v, e);
        if (e < 0) return false;
        // Start over with the larger exponent: rare, and at most 15 times.
        scale = POWERS_OF_TEN[e];
        smallest = 0;
        largest = 0;
        i = -1;
        continue;
      }
      // Mantissas order as their values do.
      if (v < values[start + smallest]) smallest = i;
      if (v > values[start + largest]) largest = i;
      const hi = Math.floor(m / TWO_POW_32);
      mHi[i] = hi;
      mLo[i] = m - hi * TWO_POW_32; // in [0, 2^32): the Int32Array keeps its bit pattern
    }
    this.exponent = e;
    this.count = count;
    this.smallest = smallest;
    this.largest = largest;
    this.planMantissaCodes();
    return true;
  }

  /**
   * Writes a chunk of the analysed values with `timestamps[start, end)` (same range length as the
   * values given to analyse()); throws unless they strictly increase.
   */
  encode(timestamps: Uint32Array, start: number, end: number): Uint8Array {
    const count = this.count;
    if (count === 0 || end - start !== count) {
      throw new RangeError(`encode got ${end - start} timestamps for ${count} analysed values (analyse() must succeed first)`);
    }
    const bits = this.bits;
    bits.reset();
    const mode = this.mode;
    const width = this.width;
    bits.writeBits((this.exponent << 8) | (mode << 6) | width, STREAM_PARAMS_BITS);
    const mHi = this.mantissaHi;
    const mLo = this.mantissaLo;
    // The reference mantissa: the smallest for offsets, else the first.
    const reference = mode === MantissaMode.offset ? this.smallest : 0;
    const refHi = mHi[reference];
    const refLo = mLo[reference];
    let zHi = ((refHi << 1) | (refLo >>> 31)) ^ (refHi >> 31);
    let zLo = (refLo << 1) ^ (refHi >> 31);
    let length = bitLength64(zHi, zLo);
    bits.writeBits(length, 6);
    bits.writeBits64(zHi, zLo, length);
    if (mode === MantissaMode.offset) {
      bits.writeBits64((mHi[0] - refHi - ((mLo[0] >>> 0) < (refLo >>> 0) ? 1 : 0)) | 0, (mLo[0] - refLo) | 0, width);
    }
    let lastTimestamp = timestamps[start];
    let timestampDelta = 0;
    let prevHi = refHi;
    let prevLo = refLo;
    let deltaHi = 0;
    let deltaLo = 0;
    for (let i = 1; i < count; i++) {
      const t = timestamps[start + i];
      if (t <= lastTimestamp) throw new RangeError(`chunk timestamps must increase: ${t} is not after ${lastTimestamp}`);
      const d = t - lastTimestamp;
      writeTimestampDeltaOfDelta(bits, d - timestampDelta);
      timestampDelta = d;
      lastTimestamp = t;

      // x = m[i] - previous (the reference for offsets), wrapping in 64 bits.
      const hi = mHi[i];
      const lo = mLo[i];
      let xLo = (lo - prevLo) | 0;
      let xHi = (hi - prevHi - ((lo >>> 0) < (prevLo >>> 0) ? 1 : 0)) | 0;
      if (mode === MantissaMode.offset) {
        bits.writeBits64(xHi, xLo, width);
        continue;
      }
      prevHi = hi;
      prevLo = lo;
      if (mode === MantissaMode.deltaOfDelta) {
        const dLo = xLo;
        const dHi = xHi;
        xLo = (dLo - deltaLo) | 0;
        xHi = (dHi - deltaHi - ((dLo >>> 0) < (deltaLo >>> 0) ? 1 : 0)) | 0;
        deltaHi = dHi;
        deltaLo = dLo;
      }
      const sign = xHi >> 31;
      zHi = ((xHi << 1) | (xLo >>> 31)) ^ sign;
      zLo = (xLo << 1) ^ sign;
      length = bitLength64(zHi, zLo);
      if (length === 0) bits.writeBit(0);
      else if (length <= width) {
        bits.writeBits(0b10, 2);
        bits.writeBits64(zHi, zLo, width);
      } else {
        bits.writeBits((0b11 << 6) | length, 8);
        bits.writeBits64(zHi, zLo, length);
      }
    }
    const out = new Uint8Array(HEADER_BYTES + bits.byteLength);
    out[0] = DECIMAL_CHUNK_ENCODING;
    out[1] = count >>> 8;
    out[2] = count;
    writeU32(out, 3, timestamps[start]);
    writeU32(out, 7, lastTimestamp);
    out.set(bits.view(), HEADER_BYTES);
    return out;
  }

  /**
   * Picks the mode and width by the exact stream cost of each: offsets take the bit length of the
   * mantissas' range; deltas and deltas of deltas the cheapest width for their histograms of
   * zig-zag bit lengths.
   */
  private planMantissaCodes(): void {
    const count = this.count;
    const deltaLengths = this.deltaLengths.fill(0);
    const dodLengths = this.dodLengths.fill(0);
    const mHi = this.mantissaHi;
    const mLo = this.mantissaLo;
    let deltaHi = 0;
    let deltaLo = 0;
    for (let i = 1; i < count; i++) {
      const hi = mHi[i];
      const lo = mLo[i];
      const pHi = mHi[i - 1];
      const pLo = mLo[i - 1];
      const dLo = (lo - pLo) | 0;
      const dHi = (hi - pHi - ((lo >>> 0) < (pLo >>> 0) ? 1 : 0)) | 0;
      deltaLengths[zigZagBitLength(dHi, dLo)]++;
      const xLo = (dLo - deltaLo) | 0;
      const xHi = (dHi - deltaHi - ((dLo >>> 0) < (deltaLo >>> 0) ? 1 : 0)) | 0;
      dodLengths[zigZagBitLength(xHi, xLo)]++;
      deltaHi = dHi;
      deltaLo = dLo;
    }
    const first = zigZagBitLength(mHi[0], mLo[0]);
    const deltaPlan = cheapestWidth(deltaLengths);
    const dodPlan = cheapestWidth(dodLengths);
    const low = this.smallest;
    const high = this.largest;
    const rangeWidth = bitLength64(
      (mHi[high] - mHi[low] - ((mLo[high] >>> 0) < (mLo[low] >>> 0) ? 1 : 0)) | 0,
      (mLo[high] - mLo[low]) | 0,
    );
    const offsetBits = zigZagBitLength(mHi[low], mLo[low]) + count * rangeWidth;
    // The plans pack `bits * 64 + width`; bits stay far below 2^46, so this is exact.
    const deltaBits = first + Math.floor(deltaPlan / 64);
    const dodBits = first + Math.floor(dodPlan / 64);
    let bits = offsetBits;
    this.mode = MantissaMode.offset;
    this.width = rangeWidth;
    if (deltaBits < bits) {
      bits = deltaBits;
      this.mode = MantissaMode.delta;
      this.width = deltaPlan % 64;
    }
    if (dodBits < bits) {
      bits = dodBits;
      this.mode = MantissaMode.deltaOfDelta;
      this.width = dodPlan % 64;
    }
    this.bitsForValues = STREAM_PARAMS_BITS + 6 + bits;
  }
}

/** The smallest exponent above `e` at which `v` is `m / 10^e` with `|m| < 2^53`; -1 if none. */
function smallestExponentAbove(v: number, e: number): number {
  while (++e <= DECIMAL_MAX_EXPONENT) {
    const scale = POWERS_OF_TEN[e];
    const m = Math.round(v * scale);
    if (m / scale === v && Math.abs(m) <= Number.MAX_SAFE_INTEGER) return e;
  }
  return -1;
}

/** Bit length of the zig-zag form of the signed 64-bit `hi:lo`. */
function zigZagBitLength(hi: number, lo: number): number {
  const sign = hi >> 31;
  return bitLength64(((hi << 1) | (lo >>> 31)) ^ sign, (lo << 1) ^ sign);
}

/**
 * The width `w` minimising the bits of all mantissa codes given their zig-zag bit lengths
 * (`lengths[0]` counts zeros): zero costs 1, a length up to `w` costs 2 + w, a longer one 8 + length.
 * Returns `bits * 64 + w`.
 */
function cheapestWidth(lengths: Int32Array): number {
  let longer = 0; // codes longer than the width being tried, and their bits as escapes
  let longerBits = 0;
  for (let n = 1; n <= MAX_WIDTH; n++) {
    longer += lengths[n];
    longerBits += lengths[n] * (8 + n);
  }
  let within = 0;
  let bestBits = Infinity;
  let bestWidth = 1;
  for (let w = 1; w <= MAX_WIDTH; w++) {
    within += lengths[w];
    longer -= lengths[w];
    longerBits -= lengths[w] * (8 + w);
    const total = lengths[0] + within * (2 + w) + longerBits;
    if (total < bestBits) {
      bestBits = total;
      bestWidth = w;
    }
    if (longer === 0) break; // any wider only costs more
  }
  return bestBits * 64 + bestWidth;
}

export function writeU32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value >>> 24;
  out[offset + 1] = value >>> 16;
  out[offset + 2] = value >>> 8;
  out[offset + 3] = value;
}

export function u32At(chunk: Uint8Array, offset: number): number {
  return ((chunk[offset] << 24) | (chunk[offset + 1] << 16) | (chunk[offset + 2] << 8) | chunk[offset + 3]) >>> 0;
}

/**
 * Timestamp delta of deltas in the XOR chunk's buckets (docs/format/chunk.md, `<varbit_ts>`):
 * '0' | '10'+7 | '110'+9 | '1110'+12 | '1111'+33 bits, two's complement.
 */
export function writeTimestampDeltaOfDelta(bits: BitWriter, dod: number): void {
  if (dod === 0) bits.writeBit(0);
  else if (dod >= -64 && dod <= 63) bits.writeBits((0b10 << 7) | (dod & 0x7f), 9);
  else if (dod >= -256 && dod <= 255) bits.writeBits((0b110 << 9) | (dod & 0x1ff), 12);
  else if (dod >= -2048 && dod <= 2047) bits.writeBits((0b1110 << 12) | (dod & 0xfff), 16);
  else {
    bits.writeBits((0b1111 << 1) | (dod < 0 ? 1 : 0), 5);
    bits.writeBits(dod >>> 0, 32);
  }
}

/** Bits of the `<varbit_ts>` code that opens `word` (its first bit is 1). */
export function timestampCodeBits(word: number): number {
  if (word >>> 30 === 0b10) return 9;
  if (word >>> 29 === 0b110) return 12;
  if (word >>> 28 === 0b1110) return 16;
  return 37;
}

/** The delta of deltas of the `<varbit_ts>` code at bit `pos`, whose first 32 bits are `word` (first bit 1). */
export function timestampDeltaOfDeltaAt(buf: Int32Array, pos: number, word: number): number {
  if (word >>> 30 === 0b10) return (word << 2) >> 25;
  if (word >>> 29 === 0b110) return (word << 3) >> 23;
  if (word >>> 28 === 0b1110) return (word << 4) >> 20;
  const low = peek32(buf, pos + 5);
  return ((word >>> 27) & 1) === 1 ? low - TWO_POW_32 : low;
}


/**
 * Decodes every point of a decimal chunk into `timestamps[at...]` and `values[at...]`; returns the
 * count. Throws CorruptChunkError for chunks that are not decimal or do not decode to their header.
 */
export function decodeDecimalChunkInto(chunk: Uint8Array, timestamps: Uint32Array, values: Float64Array, at = 0): number {
  if (chunk.length < HEADER_BYTES) {
    throw new CorruptChunkError(`${chunk.length} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  }
  if (chunk[0] !== DECIMAL_CHUNK_ENCODING) {
    throw new CorruptChunkError(`encoding ${chunk[0]} is not decimal (${DECIMAL_CHUNK_ENCODING})`);
  }
  const count = (chunk[1] << 8) | chunk[2];
  if (at + count > timestamps.length || at + count > values.length) {
    throw new RangeError(`decoding ${count} points at ${at} needs arrays of ${at + count}, got ${timestamps.length} and ${values.length}`);
  }
  if (count === 0) return 0;
  // One loop with the bit position in a local and 32-bit peeks; the zero padding makes reads past the end safe.
  const buf = wordsOf(chunk);
  const endBit = chunk.length * 8;
  let pos = HEADER_BYTES * 8;
  const params = peek32(buf, pos) >>> (32 - STREAM_PARAMS_BITS);
  pos += STREAM_PARAMS_BITS;
  const scale = POWERS_OF_TEN[params >>> 8];
  const mode = (params >>> 6) & 3;
  const width = params & 63;
  if (mode !== MantissaMode.delta && mode !== MantissaMode.deltaOfDelta && mode !== MantissaMode.offset) {
    throw new CorruptChunkError(`unknown mantissa mode ${mode}`);
  }

  // The reference mantissa: the smallest for offsets, else the first; zig-zag coded.
  const length = peek32(buf, pos) >>> 26;
  pos += 6;
  let hi = length > 32 ? peek32(buf, pos) >>> (64 - length) : 0;
  let lo = length > 32 ? peek32(buf, pos + length - 32) : length > 0 ? peek32(buf, pos) >>> (32 - length) : 0;
  pos += length;
  let sign = -(lo & 1);
  const refHi = (hi >>> 1) ^ sign;
  const refLo = (((lo >>> 1) | (hi << 31)) ^ sign) >>> 0;
  let mHi = refHi;
  let mLo = refLo;
  let deltaHi = 0;
  let deltaLo = 0;
  let timestamp = u32At(chunk, 3);
  let timestampDelta = 0;
  for (let i = 0; i < count; i++) {
    if (pos > endBit) throw new BitStreamEndError();
    if (i > 0) {
      const word = peek32(buf, pos);
      if (word >>> 31 === 0) pos += 1;
      else {
        timestampDelta += timestampDeltaOfDeltaAt(buf, pos, word);
        pos += timestampCodeBits(word);
        if (timestampDelta <= 0) throw new CorruptChunkError(`timestamps stop increasing at point ${i}`);
      }
      timestamp += timestampDelta;
    }
    timestamps[at + i] = timestamp;

    // x: the offset from the reference, or the zig-zag coded delta or delta of delta.
    let xHi = 0;
    let xLo = 0;
    if (mode === MantissaMode.offset) {
      if (width > 32) {
        xHi = peek32(buf, pos) >>> (64 - width);
        xLo = peek32(buf, pos + width - 32);
      } else if (width > 0) {
        xLo = peek32(buf, pos) >>> (32 - width);
      }
      pos += width;
      mHi = refHi;
      mLo = refLo;
    } else if (i > 0) {
      const word = peek32(buf, pos);
      if (word >>> 31 === 0) pos += 1;
      else {
        let n = width;
        pos += 2;
        if ((word & 0x4000_0000) !== 0) {
          n = (word >>> 24) & 63;
          pos += 6;
        }
        hi = n > 32 ? peek32(buf, pos) >>> (64 - n) : 0;
        lo = n > 32 ? peek32(buf, pos + n - 32) : n > 0 ? peek32(buf, pos) >>> (32 - n) : 0;
        pos += n;
        sign = -(lo & 1);
        xHi = (hi >>> 1) ^ sign;
        xLo = (((lo >>> 1) | (hi << 31)) ^ sign) >>> 0;
      }
    }
    if (mode === MantissaMode.deltaOfDelta) {
      const sum = (deltaLo + xLo) >>> 0;
      deltaHi = (deltaHi + xHi + (sum < deltaLo ? 1 : 0)) | 0;
      deltaLo = sum;
      xHi = deltaHi;
      xLo = sum;
    }
    // m += x, wrapping in 64 bits; all lows are kept unsigned.
    const sum = (mLo + xLo) >>> 0;
    mHi = (mHi + xHi + (sum < mLo ? 1 : 0)) | 0;
    mLo = sum;
    values[at + i] = (mHi * TWO_POW_32 + mLo) / scale;
  }
  if (pos > endBit) throw new BitStreamEndError();
  if (timestamp !== u32At(chunk, 7)) throw new CorruptChunkError(`last point is at ${timestamp}, header says ${u32At(chunk, 7)}`);
  return count;
}
