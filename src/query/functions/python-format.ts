/** Python's number formatting, for series names that must read exactly as graphite-web writes them. */

/** Python's repr()/str() of a float: `1.0`, `0.5`, `1e-05`, `inf`, `nan`. */
export function pythonFloat(value: number): string {
  if (value !== value) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return Object.is(value, -0) ? '-0.0' : `${value}.0`;
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-4 && magnitude < 1e16) return String(value);
  return withTwoDigitExponent(value.toExponential());
}

/** str() of a number argument: ints (as the target wrote them) without a fraction, floats as Python prints them. */
export function pythonNumber(value: number, integer: boolean): string {
  return integer && Number.isInteger(value) ? String(value) : pythonFloat(value);
}

/** Python's `'%g' % value`: six significant digits, trailing zeros dropped, exponent outside 1e-4..1e6. */
export function formatG(value: number): string {
  if (value !== value) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const exponential = value.toExponential(5);
  const exponent = Number(exponential.slice(exponential.indexOf('e') + 1));
  if (exponent < -4 || exponent >= 6) {
    const e = exponential.indexOf('e');
    return withTwoDigitExponent(stripZeros(exponential.slice(0, e)) + exponential.slice(e));
  }
  return stripZeros(value.toFixed(5 - exponent));
}

/** Python's `'%.Nf' % value`. */
export function formatFixed(value: number, digits: number): string {
  if (value !== value) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return value.toFixed(digits);
}

/** Python's `'%d' % value` (truncates toward zero). */
export function formatD(value: number): string {
  return String(Math.trunc(value));
}

function stripZeros(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

function withTwoDigitExponent(text: string): string {
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}

const UNIT_SYSTEMS: Record<string, ReadonlyArray<readonly [string, number]>> = {
  binary: [
    ['Pi', 1024 ** 5],
    ['Ti', 1024 ** 4],
    ['Gi', 1024 ** 3],
    ['Mi', 1024 ** 2],
    ['Ki', 1024],
  ],
  si: [
    ['P', 1000 ** 5],
    ['T', 1000 ** 4],
    ['G', 1000 ** 3],
    ['M', 1000 ** 2],
    ['K', 1000],
  ],
};

/** graphite-web's format_units(): the value scaled to its largest unit prefix, and the prefix (plus units). */
export function formatUnits(value: number, system: string, units = ''): [number, string] {
  for (const [prefix, size] of UNIT_SYSTEMS[system] ?? []) {
    if (Math.abs(value) >= size) {
      let scaled = value / size;
      if (scaled - Math.floor(scaled) < 1e-11 && value > 1) scaled = Math.floor(scaled);
      return [scaled, prefix + units];
    }
  }
  if (value - Math.floor(value) < 1e-11 && value > 1) value = Math.floor(value);
  return [value, units];
}

/** Python's `'%-Ns' % text` / `'%Ns' % text`: pads to width, left-justified when width is negative. */
export function pad(text: string, width: number): string {
  return width < 0 ? text.padEnd(-width) : text.padStart(width);
}
