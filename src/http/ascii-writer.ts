/**
 * ASCII text written straight into a growable byte buffer: an answer of thousands of numbers
 * becomes bytes without a JS string per number, nor a string rope to flatten and encode at the end.
 *
 * A hot loop asks for room once per item (`room`), writes with the `write*` functions, which take
 * the buffer and a position and return the position after what they wrote, and then moves the
 * writer on (`advance`): one capacity check per item rather than one per byte.
 */
export class AsciiWriter {
  private bytes: Uint8Array;
  /** Bytes written so far. */
  length = 0;
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = Math.max(16, capacity);
    this.bytes = new Uint8Array(this.capacity);
  }

  /** The buffer, with room for at least `n` bytes from `length` on. */
  room(n: number): Uint8Array {
    if (this.length + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.capacity, this.bytes.length * 2, this.length + n));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    return this.bytes;
  }

  /** Moves `length` to `at`, the end of what was written into room()'s buffer. */
  advance(at: number): void {
    this.length = at;
  }

  /** Text known to be ASCII (JSON written with ensure_ascii, digits, punctuation). */
  text(text: string): void {
    this.length = writeAscii(this.room(text.length), this.length, text);
  }

  /** The bytes written so far; later writes go to a new buffer (allocated only if there are any). */
  take(): Uint8Array {
    const written = this.bytes.subarray(0, this.length);
    this.bytes = EMPTY;
    this.length = 0;
    return written;
  }
}

/** Room an integer written by writeInteger may take (String() of any double is shorter). */
export const MAX_INTEGER_BYTES = 25;

/** Writes text known to be ASCII at `at`; returns the position after it. */
export function writeAscii(bytes: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) bytes[at++] = text.charCodeAt(i);
  return at;
}

/** An integer the way String() writes it (`-12`, `1700000000`); other numbers through String(). */
export function writeInteger(bytes: Uint8Array, at: number, value: number): number {
  if (!Number.isSafeInteger(value)) return writeAscii(bytes, at, String(value));
  if (value < 0) {
    bytes[at++] = MINUS;
    value = -value;
  }
  return writeDigits(bytes, at, value, 0);
}

/**
 * A non-negative integer below 1e16 in plain digits, with a decimal point before its last
 * `fractionDigits` digits (12375 with 3 is `12.375`, 5 with 2 is `0.05`). Needs room for 18 bytes,
 * or fractionDigits + 2 when more.
 */
export function writeDigits(bytes: Uint8Array, at: number, value: number, fractionDigits: number): number {
  // Two halves of at most 8 digits each, so the digit loops run on int32s (% on doubles is slow).
  let high = 0;
  let low = value;
  if (value >= 2 ** 31) {
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
  } else if (value >= 1e8) {
    // Timestamps until 2038: an int32 division by a constant is a multiply, not a divide.
    high = ((value | 0) / 1e8) | 0;
    low = (value | 0) - high * 1e8;
  }
  const lowDigits = low | 0;
  const highDigits = high | 0;
  let count = highDigits > 0 ? 8 + digitCount(highDigits) : digitCount(lowDigits);
  if (fractionDigits === 0) {
    const end = at + count;
    if (highDigits > 0) writeDigitsDown(bytes, writeEightDigitsDown(bytes, end, lowDigits), highDigits);
    else writeDigitsDown(bytes, end, lowDigits);
    return end;
  }
  if (count <= fractionDigits) count = fractionDigits + 1;
  const end = at + count + 1;
  let rest = lowDigits;
  at = end;
  for (let written = 0; written < count; written++) {
    if (written === 8) rest = highDigits;
    if (written === fractionDigits) bytes[--at] = DOT;
    const quotient = (rest / 10) | 0;
    bytes[--at] = ZERO + rest - quotient * 10;
    rest = quotient;
  }
  return end;
}

const EMPTY = new Uint8Array(0);
const ZERO = 0x30;
const DOT = 0x2e;
const MINUS = 0x2d;

/** "00" to "99": two digits per division. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => ZERO + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)));

/** Decimal digits of a non-negative integer below 1e8 (1 for 0). */
function digitCount(value: number): number {
  if (value < 10_000) return value < 100 ? (value < 10 ? 1 : 2) : value < 1_000 ? 3 : 4;
  return value < 1_000_000 ? (value < 100_000 ? 5 : 6) : value < 10_000_000 ? 7 : 8;
}

/** Writes the digits of a non-negative int32 so they end before `end`; returns where they start. */
function writeDigitsDown(bytes: Uint8Array, end: number, value: number): number {
  let at = end;
  while (value >= 100) {
    const quotient = (value / 100) | 0;
    const pair = (value - quotient * 100) << 1;
    bytes[--at] = DIGIT_PAIRS[pair + 1];
    bytes[--at] = DIGIT_PAIRS[pair];
    value = quotient;
  }
  if (value >= 10) {
    bytes[--at] = DIGIT_PAIRS[(value << 1) + 1];
    bytes[--at] = DIGIT_PAIRS[value << 1];
  } else {
    bytes[--at] = ZERO + value;
  }
  return at;
}

/** writeDigitsDown with leading zeros to exactly 8 digits (the low half of a larger number). */
function writeEightDigitsDown(bytes: Uint8Array, end: number, value: number): number {
  let at = end;
  for (let i = 0; i < 4; i++) {
    const quotient = (value / 100) | 0;
    const pair = (value - quotient * 100) << 1;
    bytes[--at] = DIGIT_PAIRS[pair + 1];
    bytes[--at] = DIGIT_PAIRS[pair];
    value = quotient;
  }
  return at;
}
