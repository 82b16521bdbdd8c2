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

let padded = new Uint8Array(4096);

/**
 * `bytes` copied into a shared buffer followed by 8 zero bytes, so peek32() may run past the data
 * without bounds checks; valid until the next call (decoders are synchronous, so one buffer serves).
 */
export function paddedCopy(bytes: Uint8Array): Uint8Array {
  if (bytes.length + 8 > padded.length) padded = new Uint8Array(Math.max(bytes.length + 8, padded.length * 2));
  padded.set(bytes);
  padded.fill(0, bytes.length, bytes.length + 8);
  return padded;
}

/** The 32 bits at bit `pos` of `buf`, most significant first, unsigned; `buf` needs 4 bytes past the data (paddedCopy). */
export function peek32(buf: Uint8Array, pos: number): number {
  const i = pos >>> 3;
  const shift = pos & 7;
  const word = (buf[i] << 24) | (buf[i + 1] << 16) | (buf[i + 2] << 8) | buf[i + 3];
  return (shift === 0 ? word : (word << shift) | (buf[i + 4] >>> (8 - shift))) >>> 0;
}
