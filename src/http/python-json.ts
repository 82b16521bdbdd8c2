import { writeAscii, writeDigits } from './ascii-writer.js';

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

/** Characters JSON.stringify or ensure_ascii would escape; a string without any is quoted as it is. */
export const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/;

/**
 * pythonJson of a list of strings. One scan of them all decides, in the usual case (100k metric
 * paths), that quoting is all there is to do, instead of a JSON.stringify and a test per string.
 */
export function pythonJsonStringList(texts: readonly string[]): string {
  if (texts.length === 0) return '[]';
  if (NEEDS_ESCAPE.test(texts.join(''))) return `[${texts.map(pythonJsonString).join(', ')}]`;
  return `["${texts.join('", "')}"]`;
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
/** Significant digits that always stay below EXACT_DIGITS_LIMIT (10^15 < 2^50). */
const EXACT_SIGNIFICANT_DIGITS = 15;
/** Most metric values have at most this many decimals: each such count is tried in turn. */
const FEW_DECIMALS = 3;
/** 10^-4 to 10^15: the magnitudes repr writes in fixed notation. */
const FIXED_NOTATION_DECADES = Array.from({ length: 20 }, (_, i) => Number(`1e${i - 4}`));

/** Room writePythonJsonFloat may take: `-1.7976931348623157e+308`. */
export const MAX_FLOAT_BYTES = 24;

/**
 * pythonJsonFloat written into bytes at `at`, returning the position after it (bytes after that,
 * up to MAX_FLOAT_BYTES from `at`, may have been used); most values without building a string. A value that is not integral is written as
 * the integer m = round(|v| * 10^k) with a decimal point k digits from the right, for the smallest
 * k with m / 10^k === |v|: that is the shortest decimal that reads back as v, which JS's String()
 * and Python's repr() both print. While |v| * 10^k < 2^50, v's ulp * 10^k is under 1/4 and the
 * product's rounding under 1/16, so there is one such m per k, the computed |v| * 10^k is within
 * 3/16 of it, and round() finds it. Hence if any k up to K works, K works too, with m's trailing
 * zeros standing for the shorter decimal: after a few small k, only the largest K is tried. Values
 * needing more digits than that, or outside repr's fixed notation, go through pythonJsonFloat.
 */
export function writePythonJsonFloat(bytes: Uint8Array, at: number, value: number): number {
  const magnitude = value < 0 ? -value : value;
  if (magnitude < 1e16 && Math.trunc(magnitude) === magnitude) {
    if (value < 0 || Object.is(value, -0)) bytes[at++] = MINUS;
    at = writeDigits(bytes, at, magnitude, 0);
    bytes[at++] = DOT;
    bytes[at++] = ZERO;
    return at;
  }
  if (magnitude >= 1e-4 && magnitude < 1e16) {
    for (let k = 1; k <= FEW_DECIMALS; k++) {
      const digits = exactDigits(magnitude, k);
      if (digits < 0) continue;
      if (value < 0) bytes[at++] = MINUS;
      return writeDigits(bytes, at, digits, k);
    }
    const k = EXACT_SIGNIFICANT_DIGITS - 1 - decimalExponent(magnitude);
    const digits = k > FEW_DECIMALS ? exactDigits(magnitude, k) : -1;
    if (digits >= 0) {
      if (value < 0) bytes[at++] = MINUS;
      // The decimals end with a non-zero digit, as v is not integral: the cut stops before the point.
      let end = writeDigits(bytes, at, digits, k);
      while (bytes[end - 1] === ZERO) end--;
      return end;
    }
    // 16 or 17 significant digits, in fixed notation: String()'s, as formatPythonFloat says.
    return writeAscii(bytes, at, String(value));
  }
  return writeAscii(bytes, at, pythonJsonFloat(value));
}

/** m with m / 10^k === magnitude when there is one below EXACT_DIGITS_LIMIT, else -1. */
function exactDigits(magnitude: number, k: number): number {
  const scaled = magnitude * POWERS_OF_TEN[k];
  if (scaled >= EXACT_DIGITS_LIMIT) return -1;
  const digits = Math.round(scaled);
  // A right k leaves scaled within 3/16 of digits: the division is skipped when it is further.
  return Math.abs(scaled - digits) < 0.25 && digits / POWERS_OF_TEN[k] === magnitude ? digits : -1;
}

/**
 * e with 10^e <= magnitude < 10^(e + 1), for magnitudes from 10^-4 to 10^16. Off by one at a
 * decade's edge only costs a digit: the result is checked by exactDigits either way.
 */
function decimalExponent(magnitude: number): number {
  let e = -4;
  while (e < 15 && magnitude >= FIXED_NOTATION_DECADES[e + 5]) e++;
  return e;
}

const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
