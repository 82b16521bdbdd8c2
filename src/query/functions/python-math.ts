/**
 * Python's arithmetic and float rounding where they differ from JavaScript's, for values and names
 * that must match graphite-web's. NaN is None. Python rounds the exact binary value and breaks
 * exact ties to even (round(2.5) is 2, '%.2f' % 0.125 is '0.12'); toFixed breaks them away from zero.
 */

/** graphite-web's safePow(): math.pow(a, b), None for None inputs and where Python raises (ValueError, OverflowError). */
export function safePow(a: number, b: number): number {
  if (a !== a || b !== b) return NaN;
  const result = a ** b;
  // math.pow(-8, 0.5), math.pow(0, -1) and overflow raise in Python; JavaScript gives NaN or Infinity.
  if (result !== result || (!Number.isFinite(result) && Number.isFinite(a) && Number.isFinite(b))) return NaN;
  return result;
}

/** CPython's NDIGITS_MAX and NDIGITS_MIN for floats (floatobject.c). */
const ROUND_DIGITS_MAX = 323;
const ROUND_DIGITS_MIN = -308;

/** Python 3's round(x, digits) for a float: to `digits` decimals (tens, hundreds... when negative), ties to even. */
export function pythonRound(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  // CPython's float round() bounds, which also keep 10**digits from being a BigInt of a billion digits:
  // beyond 323 decimals every double is already exact, beyond 308 tens every double rounds to 0.
  if (digits > ROUND_DIGITS_MAX) return x;
  if (digits < ROUND_DIGITS_MIN) return 0 * x;
  return Number(roundedDecimal(x, digits));
}

/** Python's '%.Nf' % x for a finite x. */
export function pythonFixed(x: number, digits: number): string {
  return roundedDecimal(x, digits);
}

/** Python's '%.Ne' % x for a finite x: `d.ddde+XX`. */
export function pythonExponential(x: number, digits: number): string {
  const { integer, scale } = exactDecimal(x);
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (integer === 0n) return `${sign}${(0).toFixed(digits)}e+00`;
  const length = integer.toString().length;
  let exponent = length - 1 - scale;
  let mantissa = shiftRound(integer, length - (digits + 1)).toString();
  if (mantissa.length > digits + 1) {
    // 9.99 rounded up to 10.0: one more power of ten.
    mantissa = mantissa.slice(0, -1);
    exponent++;
  }
  const fraction = mantissa.slice(1);
  const exponentText = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return `${sign}${mantissa[0]}${fraction ? `.${fraction}` : ''}e${exponentText}`;
}

/** |x| = integer / 10**scale exactly (every finite double is a dyadic rational, so a finite decimal). */
function exactDecimal(x: number): { integer: bigint; scale: number } {
  let magnitude = Math.abs(x);
  let halvings = 0;
  // Doubling is exact; a double has at most 1074 binary fraction digits.
  while (!Number.isInteger(magnitude)) {
    magnitude *= 2;
    halvings++;
  }
  return { integer: BigInt(magnitude) * 5n ** BigInt(halvings), scale: halvings };
}

/** integer / 10**drop rounded half to even (drop <= 0 multiplies). */
function shiftRound(integer: bigint, drop: number): bigint {
  if (drop <= 0) return integer * 10n ** BigInt(-drop);
  const divisor = 10n ** BigInt(drop);
  const quotient = integer / divisor;
  const twice = (integer % divisor) * 2n;
  return twice > divisor || (twice === divisor && quotient % 2n === 1n) ? quotient + 1n : quotient;
}

/** x rounded to `digits` decimals as decimal text, exactly and ties to even. */
function roundedDecimal(x: number, digits: number): string {
  const { integer, scale } = exactDecimal(x);
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const rounded = shiftRound(integer, scale - digits);
  if (digits <= 0) return `${sign}${rounded}${rounded === 0n ? '' : '0'.repeat(-digits)}`;
  const text = rounded.toString().padStart(digits + 1, '0');
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
