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
