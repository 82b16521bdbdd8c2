/**
 * Rational chunk: for series whose values are all `s / n` for small integers (a timer's mean is
 * its sum over its count: whole milliseconds over a few hundred samples), each point stores the
 * integers instead of the double, which has no short binary or decimal form. The fraction is
 * found from the double by continued fractions and kept only if the one division gives back the
 * value's exact bits; a chunk of mostly such values writes the others whole (escaped). Timestamps
 * and the 11-byte header are exactly the XOR chunk's.
 * docs/format/chunk.md gives the exact layout.
 */
import { BitStreamEndError, BitWriter, peek32, wordsOf } from './bit-stream.js';
import { timestampCodeBits, timestampDeltaOfDeltaAt, u32At, writeTimestampDeltaOfDelta, writeU32 } from './decimal-chunk.js';
import { CorruptChunkError, XOR_CHUNK_HEADER_BYTES, XOR_CHUNK_MAX_POINTS } from './xor-chunk.js';

/** Encoding byte of a rational chunk. */
export const RATIONAL_CHUNK_ENCODING = 3;
/** Denominators are below 2^24; numerators are 32-bit signed. */
const DENOMINATOR_BITS = 24;
const MAX_DENOMINATOR = 2 ** DENOMINATOR_BITS - 1;
/**
 * Denominators the encoder looks for by default. Past 2^16 nearly any double of moderate size is
 * some s / n by accident (its convergent's error falls under half an ulp): a long search for a
 * fraction barely shorter than the double.
 */
export const RATIONAL_SEARCH_DENOMINATOR = 2 ** 16 - 1;
const MAX_NUMERATOR = 2 ** 31 - 1;
/** How numerators are written: offsets from the smallest, or the difference from round(previous value × n). */
const NumeratorMode = { offset: 0, predicted: 1 } as const;
/** Denominator width (5), mode (1), numerator width (6), escapes (1), smallest denominator (24), numerator reference (32). */
const STREAM_PARAMS_BITS = 5 + 1 + 6 + 1 + DENOMINATOR_BITS + 32;
// Doubles to their two 32-bit halves.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = 1 - HI;
const floatCell = new Float64Array(1);
const wordCells = new Uint32Array(floatCell.buffer);
const HEADER_BYTES = XOR_CHUNK_HEADER_BYTES;

/**
 * The smallest denominator `n` (up to `limit`, at most 2^24 - 1) of a convergent of `v`'s continued
 * fraction for which `round(v × n) / n` is exactly `v`; 0 if none. A double that is some `s / n` rounded holds
 * it as a convergent whenever |v| < 2^20 and n < 2^16 (Legendre), and usually well beyond.
 */
export function denominatorOf(v: number, limit = RATIONAL_SEARCH_DENOMINATOR): number {
  const most = Math.min(limit, MAX_DENOMINATOR);
  let x = Math.abs(v);
  if (!(x <= MAX_NUMERATOR)) return 0; // NaN too
  let previous = 0;
  let n = 1;
  for (;;) {
    if (Math.round(v * n) / n === v) return n;
    const fraction = x - Math.floor(x);
    if (fraction === 0) return 0;
    x = 1 / fraction;
    const next = Math.floor(x) * n + previous;
    if (next > most) return 0;
    previous = n;
    n = next;
  }
}

/** Bit length of a non-negative integer below 2^53. */
function bitLength(x: number): number {
  return x < 0x1_0000_0000 ? 32 - Math.clz32(x) : 32 + bitLength(Math.floor(x / 0x1_0000_0000));
}

/** Zig-zag of a signed 32-bit integer, as an unsigned number. */
function zigZag(x: number): number {
  return ((x << 1) ^ (x >> 31)) >>> 0;
}

/**
 * Checks whether `values[start, end)` are mostly `s / n` (|s| < 2^31, 1 <= n < 2^24) and plans the
 * cheaper numerator mode; `encode()` then writes them. Other values (an average whose float sum
 * rounded, -0, NaN, infinities) are escaped and written whole. Reuses its buffers: keep one per thread.
 */
export class RationalChunkEncoder {
  private numerators = new Int32Array(128);
  /** 0 for an escaped value. */
  private denominators = new Int32Array(128);
  private values = new Float64Array(128);
  private count = 0;
  private mode: number = NumeratorMode.offset;
  private escapes = false;
  private denominatorWidth = 0;
  private numeratorWidth = 0;
  private smallestDenominator = 1;
  private numeratorReference = 0;
  private bitsForValues = 0;
  private readonly residualLengths = new Int32Array(33);
  private readonly bits = new BitWriter(256);

  /** `maxDenominator`: the largest denominator looked for (the format holds up to 2^24 - 1). */
  constructor(private readonly maxDenominator = RATIONAL_SEARCH_DENOMINATOR) {}

  /** Stream bits of the analysed values: parameters and one code per point; no timestamps. */
  get valueBits(): number {
    return this.bitsForValues;
  }

  /**
   * True when at least one value of `values[start, end)` is such a fraction and fewer than about
   * half are not (those are escaped); plans the encoding on success.
   */
  analyse(values: Float64Array, start: number, end: number): boolean {
    this.count = 0;
    const count = end - start;
    if (count <= 0 || count > XOR_CHUNK_MAX_POINTS) return false;
    if (count > this.numerators.length) {
      this.numerators = new Int32Array(count);
      this.denominators = new Int32Array(count);
      this.values = new Float64Array(count);
    }
    const s = this.numerators;
    const d = this.denominators;
    const vs = this.values;
    let minS = Infinity;
    let maxS = -Infinity;
    let minD = Infinity;
    let maxD = 0;
    let escapes = 0;
    for (let i = 0; i < count; i++) {
      const v = values[start + i];
      vs[i] = v;
      const n = v === 0 && 1 / v < 0 ? 0 : denominatorOf(v, this.maxDenominator);
      const numerator = Math.round(v * n);
      if (n === 0 || !(Math.abs(numerator) <= MAX_NUMERATOR)) {
        d[i] = 0;
        // Escapes cost 65 bits each: give up early on values that are mostly not fractions.
        if (++escapes * 2 > i + 16) return false;
        continue;
      }
      s[i] = numerator;
      d[i] = n;
      if (numerator < minS) minS = numerator;
      if (numerator > maxS) maxS = numerator;
      if (n < minD) minD = n;
      if (n > maxD) maxD = n;
    }
    if (escapes === count) return false;
    const fractions = count - escapes;
    this.count = count;
    this.escapes = escapes > 0;
    this.smallestDenominator = minD;
    this.denominatorWidth = bitLength(maxD - minD);
    const offsetWidth = bitLength(maxS - minS);
    const offsetBits = fractions * offsetWidth;
    // Predicted: the numerator against round(previous value × n), coded in a width or escaped.
    const lengths = this.residualLengths.fill(0);
    let predictable = true;
    for (let i = 1; i < count && predictable; i++) {
      if (d[i] === 0) continue;
      const residual = s[i] - Math.round(vs[i - 1] * d[i]);
      if (!(Math.abs(residual) <= MAX_NUMERATOR)) predictable = false; // NaN too
      else lengths[bitLength(zigZag(residual))]++;
    }
    let predictedBits = Infinity;
    let predictedWidth = 0;
    if (predictable) {
      // A residual of up to w bits costs 1 + w, a longer one 1 + 6 + its length: running sums over
      // w price every width in one pass (a sum over all lengths per width was 1,000 steps a chunk).
      let within = 0;
      let longerBits = 0;
      for (let length = 0; length <= 32; length++) longerBits += lengths[length] * (1 + 6 + length);
      // Below 32: a code in the width is written in one call of at most 32 bits.
      for (let w = 0; w < 32; w++) {
        within += lengths[w];
        longerBits -= lengths[w] * (1 + 6 + w);
        const bits = within * (1 + w) + longerBits;
        if (bits < predictedBits) {
          predictedBits = bits;
          predictedWidth = w;
        }
      }
    }
    if (predictedBits < offsetBits) {
      this.mode = NumeratorMode.predicted;
      this.numeratorWidth = predictedWidth;
      this.numeratorReference = d[0] === 0 ? 0 : s[0];
    } else {
      this.mode = NumeratorMode.offset;
      this.numeratorWidth = offsetWidth;
      this.numeratorReference = minS;
    }
    this.bitsForValues =
      STREAM_PARAMS_BITS + (escapes > 0 ? count : 0) + escapes * 64 + fractions * this.denominatorWidth + Math.min(offsetBits, predictedBits);
    return true;
  }

  /** Writes a chunk of the analysed values with `timestamps[start, end)`; throws unless they strictly increase. */
  encode(timestamps: Uint32Array, start: number, end: number): Uint8Array {
    const count = this.count;
    if (count === 0 || end - start !== count) {
      throw new RangeError(`encode got ${end - start} timestamps for ${count} analysed values (analyse() must succeed first)`);
    }
    const bits = this.bits;
    bits.reset();
    const { mode, escapes, numeratorWidth: width, denominatorWidth, smallestDenominator, numeratorReference } = this;
    bits.writeBits((denominatorWidth << 8) | (mode << 7) | (width << 1) | (escapes ? 1 : 0), 13);
    bits.writeBits(smallestDenominator, DENOMINATOR_BITS);
    bits.writeBits(numeratorReference, 32);
    const s = this.numerators;
    const d = this.denominators;
    const vs = this.values;
    let lastTimestamp = timestamps[start];
    let timestampDelta = 0;
    for (let i = 0; i < count; i++) {
      if (i > 0) {
        const t = timestamps[start + i];
        if (t <= lastTimestamp) throw new RangeError(`chunk timestamps must increase: ${t} is not after ${lastTimestamp}`);
        const delta = t - lastTimestamp;
        writeTimestampDeltaOfDelta(bits, delta - timestampDelta);
        timestampDelta = delta;
        lastTimestamp = t;
      }
      if (escapes) {
        if (d[i] === 0) {
          floatCell[0] = vs[i];
          bits.writeBit(1);
          bits.writeBits(wordCells[HI], 32);
          bits.writeBits(wordCells[LO], 32);
          continue;
        }
        bits.writeBit(0);
      }
      bits.writeBits(d[i] - smallestDenominator, denominatorWidth);
      if (mode === NumeratorMode.offset) bits.writeBits(s[i] - numeratorReference, width);
      else if (i > 0) {
        const z = zigZag(s[i] - Math.round(vs[i - 1] * d[i]));
        const length = bitLength(z);
        if (length <= width) bits.writeBits(z, 1 + width); // a 0 bit, then z
        else {
          bits.writeBits((1 << 6) | length, 7);
          bits.writeBits(z, length);
        }
      }
    }
    const out = new Uint8Array(HEADER_BYTES + bits.byteLength);
    out[0] = RATIONAL_CHUNK_ENCODING;
    out[1] = count >>> 8;
    out[2] = count;
    writeU32(out, 3, timestamps[start]);
    writeU32(out, 7, lastTimestamp);
    out.set(bits.view(), HEADER_BYTES);
    return out;
  }
}

/** The `n` bits at `pos` as an unsigned number (0 <= n <= 32). */
function bitsAt(buf: Int32Array, pos: number, n: number): number {
  return n === 0 ? 0 : peek32(buf, pos) >>> (32 - n);
}

/**
 * Decodes every point of a rational chunk into `timestamps[at...]` and `values[at...]`; returns
 * the count. Throws CorruptChunkError for chunks that are not rational or do not decode to their header.
 */
export function decodeRationalChunkInto(chunk: Uint8Array, timestamps: Uint32Array, values: Float64Array, at = 0): number {
  if (chunk.length < HEADER_BYTES) throw new CorruptChunkError(`${chunk.length} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  if (chunk[0] !== RATIONAL_CHUNK_ENCODING) throw new CorruptChunkError(`encoding ${chunk[0]} is not rational (${RATIONAL_CHUNK_ENCODING})`);
  const count = (chunk[1] << 8) | chunk[2];
  if (at + count > timestamps.length || at + count > values.length) {
    throw new RangeError(`decoding ${count} points at ${at} needs arrays of ${at + count}, got ${timestamps.length} and ${values.length}`);
  }
  if (count === 0) return 0;
  const buf = wordsOf(chunk);
  const endBit = chunk.length * 8;
  let pos = HEADER_BYTES * 8;
  const params = bitsAt(buf, pos, 13);
  const denominatorWidth = params >>> 8;
  const mode = (params >>> 7) & 1;
  const width = (params >>> 1) & 63;
  const escapes = (params & 1) === 1;
  if (denominatorWidth > DENOMINATOR_BITS || width > 32) throw new CorruptChunkError(`widths ${denominatorWidth} and ${width} are out of range`);
  const smallestDenominator = bitsAt(buf, pos + 13, DENOMINATOR_BITS);
  const reference = bitsAt(buf, pos + 13 + DENOMINATOR_BITS, 32) | 0;
  pos += STREAM_PARAMS_BITS;
  if (smallestDenominator === 0) throw new CorruptChunkError('denominator 0');
  let timestamp = u32At(chunk, 3);
  let timestampDelta = 0;
  let numerator = reference;
  let value = 0;
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
    if (escapes) {
      const escaped = peek32(buf, pos) >>> 31 === 1;
      pos += 1;
      if (escaped) {
        wordCells[HI] = peek32(buf, pos);
        wordCells[LO] = peek32(buf, pos + 32);
        pos += 64;
        value = floatCell[0];
        values[at + i] = value;
        continue;
      }
    }
    const n = smallestDenominator + bitsAt(buf, pos, denominatorWidth);
    pos += denominatorWidth;
    if (mode === NumeratorMode.offset) {
      numerator = reference + bitsAt(buf, pos, width);
      pos += width;
    } else if (i > 0) {
      let z: number;
      if (peek32(buf, pos) >>> 31 === 0) {
        z = bitsAt(buf, pos + 1, width);
        pos += 1 + width;
      } else {
        const length = bitsAt(buf, pos + 1, 6);
        if (length > 32) throw new CorruptChunkError(`residual of ${length} bits`);
        z = bitsAt(buf, pos + 7, length);
        pos += 7 + length;
      }
      numerator = Math.round(value * n) + ((z >>> 1) ^ -(z & 1));
    }
    value = numerator / n;
    values[at + i] = value;
  }
  if (pos > endBit) throw new BitStreamEndError();
  if (timestamp !== u32At(chunk, 7)) throw new CorruptChunkError(`last point is at ${timestamp}, header says ${u32At(chunk, 7)}`);
  return count;
}
