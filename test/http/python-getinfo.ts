/**
 * Test support: the bytes graphite-web's Python would write for a list of getInfo() dicts, made by
 * the real CPython pickle and msgpack-python, with graphite-web's object sharing reproduced (dict
 * keys and the consolidation function are shared literals, each fetch shares its path expression,
 * names are separate objects, a computed series' path expression is its name object).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { SeriesInfo } from '../../src/http/render-pickle.js';

export const PYTHON = '/usr/bin/python3';

const SCRIPT = String.raw`
import json, pickle, sys
req = json.load(sys.stdin)
shared = {}
def share(s):
    return shared.setdefault(s, s)
out = []
for s in req['series']:
    name = ''.join(list(s['name']))
    info = {}
    info['name'] = name
    info['start'] = s['start']
    info['end'] = s['end']
    info['step'] = s['step']
    info['values'] = [None if v is None else float(v) for v in s['values']]
    info['pathExpression'] = name if s.get('pathExpression') is None else share(s['pathExpression'])
    info['valuesPerPoint'] = s.get('valuesPerPoint', 1)
    info['consolidationFunc'] = 'average' if s.get('consolidationFunc') is None else share(s['consolidationFunc'])
    info['xFilesFactor'] = 0 if s.get('xFilesFactor') is None else float(s['xFilesFactor'])
    out.append(info)
if req['format'] == 'pickle':
    data = pickle.dumps(out, protocol=-1)
else:
    import msgpack
    data = msgpack.packb(out, use_bin_type=True)
sys.stdout.write(data.hex())
`;

/** Whether CPython (and, for msgpack, msgpack-python) is here to make expected bytes. */
export function pythonHas(module: 'pickle' | 'msgpack'): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function pythonBytes(format: 'pickle' | 'msgpack', series: readonly SeriesInfo[]): Uint8Array {
  const request = {
    format,
    // As strings, so infinities and -0 survive JSON; Python's float() reads them back exactly.
    series: series.map((s) => ({ ...s, values: [...s.values].map(floatText) })),
  };
  const hex = execFileSync(PYTHON, ['-c', SCRIPT], { input: JSON.stringify(request), maxBuffer: 1 << 30 }).toString();
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function floatText(v: number): string | null {
  if (Number.isNaN(v)) return null;
  if (Object.is(v, -0)) return '-0.0';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

const T0 = 1_700_000_000;

/** Small hand-made cases covering each encoding choice. */
export const SMALL_CASES: Record<string, SeriesInfo[]> = {
  empty: [],
  'one fetched series': [
    { name: 'a.b', pathExpression: 'a.b', start: T0, end: T0 + 30, step: 10, values: Float64Array.of(1, NaN, 2.5), xFilesFactor: 0.5 },
  ],
  'a glob fetch shares its path expression': [
    { name: 'a.b', pathExpression: 'a.*', start: T0, end: T0 + 30, step: 10, values: Float64Array.of(1, NaN, 2.5), xFilesFactor: 0.5 },
    { name: 'a.c', pathExpression: 'a.*', start: T0, end: T0 + 30, step: 10, values: Float64Array.of(NaN, -0, 1e-300), xFilesFactor: 0.5 },
    { name: 'x.y', pathExpression: 'x.y', start: T0, end: T0 + 30, step: 10, values: Float64Array.of(Infinity, -Infinity, 0.1), xFilesFactor: 0 },
  ],
  'computed series and small ints': [
    { name: 'sumSeries(a.*)', start: 100, end: 1000, step: 60, values: Float64Array.of(3.5), consolidationFunc: 'sum' },
    { name: 'émoji ✓ 🚀', start: 0, end: 70000, step: 1, values: new Float64Array(0), valuesPerPoint: 300, consolidationFunc: 'sum' },
    { name: 'x'.repeat(300), start: 2 ** 31 + 5, end: 2 ** 40, step: 86400, values: Float64Array.of(NaN) },
  ],
};

/** Cases large enough for several pickle frames and for more than 1000 items in a list. */
export function largeCases(): Record<string, SeriesInfo[]> {
  const wide: SeriesInfo[] = [];
  for (let k = 0; k < 3; k++) {
    const values = new Float64Array(9000);
    for (let i = 0; i < values.length; i++) values[i] = i % 7 === 0 ? NaN : i * 0.37 - 100 + k;
    wide.push({ name: `wide.series${k}`, pathExpression: 'wide.*', start: T0, end: T0 + 90000, step: 10, values, xFilesFactor: 0.5 });
  }
  const many: SeriesInfo[] = [];
  for (let k = 0; k < 1500; k++) {
    many.push({ name: `many.s${k}`, pathExpression: 'many.*', start: T0, end: T0 + 20, step: 10, values: Float64Array.of(k, k / 3), xFilesFactor: 0 });
  }
  return { 'three wide series': wide, '1500 series': many };
}
