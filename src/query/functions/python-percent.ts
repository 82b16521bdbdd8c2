import { QueryError } from '../query-error.js';
import { pythonFloat } from './python-format.js';
import { pythonExponential, pythonFixed } from './python-math.js';

const DIRECTIVE = /%(?:([-+ 0#]*)(\d*)(?:\.(\d+))?([diouxXeEfFgGsr%]))?/g;
/**
 * Largest width or precision a directive may ask for. Python pads to any size memory allows; here
 * '%.999999999f' spent minutes on one BigInt and '%999999999d' failed as a 500, for a series name.
 */
export const MAX_FORMAT_FIELD = 1000;

/**
 * Python's `template % value` for one float (aliasQuery's `newName % current`): %d %i %u %f %F %e
 * %E %g %G %s %r and %% with flags, width and precision. A template that does not take exactly
 * one value fails as Python's does, with a QueryError.
 */
export function percentFormat(template: string, value: number): string {
  let used = 0;
  const text = template.replace(DIRECTIVE, (directive, flags: string | undefined, width: string, precision: string | undefined, conversion: string | undefined) => {
    if (conversion === undefined) throw new QueryError(`unsupported format character in '${template}'`);
    if (conversion === '%') return '%';
    if (Number(width || 0) > MAX_FORMAT_FIELD || Number(precision ?? 0) > MAX_FORMAT_FIELD) {
      throw new QueryError(`format '${directive}' in '${template}' is too wide: width and precision go up to ${MAX_FORMAT_FIELD}`);
    }
    used++;
    return applyWidth(convert(conversion, value, precision === undefined ? undefined : Number(precision), flags ?? ''), flags ?? '', Number(width || 0), conversion);
  });
  if (used === 0) throw new QueryError(`not all arguments converted during string formatting ('${template}')`);
  if (used > 1) throw new QueryError(`not enough arguments for format string '${template}'`);
  return text;
}

function convert(conversion: string, value: number, precision: number | undefined, flags: string): string {
  switch (conversion) {
    case 'd':
    case 'i':
    case 'u':
      if (!Number.isFinite(value)) throw new QueryError(`cannot convert float ${pythonFloat(value)} to integer`);
      return signed(String(Math.abs(Math.trunc(value))), Math.trunc(value) + 0, flags);
    case 'o':
    case 'x':
    case 'X':
      throw new QueryError(`%${conversion} format: an integer is required, not float`);
    case 'f':
    case 'F':
      return signed(special(value, conversion) ?? pythonFixed(Math.abs(value), precision ?? 6), value, flags);
    case 'e':
    case 'E': {
      const text = special(value, conversion) ?? pythonExponential(Math.abs(value), precision ?? 6);
      return signed(conversion === 'E' ? text.toUpperCase() : text, value, flags);
    }
    case 'g':
    case 'G': {
      const text = special(value, conversion) ?? general(Math.abs(value), precision ?? 6, flags.includes('#'));
      return signed(conversion === 'G' ? text.toUpperCase() : text, value, flags);
    }
    default: {
      const text = pythonFloat(value);
      return precision === undefined ? text : text.slice(0, precision);
    }
  }
}

/** %g: precision significant digits, exponent form below 1e-4 or from 10**precision, trailing zeros dropped unless #. */
function general(magnitude: number, precision: number, keepZeros: boolean): string {
  const digits = Math.max(precision, 1);
  const exponential = pythonExponential(magnitude, digits - 1);
  const e = exponential.indexOf('e');
  const exponent = Number(exponential.slice(e + 1));
  const strip = (text: string): string => (keepZeros || !text.includes('.') ? text : text.replace(/0+$/, '').replace(/\.$/, ''));
  if (exponent < -4 || exponent >= digits) return strip(exponential.slice(0, e)) + exponential.slice(e);
  return strip(pythonFixed(magnitude, digits - 1 - exponent));
}

function special(value: number, conversion: string): string | undefined {
  if (Number.isFinite(value)) return undefined;
  const text = value !== value ? 'nan' : 'inf';
  return conversion === conversion.toUpperCase() ? text.toUpperCase() : text;
}

function signed(magnitude: string, value: number, flags: string): string {
  if (value < 0 || Object.is(value, -0)) return `-${magnitude}`;
  if (flags.includes('+')) return `+${magnitude}`;
  if (flags.includes(' ')) return ` ${magnitude}`;
  return magnitude;
}

function applyWidth(text: string, flags: string, width: number, conversion: string): string {
  if (text.length >= width) return text;
  if (flags.includes('-')) return text.padEnd(width);
  if (flags.includes('0') && !'sr'.includes(conversion) && /^[-+ ]?\d/.test(text)) {
    const sign = /^[-+ ]/.test(text) ? text[0] : '';
    return sign + text.slice(sign.length).padStart(width - sign.length, '0');
  }
  return text.padStart(width);
}
