/**
 * The ASCII digits of an integer that goes up by a fixed step (a series' timestamps): each step is
 * a digit-wise addition, mostly of two or three digits, instead of a division for every digit.
 * Start and step are non-negative integers whose sums the caller keeps at most 2^53 - 1.
 */
export class DecimalCounter {
  /** The value's digits, right-aligned, with '0's to the left of them. */
  private readonly digits = new Uint8Array(MAX_DIGITS).fill(ZERO);
  /** The step's digit values, least significant first. */
  private readonly stepDigits: Uint8Array;
  private length = 0;

  constructor(start: number, step: number) {
    this.stepDigits = Uint8Array.from(String(step), (c) => c.charCodeAt(0) - ZERO).reverse();
    const text = String(start);
    for (let i = 0; i < text.length; i++) this.digits[MAX_DIGITS - text.length + i] = text.charCodeAt(i);
    this.length = text.length;
  }

  /** Writes the value's digits at `at`; returns the position after them. */
  write(bytes: Uint8Array, at: number): number {
    const digits = this.digits;
    for (let i = MAX_DIGITS - this.length; i < MAX_DIGITS; i++) bytes[at++] = digits[i];
    return at;
  }

  /** Adds the step. */
  advance(): void {
    const digits = this.digits;
    const stepDigits = this.stepDigits;
    let position = MAX_DIGITS - 1;
    let carry = 0;
    for (let k = 0; k < stepDigits.length; k++, position--) {
      const sum = digits[position] + stepDigits[k] + carry;
      carry = sum > NINE ? 1 : 0;
      digits[position] = sum - carry * 10;
    }
    for (; carry > 0; position--) {
      carry = digits[position] === NINE ? 1 : 0;
      digits[position] = carry > 0 ? ZERO : digits[position] + 1;
    }
    this.length = Math.max(this.length, MAX_DIGITS - 1 - position);
  }
}

/** Digits of 2^53 - 1. */
const MAX_DIGITS = 16;
const ZERO = 0x30;
const NINE = 0x39;
