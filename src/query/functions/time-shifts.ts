import type { Expression } from '../expression/ast.js';
import { QueryError } from '../query-error.js';
import { derive, type Series } from '../series.js';
import { dateSeconds, intervalSeconds, parseInterval } from './interval.js';
import type { ParamSpec, SeriesFunction } from './registry.js';

/** Transforms that move series in time or cut them to a time range (timeShift's relatives). */

const seriesList: ParamSpec = { name: 'seriesList', type: 'seriesList', required: true };

/** graphite-web's default for an unsigned shift: back in time. */
function backwards(text: string): string {
  return /^\d/.test(text) ? `-${text}` : text;
}

/**
 * Most shifts one timeStack may stack; each is a read of its own. graphite-web has no bound, and
 * timeStack(x, '1d', -999999999, 0) planned a billion reads on the event loop until memory ran out.
 */
export const MAX_TIME_STACK_SHIFTS = 1000;

/** timeStack's arguments as written, with graphite-web's defaults. */
function timeStackArgs(args: readonly Expression[]): { unit: string; first: number; last: number } | undefined {
  const [, unit, first, last] = args;
  if (unit !== undefined && unit.kind !== 'string') return undefined;
  if (first !== undefined && first.kind !== 'number') return undefined;
  if (last !== undefined && last.kind !== 'number') return undefined;
  return { unit: unit?.value ?? '1d', first: first?.value ?? 0, last: last?.value ?? 7 };
}

export const TIME_SHIFT_FUNCTIONS: SeriesFunction[] = [
  {
    name: 'timeStack',
    group: 'Transform',
    description:
      "The series shifted back by timeShiftUnit (a day by default) timeShiftStart through timeShiftEnd - 1 times, each read again for its shifted range and drawn over the request's range.",
    params: [
      seriesList,
      { name: 'timeShiftUnit', type: 'interval', default: '1d', suggestions: ['1h', '6h', '12h', '1d', '2d', '7d', '14d', '30d'] },
      { name: 'timeShiftStart', type: 'integer', default: 0 },
      { name: 'timeShiftEnd', type: 'integer', default: 7 },
    ],
    prefetchRanges: (args, from, until) => {
      const written = timeStackArgs(args);
      const delta = written && parseInterval(backwards(written.unit));
      if (!written || delta === undefined || written.last - written.first > MAX_TIME_STACK_SHIFTS) return [];
      const ranges: Array<[number, number]> = [];
      for (let shift = written.first; shift < written.last; shift++) ranges.push([from + delta * shift, until + delta * shift]);
      return ranges;
    },
    run: async (context, [list, unitText, first, last]) => {
      if ((last as number) - (first as number) > MAX_TIME_STACK_SHIFTS) {
        throw new QueryError(`timeStack(): ${first as number} to ${last as number} is ${(last as number) - (first as number)} shifts, more than ${MAX_TIME_STACK_SHIFTS}`);
      }
      const inputs = list as Series[];
      if (inputs.length === 0) return [];
      const unit = backwards(unitText as string);
      const delta = intervalSeconds(unit);
      const { start, end } = inputs[0];
      const results: Series[] = [];
      for (let shift = first as number; shift < (last as number); shift++) {
        for (const s of await context.evaluate(context.args[0], context.from + delta * shift, context.until + delta * shift)) {
          const name = `timeShift(${s.name}, ${unit}, ${shift})`;
          results.push({ ...s, name, pathExpression: name, start, end, tags: { ...s.tags, timeShiftUnit: unit, timeShift: String(shift) } });
        }
      }
      return results;
    },
  },
  {
    name: 'timeSlice',
    group: 'Transform',
    description: "Nulls every point outside [startSliceAt, endSliceAt] (inclusive; endSliceAt defaults to 'now'); both take from/until time forms.",
    params: [seriesList, { name: 'startSliceAt', type: 'date', required: true }, { name: 'endSliceAt', type: 'date', default: 'now' }],
    run: (context, [list, startSliceAt, endSliceAt]) => {
      const start = dateSeconds(startSliceAt as string | number, context.now);
      const end = dateSeconds(endSliceAt as string | number, context.now);
      return (list as Series[]).map((s) => {
        // graphite-web counts the points' times from the request's start, not the series'.
        const values = s.values.map((v, i) => {
          const t = context.from + i * s.step;
          return t < start || t > end ? NaN : v;
        });
        return { ...s, name: `timeSlice(${s.name}, ${start}, ${end})`, values, tags: { ...s.tags, timeSliceStart: String(start), timeSliceEnd: String(end) } };
      });
    },
  },
  {
    name: 'delay',
    group: 'Transform',
    description: 'Shifts the points later by steps points (earlier when negative), padding with nulls; the time range stays.',
    params: [seriesList, { name: 'steps', type: 'integer', required: true }],
    run: (_, [list, steps]) =>
      (list as Series[]).map((s) => {
        const n = steps as number;
        const values = new Float64Array(s.values.length).fill(NaN);
        // graphite-web's series[:-0] makes delay(x, 0) empty; here 0 leaves the points where they are.
        if (n >= 0) values.set(s.values.subarray(0, Math.max(0, s.values.length - n)), Math.min(n, s.values.length));
        else values.set(s.values.subarray(Math.min(-n, s.values.length)));
        const out = derive(s, `delay(${s.name},${n})`, { values });
        out.tags.delay = String(n);
        return out;
      }),
  },
];
