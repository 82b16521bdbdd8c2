import { derive, type Series } from '../series.js';
import { aggregateSlice } from './agg-funcs.js';
import { aggFuncArg } from './filters.js';
import { intervalSeconds } from './interval.js';
import type { ParamSpec, SeriesFunction } from './registry.js';

const seriesList: ParamSpec = { name: 'seriesList', type: 'seriesList', required: true };

/**
 * graphite-web's _summarizeValues(): one value per interval bucket from newStart to newEnd, the
 * aggregate of the points from the last one at or before the bucket start up to the bucket end,
 * null when the bucket's known points are below the series' xFilesFactor. Returns the values and
 * the end of the last bucket.
 */
function summarizeValues(s: Series, funcName: string, interval: number, newStart: number, newEnd: number): [Float64Array, number] {
  const func = aggFuncArg(funcName);
  const intervalPoints = interval / s.step;
  const count = Math.min(s.values.length, Math.max(0, Math.ceil((s.end - s.start) / s.step)));
  const out: number[] = [];
  let i = 0;
  let bucket = newStart;
  while (bucket < newEnd) {
    let from = i;
    let known = 0;
    while (i < count && s.start + i * s.step < bucket + interval) {
      const t = s.start + i * s.step;
      if (t <= bucket) from = i;
      if (t >= bucket && s.values[i] === s.values[i]) known++;
      i++;
    }
    out.push(known > 0 && intervalPoints > 0 && known / intervalPoints >= s.xFilesFactor ? aggregateSlice(func, s.values, from, i) : NaN);
    bucket += interval;
  }
  return [Float64Array.from(out), bucket];
}

export const SUMMARIZE_FUNCTIONS: SeriesFunction[] = [
  {
    name: 'summarize',
    group: 'Transform',
    description:
      "Aggregates points into buckets of the given interval (sum by default), e.g. summarize(x, '1hour', 'avg'); buckets align to the interval unless alignToFrom is true.",
    params: [
      seriesList,
      { name: 'intervalString', type: 'interval', required: true, suggestions: ['10min', '1h', '1d'] },
      { name: 'func', type: 'aggFunc', default: 'sum' },
      { name: 'alignToFrom', type: 'boolean', default: false },
    ],
    run: (_, [list, intervalString, func, alignToFrom]) =>
      (list as Series[]).map((s) => {
        const interval = intervalSeconds(intervalString as string);
        let newStart = s.start;
        let newEnd = s.end;
        if (!alignToFrom) {
          newStart = s.start - (s.start % interval);
          newEnd = s.end - (s.end % interval) + interval;
        }
        const [values, alignedEnd] = summarizeValues(s, func as string, interval, newStart, newEnd);
        if (alignToFrom) newEnd = alignedEnd;
        const name = `summarize(${s.name}, "${intervalString as string}", "${func as string}"${alignToFrom ? ', true' : ''})`;
        const out = derive(s, name, { start: newStart, end: newEnd, step: interval, values });
        out.tags.summarize = intervalString as string;
        out.tags.summarizeFunction = func as string;
        return out;
      }),
  },
];
