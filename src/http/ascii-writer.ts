/**
 * ASCII text written straight into a growable byte buffer: an answer of thousands of numbers
 * becomes bytes without a JS string per number, nor a string rope to flatten and encode at the end.
 */
export class AsciiWriter {
  private bytes: Uint8Array;
  private length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(16, capacity));
  }

  /** The bytes written so far; the writer then starts over in a new buffer of the same size. */
  take(): Uint8Array {
    const written = this.bytes.subarray(0, this.length);
    this.bytes = new Uint8Array(this.bytes.length);
    this.length = 0;
    return written;
  }

  /** Text known to be ASCII (JSON written with ensure_ascii, digits, punctuation). */
  text(text: string): void {
    const n = text.length;
    this.reserve(n);
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < n; i++) bytes[at++] = text.charCodeAt(i);
    this.length = at;
  }

  byte(code: number): void {
    this.reserve(1);
    this.bytes[this.length++] = code;
  }

  /** An integer the way String() writes it (`-12`, `1700000000`), falling back to String() outside ±2^53. */
  integer(value: number): void {
    if (!Number.isSafeInteger(value)) return this.text(String(value));
    this.reserve(17);
    if (value < 0) {
      this.bytes[this.length++] = MINUS;
      value = -value;
    }
    this.digits(value, 0);
  }

  /**
   * A non-negative integer below 1e16 in plain digits, with a decimal point before its last
   * `fractionDigits` digits (`digits(12375, 3)` is `12.375`, `digits(5, 2)` is `0.05`).
   */
  digits(value: number, fractionDigits: number): void {
    // Two halves of at most 8 digits each, so the digit loops run on int32s (% on doubles is slow).
    let high = 0;
    let low = value;
    if (value >= 1e8) {
      high = Math.floor(value / 1e8);
      low = value - high * 1e8; // exact: high * 1e8 = high * 5^8 * 2^8 with high * 5^8 < 2^53
      // The quotient may have rounded across an integer; low is exact, so it says which way.
      if (low < 0) {
        high--;
        low += 1e8;
      } else if (low >= 1e8) {
        high++;
        low -= 1e8;
      }
    }
    let count = high > 0 ? 8 + digitCount(high) : digitCount(low);
    if (count <= fractionDigits) count = fractionDigits + 1;
    const total = fractionDigits > 0 ? count + 1 : count;
    this.reserve(total);
    const bytes = this.bytes;
    const end = this.length + total;
    let at = end;
    let rest = low | 0;
    for (let written = 0; written < count; written++) {
      if (written === 8) rest = high | 0;
      if (written === fractionDigits && fractionDigits > 0) bytes[--at] = DOT;
      const quotient = (rest / 10) | 0;
      bytes[--at] = ZERO + rest - quotient * 10;
      rest = quotient;
    }
    this.length = end;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

const ZERO = 0x30;
const DOT = 0x2e;
const MINUS = 0x2d;

/** Decimal digits of a non-negative integer below 1e8 (1 for 0). */
function digitCount(value: number): number {
  let count = 1;
  for (let limit = 10; value >= limit && count < 8; limit *= 10) count++;
  return count;
}
