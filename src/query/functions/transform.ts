import type { Expression } from '../expression/ast.js';
import { QueryError } from '../query-error.js';
import { derive, parseConsolidationFunc, type Series } from '../series.js';
import { constantLine } from './combine.js';
import { intervalSeconds, parseInterval } from './interval.js';
import { formatD, formatG, pythonNumber } from './python-format.js';
import { pythonRound, safePow } from './python-math.js';
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
  {
    name: 'pow',
    group: 'Transform',
    description: 'Raises each point to the power of a constant (null where Python cannot: a negative base with a fractional power, 0 to a negative power, overflow).',
    params: [seriesList, { name: 'factor', type: 'float', required: true }],
    run: (_, [list, factor]) =>
      (list as Series[]).map((s) => mapped(s, `pow(${s.name},${formatG(factor as number)})`, pointwise(s, (v) => safePow(v, factor as number)), ['pow', tagNumber(factor as number)])),
  },
  {
    name: 'squareRoot',
    group: 'Transform',
    description: 'The square root of each point (null for negative values).',
    params: [seriesList],
    run: (_, [list]) => (list as Series[]).map((s) => mapped(s, `squareRoot(${s.name})`, pointwise(s, (v) => safePow(v, 0.5)), ['squareRoot', '1'])),
  },
  {
    name: 'round',
    group: 'Transform',
    // No default here, as in graphite-web's signature: round(x) is named round(x), round(x, 0) round(x,0).
    description: 'Rounds each point to `precision` decimals (0 when left out; negative rounds to tens, hundreds...), halves to even as Python does.',
    params: [seriesList, { name: 'precision', type: 'integer' }],
    run: (_, [list, precision]) =>
      (list as Series[]).map((s) => {
        const digits = (precision as number | null) ?? 0;
        const name = precision === null ? `round(${s.name})` : `round(${s.name},${formatG(Math.trunc(digits))})`;
        return mapped(s, name, pointwise(s, (v) => (v !== v ? v : pythonRound(v, digits))), ['round', String(digits)]);
      }),
  },
  {
    name: 'minMax',
    group: 'Transform',
    description: 'Scales each series to [0, 1]: (value - min) / (max - min), 0 for a flat series.',
    params: [seriesList],
    run: (_, [list]) =>
      (list as Series[]).map((s) => {
        const [min, max] = knownRange(s.values);
        const low = min === min ? min : 0;
        const range = (max === max ? max : 0) - low;
        return derive(s, `minMax(${s.name})`, { values: pointwise(s, (v) => (v !== v ? v : range === 0 ? 0 : (v - low) / range)) });
      }),
  },
  {
    name: 'offsetToZero',
    group: 'Transform',
    description: 'Subtracts the series minimum from each point, so its lowest point is 0.',
    params: [seriesList],
    run: (_, [list]) =>
      (list as Series[]).map((s) => {
        const [min] = knownRange(s.values);
        return mapped(s, `offsetToZero(${s.name})`, pointwise(s, (v) => v - min), ['offsetToZero', min === min ? pythonNumber(min, false) : 'None']);
      }),
  },
  {
    name: 'add',
    group: 'Transform',
    description: 'Adds a constant to each point (named with the constant truncated to an integer, as graphite-web does).',
    params: [seriesList, { name: 'constant', type: 'float', required: true }],
    run: (_, [list, constant]) =>
      (list as Series[]).map((s) => mapped(s, `add(${s.name},${formatD(constant as number)})`, pointwise(s, (v) => v + (constant as number)), ['add', tagNumber(constant as number)])),
  },
  {
    name: 'exp',
    group: 'Transform',
    description: 'e raised to the power of each point.',
    params: [seriesList],
    run: (_, [list]) => (list as Series[]).map((s) => mapped(s, `exp(${s.name})`, pointwise(s, Math.exp), ['exp', 'e'])),
  },
  {
    name: 'sigmoid',
    group: 'Transform',
    description: 'The sigmoid 1 / (1 + exp(-x)) of each point.',
    params: [seriesList],
    run: (_, [list]) => (list as Series[]).map((s) => mapped(s, `sigmoid(${s.name})`, pointwise(s, (v) => 1 / (1 + Math.exp(-v))), ['sigmoid', 'sigmoid'])),
  },
  {
    name: 'logit',
    group: 'Transform',
    description: 'The logit log(x / (1 - x)) of each point (null outside 0 < x < 1).',
    params: [seriesList],
    run: (_, [list]) =>
      (list as Series[]).map((s) => mapped(s, `logit(${s.name})`, pointwise(s, (v) => (v === 1 || !(v / (1 - v) > 0) ? NaN : Math.log(v / (1 - v)))), ['logit', 'logit'])),
  },
  {
    name: 'integralByInterval',
    group: 'Transform',
    description: "Like integral, but the running total restarts at 0 every intervalUnit (e.g. '1d') counted from the request's from time.",
    params: [seriesList, { name: 'intervalUnit', type: 'string', required: true }],
    run: (context, [list, unit]) => {
      const duration = Math.trunc(Math.abs(intervalSeconds(unit as string)));
      if (duration === 0) throw new QueryError(`integralByInterval: intervalUnit '${unit as string}' is zero seconds`);
      const origin = Math.trunc(context.from);
      return (list as Series[]).map((s) => {
        const out = new Float64Array(s.values.length);
        let total = 0;
        for (let i = 0; i < out.length; i++) {
          const t = s.start + i * s.step;
          if (Math.floor((t - origin) / duration) !== Math.floor((t - origin - s.step) / duration)) total = 0;
          const v = s.values[i];
          // A null keeps the running total (graphite-web's choice, so a reset shows as 0).
          if (v === v) total += v;
          out[i] = total;
        }
        return mapped(s, `integralByInterval(${s.name},'${unit as string}')`, out, ['integralByInterval', unit as string]);
      });
    },
  },
  {
    name: 'interpolate',
    group: 'Transform',
    description: 'Fills gaps of at most limit nulls by linear interpolation between the values around them (leading and trailing nulls stay).',
    params: [seriesList, { name: 'limit', type: 'intOrInf', default: Infinity }],
    run: (_, [list, limit]) =>
      (list as Series[]).map((s) => {
        const out = Float64Array.from(s.values);
        let nulls = 0;
        for (let i = 1; i < out.length; i++) {
          const v = out[i];
          if (v !== v) {
            nulls++;
            continue;
          }
          if (nulls === 0) continue;
          const before = i - nulls - 1;
          const from = out[before];
          if (from === from && nulls <= (limit as number)) {
            for (let j = i - nulls; j < i; j++) out[j] = from + ((j - before) * (v - from)) / (nulls + 1);
          }
          nulls = 0;
        }
        return derive(s, `interpolate(${s.name})`, { values: out });
      }),
  },
  {
    name: 'changed',
    group: 'Special',
    description: '1 where a value differs from the last known value before it, 0 elsewhere (nulls and the first value give 0).',
    params: [seriesList],
    run: (_, [list]) =>
      (list as Series[]).map((s) => {
        const out = new Float64Array(s.values.length);
        let previous = NaN;
        s.values.forEach((v, i) => {
          if (previous !== previous) {
            previous = v;
          } else if (v === v && v !== previous) {
            out[i] = 1;
            previous = v;
          }
        });
        return derive(s, `changed(${s.name})`, { values: out });
      }),
  },
  setXFilesFactor('setXFilesFactor', 'Sets the share of known points (0 to 1) a consolidated or aggregated interval needs to have a value (short form: xFilesFactor).'),
  setXFilesFactor('xFilesFactor', 'Short form of setXFilesFactor.'),
  {
    name: 'cumulative',
    group: 'Special',
    description: "Consolidates the series by sum when it has more points than maxDataPoints (consolidateBy(series, 'sum')).",
    params: [seriesList],
    run: (context, [list]) => context.call('consolidateBy', [list, 'sum']),
  },
];

/** safeMin and safeMax of the known points: [min, max], NaN when none is known. */
function knownRange(values: Float64Array): [number, number] {
  let min = NaN;
  let max = NaN;
  for (const v of values) {
    if (v !== v) continue;
    if (!(v >= min)) min = v;
    if (!(v <= max)) max = v;
  }
  return [min, max];
}

/** setXFilesFactor and its short form: the series keep their data and carry the new xFilesFactor. */
function setXFilesFactor(name: string, description: string): SeriesFunction {
  return {
    name,
    group: 'Special',
    description,
    params: [seriesList, { name: 'xFilesFactor', type: 'float', required: true }],
    run: (_, [list, xff]) =>
      (list as Series[]).map((s) => ({ ...s, xFilesFactor: xff as number, tags: { ...s.tags, xFilesFactor: tagNumber(xff as number) } })),
  };
}
