import type { AsciiWriter } from './ascii-writer.js';

/**
 * JSON text as graphite-web's Python writes it, so responses match byte for byte: `", "` and
 * `": "` separators, ASCII-only strings, and floats in Python's repr (`1.0`, `1e-05`, `1e+16`).
 */

/** A value pythonJson can write; numbers are written as ints when integral, like Python ints. */
export type PythonJsonValue = string | number | boolean | null | PythonJsonValue[] | { [key: string]: PythonJsonValue };

/** Python's repr() of a float: `1.0`, `0.5`, `1e-05`, `1.5e+16`, `inf`, `nan`. */
export function formatPythonFloat(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e16) {
    return Object.is(value, -0) ? '-0.0' : `${value}.0`;
  }
  const magnitude = Math.abs(value);
  // Within these bounds JS and Python both print the shortest round-trip digits in fixed notation.
  if (magnitude >= 1e-4 && magnitude < 1e16) return String(value);
  if (value !== value) return 'nan';
  if (magnitude === Infinity) return value > 0 ? 'inf' : '-inf';
  const exponential = value.toExponential();
  const e = exponential.indexOf('e');
  const exponent = exponential.slice(e + 2);
  return `${exponential.slice(0, e + 2)}${exponent.length < 2 ? `0${exponent}` : exponent}`;
}

const HAS_NON_ASCII = /[\u007f-\uffff]/;
const NON_ASCII = /[\u007f-\uffff]/g;

/** A JSON string literal with Python's ensure_ascii escaping. */
export function pythonJsonString(text: string): string {
  const json = JSON.stringify(text);
  return HAS_NON_ASCII.test(json)
    ? json.replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : json;
}

/** Serialises a value the way Python's json.dumps does with default arguments. */
export function pythonJson(value: PythonJsonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return pythonJsonString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isInteger(value) ? String(value) : pythonJsonFloat(value);
  }
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  const members = Object.entries(value).map(([key, member]) => `${pythonJsonString(key)}: ${pythonJson(member)}`);
  return `{${members.join(', ')}}`;
}

/** A float as graphite-web's render JSON shows it: NaN -> null, infinities -> ±1e9999. */
export function pythonJsonFloat(value: number): string {
  if (value !== value) return 'null';
  if (value === Infinity) return '1e9999';
  if (value === -Infinity) return '-1e9999';
  return formatPythonFloat(value);
}

/** 10^k for every k whose power of ten is an exact double. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Below this, a scaled value's rounding is provably the right digits (see writePythonJsonFloat). */
const EXACT_DIGITS_LIMIT = 2 ** 50;

/**
 * pythonJsonFloat written as bytes, most values without building a string. A value that is not
 * integral is written as the integer m = round(|v| * 10^k) with a decimal point k digits from the
 * right, for the smallest k with m / 10^k === |v|: that is the shortest decimal that reads back as
 * v, which JS's String() and Python's repr() both print. While |v| * 10^k < 2^50, v's ulp * 10^k
 * is under 1/4 and the product's rounding under 1/16, so there is one such m per k, the computed
 * |v| * 10^k is within 3/16 of it, and round() finds it; values needing more digits, or outside
 * repr's fixed notation, go through pythonJsonFloat.
 */
export function writePythonJsonFloat(out: AsciiWriter, value: number): void {
  const magnitude = value < 0 ? -value : value;
  if (magnitude < 1e16 && Math.trunc(magnitude) === magnitude) {
    if (value < 0 || Object.is(value, -0)) out.byte(MINUS);
    out.digits(magnitude, 0);
    out.byte(DOT);
    out.byte(ZERO);
    return;
  }
  if (magnitude >= 1e-4 && magnitude < 1e16) {
    for (let k = 1; k < POWERS_OF_TEN.length; k++) {
      const scaled = magnitude * POWERS_OF_TEN[k];
      if (scaled >= EXACT_DIGITS_LIMIT) break;
      const digits = Math.round(scaled);
      // A right k leaves scaled within 3/16 of digits (see above): skip the division when it is not.
      if (Math.abs(scaled - digits) < 0.25 && digits / POWERS_OF_TEN[k] === magnitude) {
        if (value < 0) out.byte(MINUS);
        out.digits(digits, k);
        return;
      }
    }
  }
  out.text(pythonJsonFloat(value));
}

const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
