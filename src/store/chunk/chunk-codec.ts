/**
 * One entry point over every chunk encoding: encodeChunk() keeps the smallest of decimal, rational
 * and XOR, and the readers dispatch on the encoding byte. All encodings share the 11-byte header
 * (encoding u8, count u16, first and last timestamp u32, big-endian), so header reads need no decoding.
 */
import { DECIMAL_CHUNK_ENCODING, DecimalChunkEncoder, decodeDecimalChunkInto } from './decimal-chunk.js';
import { RATIONAL_CHUNK_ENCODING, RationalChunkEncoder, decodeRationalChunkInto } from './rational-chunk.js';
import {
  CorruptChunkError,
  decodeXorChunkInto,
  XOR_CHUNK_ENCODING,
  XOR_CHUNK_HEADER_BYTES,
  XOR_CHUNK_MAX_POINTS,
  XorChunkEncoder,
} from './xor-chunk.js';

const decimalEncoder = new DecimalChunkEncoder();
const xorEncoder = new XorChunkEncoder(1024);
const rationalEncoder = new RationalChunkEncoder();

// Doubles to their two 32-bit halves without allocating.
const floatCell = new Float64Array(1);
const wordCells = new Uint32Array(floatCell.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = 1 - HI;

/**
 * Encodes `timestamps[start, end)` and `values[start, end)` (at most 65535 points; timestamps
 * strictly increasing u32 seconds) into the smallest of the available encodings.
 */
export function encodeChunk(timestamps: Uint32Array, values: Float64Array, start: number, end: number): Uint8Array {
  if (!(start >= 0 && start <= end && end <= timestamps.length && end <= values.length)) {
    throw new RangeError(`chunk range [${start}, ${end}) is outside arrays of ${timestamps.length} and ${values.length}`);
  }
  if (end - start > XOR_CHUNK_MAX_POINTS) throw new RangeError(`a chunk holds at most ${XOR_CHUNK_MAX_POINTS} points, got ${end - start}`);
  if (!decimalEncoder.analyse(values, start, end)) {
    // Not decimals: fractions of small integers (means) may still be shorter than their XOR.
    if (!rationalEncoder.analyse(values, start, end)) return encodeXor(timestamps, values, start, end);
    const rational = rationalEncoder.encode(timestamps, start, end);
    if (rationalEncoder.valueBits <= xorValueBitsAtLeast(values, start, end)) return rational;
    const xor = encodeXor(timestamps, values, start, end);
    return xor.length < rational.length ? xor : rational;
  }
  const decimal = decimalEncoder.encode(timestamps, start, end);
  // Timestamps cost the same bits in both encodings, so comparing value bits decides; skip the XOR
  // encoding when even its best case is no smaller.
  if (decimalEncoder.valueBits <= xorValueBitsAtLeast(values, start, end)) return decimal;
  const xor = encodeXor(timestamps, values, start, end);
  return xor.length < decimal.length ? xor : decimal;
}

function encodeXor(timestamps: Uint32Array, values: Float64Array, start: number, end: number): Uint8Array {
  const encoder = xorEncoder;
  encoder.reset();
  for (let i = start; i < end; i++) encoder.append(timestamps[i], values[i]);
  return encoder.bytes();
}

/**
 * A lower bound on the XOR stream's value bits: 64 for the first value, 1 per unchanged value and,
 * per changed one, the 2 control bits plus its meaningful bits, which any window it is written in holds.
 */
function xorValueBitsAtLeast(values: Float64Array, start: number, end: number): number {
  if (end === start) return 0;
  let bits = 64;
  floatCell[0] = values[start];
  let prevHi = wordCells[HI];
  let prevLo = wordCells[LO];
  for (let i = start + 1; i < end; i++) {
    floatCell[0] = values[i];
    const hi = wordCells[HI];
    const lo = wordCells[LO];
    const xHi = hi ^ prevHi;
    const xLo = lo ^ prevLo;
    prevHi = hi;
    prevLo = lo;
    if ((xHi | xLo) === 0) {
      bits += 1;
      continue;
    }
    const leading = Math.min(31, xHi !== 0 ? Math.clz32(xHi) : 32 + Math.clz32(xLo));
    const trailing = xLo !== 0 ? 31 - Math.clz32(xLo & -xLo) : 63 - Math.clz32(xHi & -xHi);
    bits += 2 + 64 - leading - trailing;
  }
  return bits;
}

/**
 * Decodes a chunk of any encoding into `timestamps[at...]` and `values[at...]`; returns the count.
 * Several chunks can be decoded back to back into one pair of arrays.
 */
export function decodeChunkInto(chunk: Uint8Array, timestamps: Uint32Array, values: Float64Array, at = 0): number {
  switch (checkHeader(chunk)) {
    case DECIMAL_CHUNK_ENCODING:
      return decodeDecimalChunkInto(chunk, timestamps, values, at);
    case RATIONAL_CHUNK_ENCODING:
      return decodeRationalChunkInto(chunk, timestamps, values, at);
    default:
      return decodeXorChunkInto(chunk, timestamps, values, at);
  }
}

const gridTimestamps = new Uint32Array(XOR_CHUNK_MAX_POINTS);
const gridValues = new Float64Array(XOR_CHUNK_MAX_POINTS);

/**
 * Decodes a chunk onto a fixed-step grid: the point at timestamp `t` lands in
 * `grid[(t - gridStart) / step]` when that is a whole slot inside the grid; other points are
 * skipped. Returns the chunk's point count. Points on the chunk's own regular step (the usual case)
 * are placed without a division each.
 */
export function decodeChunkIntoGrid(chunk: Uint8Array, grid: Float64Array, gridStart: number, step: number): number {
  const n = decodeChunkInto(chunk, gridTimestamps, gridValues);
  if (n === 0) return 0;
  const ts = gridTimestamps;
  const first = ts[0];
  const firstSlot = (first - gridStart) / step;
  const slots = grid.length;
  const aligned = Number.isInteger(firstSlot);
  for (let i = 0; i < n; i++) {
    const t = ts[i];
    if (aligned && t === first + i * step) {
      const slot = firstSlot + i;
      if (slot >= 0 && slot < slots) grid[slot] = gridValues[i];
    } else {
      const slot = (t - gridStart) / step;
      if (slot >= 0 && slot < slots && Number.isInteger(slot)) grid[slot] = gridValues[i];
    }
  }
  return n;
}

/** The encoding byte, once the header is known to be whole and of a known encoding. */
function checkHeader(chunk: Uint8Array): number {
  if (chunk.length < XOR_CHUNK_HEADER_BYTES) {
    throw new CorruptChunkError(`${chunk.length} bytes is shorter than the ${XOR_CHUNK_HEADER_BYTES}-byte header`);
  }
  const encoding = chunk[0];
  if (encoding !== XOR_CHUNK_ENCODING && encoding !== DECIMAL_CHUNK_ENCODING && encoding !== RATIONAL_CHUNK_ENCODING) throw new CorruptChunkError(`unknown encoding ${encoding}`);
  return encoding;
}

function u32At(chunk: Uint8Array, offset: number): number {
  return ((chunk[offset] << 24) | (chunk[offset + 1] << 16) | (chunk[offset + 2] << 8) | chunk[offset + 3]) >>> 0;
}

/** The chunk's encoding byte (XOR_CHUNK_ENCODING, DECIMAL_CHUNK_ENCODING or RATIONAL_CHUNK_ENCODING). */
export function chunkEncoding(chunk: Uint8Array): number {
  return checkHeader(chunk);
}

/** Point count from the header alone. */
export function chunkCount(chunk: Uint8Array): number {
  checkHeader(chunk);
  return (chunk[1] << 8) | chunk[2];
}

/** First timestamp from the header alone (0 for an empty chunk). */
export function chunkFirstTimestamp(chunk: Uint8Array): number {
  checkHeader(chunk);
  return u32At(chunk, 3);
}

/** Last timestamp from the header alone (0 for an empty chunk). */
export function chunkLastTimestamp(chunk: Uint8Array): number {
  checkHeader(chunk);
  return u32At(chunk, 7);
}
