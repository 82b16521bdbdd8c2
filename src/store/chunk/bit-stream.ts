/**
 * Bit-granular writer and reader over byte arrays, most significant bit first, for the chunk
 * encodings. Values are JS numbers, so one call moves at most 32 bits; 64-bit patterns (float
 * bits) travel as two 32-bit halves, which keeps BigInt out of the hot path.
 */

/** Appends bits to a growable, zero-filled byte buffer. */
export class BitWriter {
  private buf: Uint8Array;
  /** Bits written so far; the next bit goes to bit `7 - bitLength % 8` of byte `bitLength >> 3`. */
  bitLength = 0;

  constructor(initialBytes = 64) {
    this.buf = new Uint8Array(Math.max(1, initialBytes));
  }

  /** Whole bytes touched so far (the last one padded with zero bits). */
  get byteLength(): number {
    return (this.bitLength + 7) >>> 3;
  }

  /** The bytes written so far, without copying: valid until the next write or reset. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.byteLength);
  }

  /** Forgets everything written, keeping the buffer for reuse. */
  reset(): void {
    this.buf.fill(0, 0, this.byteLength);
    this.bitLength = 0;
  }

  writeBit(bit: number): void {
    const pos = this.bitLength;
    if ((pos >>> 3) >= this.buf.length) this.grow(1);
    if (bit !== 0) this.buf[pos >>> 3] |= 0x80 >>> (pos & 7);
    this.bitLength = pos + 1;
  }

  /** Writes the low `n` bits of `value` (0 <= n <= 32), most significant first. */
  writeBits(value: number, n: number): void {
    if (n === 0) return;
    const pos = this.bitLength;
    if ((pos + n + 7) >>> 3 > this.buf.length) this.grow(n);
    this.bitLength = pos + n;
    const buf = this.buf;
    let index = pos >>> 3;
    const free = 8 - (pos & 7);
    if (n <= free) {
      buf[index] |= (value & ((1 << n) - 1)) << (free - n);
      return;
    }
    // Top `free` bits of the value complete the current byte; later bytes are still zero, so plain stores
    // suffice (a Uint8Array store keeps the low 8 bits).
    n -= free;
    buf[index] |= (value >>> n) & ((1 << free) - 1);
    while (n >= 8) {
      n -= 8;
      buf[++index] = value >>> n;
    }
    if (n > 0) buf[++index] = value << (8 - n);
  }

  /** Writes the low `n` bits (0 <= n <= 64) of the 64-bit pattern `hi:lo`. */
  writeBits64(hi: number, lo: number, n: number): void {
    if (n > 32) {
      this.writeBits(hi, n - 32);
      this.writeBits(lo, 32);
    } else {
      this.writeBits(lo, n);
    }
  }

  private grow(extraBits: number): void {
    const needed = (this.bitLength + extraBits + 7) >>> 3;
    const next = new Uint8Array(Math.max(needed, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.byteLength));
    this.buf = next;
  }
}

/** Thrown when a reader runs past the end of its bytes: the data is truncated or corrupt. */
export class BitStreamEndError extends Error {
  constructor() {
    super('bit stream ended early: the chunk is truncated or corrupt');
    this.name = 'BitStreamEndError';
  }
}

const EMPTY = new Uint8Array(0);

/** Reads bits back in the order a BitWriter wrote them. Reusable across buffers via reset(). */
export class BitReader {
  private buf: Uint8Array = EMPTY;
  /** Absolute bit position in `buf` of the next bit to read. */
  private pos = 0;
  private endBit = 0;
  /** High and low 32 bits of the last readBits64() result, unsigned. */
  hi = 0;
  lo = 0;

  constructor(bytes?: Uint8Array, byteStart = 0, byteEnd = bytes?.length ?? 0) {
    if (bytes !== undefined) this.reset(bytes, byteStart, byteEnd);
  }

  /** Reads `bytes[byteStart, byteEnd)` from its first bit. */
  reset(bytes: Uint8Array, byteStart = 0, byteEnd = bytes.length): void {
    this.buf = bytes;
    this.pos = byteStart * 8;
    this.endBit = byteEnd * 8;
  }

  /** Bits not yet read, padding included. */
  get bitsLeft(): number {
    return this.endBit - this.pos;
  }

  readBit(): number {
    const pos = this.pos;
    if (pos >= this.endBit) throw new BitStreamEndError();
    this.pos = pos + 1;
    return (this.buf[pos >>> 3] >>> (7 - (pos & 7))) & 1;
  }

  /** Reads `n` bits (0 <= n <= 32) as an unsigned number. */
  readBits(n: number): number {
    if (n === 0) return 0;
    const pos = this.pos;
    if (pos + n > this.endBit) throw new BitStreamEndError();
    this.pos = pos + n;
    const buf = this.buf;
    let index = pos >>> 3;
    const have = 8 - (pos & 7);
    let result = buf[index] & (0xff >>> (8 - have));
    if (n <= have) return result >>> (have - n);
    n -= have;
    while (n >= 8) {
      result = (result << 8) | buf[++index];
      n -= 8;
    }
    if (n > 0) result = (result << n) | (buf[++index] >>> (8 - n));
    return result >>> 0;
  }

  /** Reads `n` bits (0 <= n <= 64) into `hi` and `lo`. */
  readBits64(n: number): void {
    if (n > 32) {
      this.hi = this.readBits(n - 32);
      this.lo = this.readBits(32);
    } else {
      this.hi = 0;
      this.lo = this.readBits(n);
    }
  }
}

// ---- word-at-a-time reading for the chunk decoders' hot loops ---------------------------------

let words = new Int32Array(1024);

/**
 * `bytes` as big-endian 32-bit words in a shared array followed by two zero words, so peek32() needs
 * two loads and no bounds checks; valid until the next call (decoders are synchronous, one array serves).
 */
export function wordsOf(bytes: Uint8Array): Int32Array {
  const count = (bytes.length + 3) >>> 2;
  if (count + 2 > words.length) words = new Int32Array(Math.max(count + 2, words.length * 2));
  const whole = bytes.length >>> 2;
  for (let w = 0; w < whole; w++) {
    const i = w << 2;
    words[w] = (bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3];
  }
  if (whole < count) {
    let last = 0;
    for (let i = whole << 2; i < (whole << 2) + 4; i++) last = (last << 8) | (i < bytes.length ? bytes[i] : 0);
    words[whole] = last;
  }
  words[count] = 0;
  words[count + 1] = 0;
  return words;
}

/** The 32 bits at bit `pos` of `words` (from wordsOf), most significant first, unsigned. */
export function peek32(words: Int32Array, pos: number): number {
  const w = pos >>> 5;
  const shift = pos & 31;
  // (next >>> 1) >>> (31 - shift) is next >>> (32 - shift), also right for shift 0 (where >>> 32 would not shift).
  return ((words[w] << shift) | ((words[w + 1] >>> 1) >>> (31 - shift))) >>> 0;
}
