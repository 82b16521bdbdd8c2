import type { Expression } from '../expression/ast.js';
import { derive, parseConsolidationFunc, type Series } from '../series.js';
import { constantLine } from './combine.js';
import { intervalSeconds, parseInterval } from './interval.js';
import { formatD, formatG, pythonNumber } from './python-format.js';
import type { ParamSpec, SeriesFunction } from './registry.js';

const seriesList: ParamSpec = { name: 'seriesList', type: 'seriesList', required: true };

/** str() of a number argument, as graphite-web's Tags stores it. */
const tagNumber = (value: number): string => pythonNumber(value, Number.isInteger(value));

/** Python's round(x, 6). */
const round6 = (x: number): number => (Number.isFinite(x) ? Number(x.toFixed(6)) : x);

/** A per-point transform: a renamed copy (pathExpression = name) with new values and one more tag. */
function mapped(s: Series, name: string, values: Float64Array, tag?: [string, string]): Series {
  const out = derive(s, name, { values });
  if (tag) out.tags[tag[0]] = tag[1];
  return out;
}

function pointwise(s: Series, fn: (v: number) => number): Float64Array {
  const out = new Float64Array(s.values.length);
  for (let i = 0; i < out.length; i++) out[i] = fn(s.values[i]);
  return out;
}

/** graphite-web's _nonNegativeDelta: [delta, new prev]; NaN is None. */
function nonNegativeDelta(val: number, prev: number, maxValue: number | null, minValue: number | null): [number, number] {
  if (maxValue !== null && val > maxValue) return [NaN, NaN];
  if (minValue !== null && val < minValue) return [NaN, NaN];
  if (prev !== prev || val !== val) return [NaN, val];
  if (val >= prev) return [val - prev, val];
  if (maxValue !== null) return [maxValue + 1 + val - prev - (minValue ?? 0), val];
  if (minValue !== null) return [val - minValue, val];
  return [NaN, val];
}

function nonNegativeDeltas(s: Series, maxValue: number | null, minValue: number | null, perSecond: boolean): Float64Array {
  const out = new Float64Array(s.values.length);
  let prev = NaN;
  for (let i = 0; i < out.length; i++) {
    const [delta, next] = nonNegativeDelta(s.values[i], prev, maxValue, minValue);
    prev = next;
    out[i] = perSecond && delta === delta ? round6(delta / s.step) : delta;
  }
  return out;
}

/** timeShift's offset: no sign means back in time. */
function shiftText(text: string): string {
  return /^\d/.test(text) ? `-${text}` : text;
}

function stringArg(args: readonly Expression[], index: number): string | undefined {
  const node = args[index];
  return node?.kind === 'string' ? node.value : undefined;
}

export const TRANSFORM_FUNCTIONS: SeriesFunction[] = [
  {
    name: 'scale',
    group: 'Transform',
    description: 'Multiplies each point by a constant.',
    params: [seriesList, { name: 'factor', type: 'float', required: true }],
    run: (_, [list, factor]) =>
      (list as Series[]).map((s) => mapped(s, `scale(${s.name},${formatG(factor as number)})`, pointwise(s, (v) => v * (factor as number)), ['scale', tagNumber(factor as number)])),
  },
  {
    name: 'offset',
    group: 'Transform',
    description: 'Adds a constant to each point.',
    params: [seriesList, { name: 'factor', type: 'float', required: true }],
    run: (_, [list, factor]) =>
      (list as Series[]).map((s) => mapped(s, `offset(${s.name},${formatG(factor as number)})`, pointwise(s, (v) => v + (factor as number)), ['offset', tagNumber(factor as number)])),
  },
  {
    name: 'derivative',
    group: 'Transform',
    description: 'The difference between each point and the one before it (null when either is null).',
    params: [seriesList],
    run: (_, [list]) =>
      (list as Series[]).map((s) => {
        const out = new Float64Array(s.values.length).fill(NaN);
        for (let i = 1; i < out.length; i++) out[i] = s.values[i] - s.values[i - 1];
        return mapped(s, `derivative(${s.name})`, out, ['derivative', '1']);
      }),
  },
  {
    name: 'nonNegativeDerivative',
    group: 'Transform',
    description: 'Like derivative, but a decrease gives null, or is computed as a counter wrap at maxValue (or to minValue) when given.',
    params: [seriesList, { name: 'maxValue', type: 'float' }, { name: 'minValue', type: 'float' }],
    run: (_, [list, maxValue, minValue]) =>
      (list as Series[]).map((s) =>
        mapped(s, `nonNegativeDerivative(${s.name})`, nonNegativeDeltas(s, maxValue as number | null, minValue as number | null, false), ['nonNegativeDerivative', '1']),
      ),
  },
  {
    name: 'perSecond',
    group: 'Transform',
    description: 'nonNegativeDerivative divided by the step: the rate per second of a counter.',
    params: [seriesList, { name: 'maxValue', type: 'float' }, { name: 'minValue', type: 'float' }],
    run: (_, [list, maxValue, minValue]) =>
      (list as Series[]).map((s) =>
        mapped(s, `perSecond(${s.name})`, nonNegativeDeltas(s, maxValue as number | null, minValue as number | null, true), ['perSecond', '1']),
      ),
  },
  {
    name: 'integral',
    group: 'Transform',
    description: 'The running total of the points (nulls stay null and add nothing).',
    params: [seriesList],
    run: (_, [list]) =>
      (list as Series[]).map((s) => {
        let total = 0;
        const out = pointwise(s, (v) => (v !== v ? NaN : (total += v)));
        return mapped(s, `integral(${s.name})`, out, ['integral', '1']);
      }),
  },
  {
    name: 'keepLastValue',
    group: 'Transform',
    description: 'Fills gaps of at most limit nulls with the last value before them.',
    params: [seriesList, { name: 'limit', type: 'intOrInf', default: Infinity }],
    run: (_, [list, limit]) =>
      (list as Series[]).map((s) => {
        const out = Float64Array.from(s.values);
        let nulls = 0;
        let last = NaN;
        const fill = (to: number): void => {
          if (nulls > 0 && nulls <= (limit as number) && last === last) out.fill(last, to - nulls, to);
        };
        for (let i = 0; i < out.length; i++) {
          const v = out[i];
          if (v !== v) {
            nulls++;
            continue;
          }
          fill(i);
          nulls = 0;
          last = v;
        }
        fill(out.length);
        return derive(s, `keepLastValue(${s.name})`, { values: out });
      }),
  },
  {
    name: 'transformNull',
    group: 'Transform',
    description: 'Replaces nulls with a default (0); with referenceSeries, only where some reference series has a value.',
    params: [seriesList, { name: 'default', type: 'float', default: 0 }, { name: 'referenceSeries', type: 'seriesList' }],
    run: (_, [list, fallback, reference]) => {
      const value = fallback as number;
      const references = (reference as Series[] | null) ?? [];
      let defaults: Float64Array | undefined;
      if (references.length > 0) {
        defaults = new Float64Array(Math.max(...references.map((r) => r.values.length))).fill(NaN);
        for (const r of references) r.values.forEach((v, i) => v === v && (defaults![i] = value));
      }
      return (list as Series[]).map((s) => {
        const name = defaults ? `transformNull(${s.name},${formatG(value)},referenceSeries)` : `transformNull(${s.name},${formatG(value)})`;
        const out = new Float64Array(Math.max(s.values.length, defaults?.length ?? 0));
        for (let i = 0; i < out.length; i++) {
          const v = i < s.values.length ? s.values[i] : NaN;
          out[i] = v === v ? v : defaults ? (i < defaults.length ? defaults[i] : NaN) : value;
        }
        const result = mapped(s, name, out, ['transformNull', tagNumber(value)]);
        if (defaults) result.tags.referenceSeries = '1';
        return result;
      });
    },
  },
  {
    name: 'isNonNull',
    group: 'Transform',
    description: '1 where a point has a value, 0 where it is null.',
    params: [seriesList],
    run: (_, [list]) => (list as Series[]).map((s) => mapped(s, `isNonNull(${s.name})`, pointwise(s, (v) => (v === v ? 1 : 0)), ['isNonNull', '1'])),
  },
  {
    name: 'log',
    group: 'Transform',
    description: 'The logarithm of each point in the given base (10 by default); null for values <= 0.',
    params: [seriesList, { name: 'base', type: 'integer', default: 10 }],
    run: (_, [list, base]) =>
      (list as Series[]).map((s) => {
        const b = base as number;
        return mapped(s, `log(${s.name}, ${b})`, pointwise(s, (v) => (v > 0 ? Math.log(v) / Math.log(b) : NaN)), ['log', String(b)]);
      }),
  },
  {
    name: 'scaleToSeconds',
    group: 'Transform',
    description: 'Scales each point from per-step to per-`seconds` (value * seconds / step).',
    params: [seriesList, { name: 'seconds', type: 'float', required: true }],
    run: (_, [list, seconds]) =>
      (list as Series[]).map((s) => {
        const factor = (seconds as number) / s.step;
        return mapped(s, `scaleToSeconds(${s.name},${formatD(seconds as number)})`, pointwise(s, (v) => round6(v * factor)), ['scaleToSeconds', tagNumber(seconds as number)]);
      }),
  },
  {
    name: 'absolute',
    group: 'Transform',
    description: 'The absolute value of each point.',
    params: [seriesList],
    run: (_, [list]) => (list as Series[]).map((s) => mapped(s, `absolute(${s.name})`, pointwise(s, Math.abs), ['absolute', '1'])),
  },
  {
    name: 'invert',
    group: 'Transform',
    description: '1/x for each point (null for 0).',
    params: [seriesList],
    run: (_, [list]) => (list as Series[]).map((s) => mapped(s, `invert(${s.name})`, pointwise(s, (v) => (v === 0 ? NaN : 1 / v)), ['invert', '1'])),
  },
  {
    name: 'timeShift',
    group: 'Transform',
    description: "Draws the series shifted in time: the data is read again for the shifted range ('1d' or '-1d' looks back a day, '+1h' ahead).",
    params: [
      seriesList,
      { name: 'timeShift', type: 'interval', required: true, suggestions: ['1h', '6h', '12h', '1d', '2d', '7d', '14d', '30d'] },
      { name: 'resetEnd', type: 'boolean', default: true },
      { name: 'alignDst', type: 'boolean', default: false },
    ],
    prefetchRanges: (args, from, until) => {
      const text = stringArg(args, 1);
      const delta = text === undefined ? undefined : parseInterval(shiftText(text));
      return delta === undefined ? [] : [[from + delta, until + delta]];
    },
    run: async (context, [list, shift, resetEnd]) => {
      const inputs = list as Series[];
      if (inputs.length === 0) return [];
      const text = shiftText(shift as string);
      const delta = intervalSeconds(text);
      const first = inputs[0];
      const shifted = await context.evaluate(context.args[0], context.from + delta, context.until + delta);
      return shifted.map((s) => {
        const end = resetEnd ? first.end : s.end - s.start + first.start;
        const out: Series = { ...s, tags: { ...s.tags, timeShift: text }, name: `timeShift(${s.name}, "${text}")`, start: first.start, end };
        return out;
      });
    },
  },
  {
    name: 'constantLine',
    group: 'Special',
    description: 'A horizontal line at the given value across the graph.',
    params: [{ name: 'value', type: 'float', required: true }],
    run: (context, [value]) => {
      const series = constantLine(context, value as number);
      return [{ ...series, pathExpression: `constantLine(${tagNumber(value as number)})` }];
    },
  },
  {
    name: 'consolidateBy',
    group: 'Special',
    description: "Sets how the series is consolidated when it has more points than maxDataPoints: 'sum', 'average'/'avg', 'avg_zero', 'min', 'max', 'first' or 'last'.",
    params: [seriesList, { name: 'consolidationFunc', type: 'string', required: true, options: ['sum', 'average', 'avg', 'avg_zero', 'min', 'max', 'first', 'last'] }],
    run: (_, [list, func]) =>
      (list as Series[]).map((s) => {
        const out = derive(s, `consolidateBy(${s.name},"${func as string}")`, { consolidationFunc: parseConsolidationFunc(func as string) ?? 'average' });
        out.tags.consolidateBy = func as string;
        return out;
      }),
  },
];

