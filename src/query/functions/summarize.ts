import { derive, type Series } from '../series.js';
import { aggregateSlice } from './agg-funcs.js';
import { aggFuncArg } from './filters.js';
import type { Expression } from '../expression/ast.js';
import { bucketSeconds, parseInterval } from './interval.js';
import { checkPointsMade, type FunctionContext, type ParamSpec, type SeriesFunction } from './registry.js';

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

/** smartSummarize's alignTo units (graphite-web's attime unit names). */
const ALIGN_UNITS: readonly string[] = ['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds'];

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
    run: (context, [list, intervalString, func, alignToFrom]) => {
      const interval = bucketSeconds(intervalString as string, 'summarize');
      return (list as Series[]).map((s) => {
        let newStart = s.start;
        let newEnd = s.end;
        if (!alignToFrom) {
          newStart = s.start - (s.start % interval);
          newEnd = s.end - (s.end % interval) + interval;
        }
        checkPointsMade(context, Math.ceil((newEnd - newStart) / interval), 'summarize');
        const [values, alignedEnd] = summarizeValues(s, func as string, interval, newStart, newEnd);
        if (alignToFrom) newEnd = alignedEnd;
        const name = `summarize(${s.name}, "${intervalString as string}", "${func as string}"${alignToFrom ? ', true' : ''})`;
        const out = derive(s, name, { start: newStart, end: newEnd, step: interval, values });
        out.tags.summarize = intervalString as string;
        out.tags.summarizeFunction = func as string;
        return out;
      });
    },
  },
  {
    name: 'smartSummarize',
    group: 'Transform',
    description:
      "Like summarize, but buckets start at the series' start; alignTo ('years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds') first moves the start back to that unit (UTC) and reads the data again.",
    params: [
      seriesList,
      { name: 'intervalString', type: 'interval', required: true, suggestions: ['10min', '1h', '1d'] },
      { name: 'func', type: 'aggFunc', default: 'sum' },
      { name: 'alignTo', type: 'string', options: ALIGN_UNITS },
    ],
    prefetchRanges: (args, from, until) => {
      const unit = stringArg(args, 3);
      return unit !== undefined && ALIGN_UNITS.includes(unit) ? [[alignToUnit(from, unit), until]] : [];
    },
    run: async (context, [list, intervalString, func, alignTo]) => {
      const interval = bucketSeconds(intervalString as string, 'smartSummarize');
      const inputs = alignTo === null ? (list as Series[]) : await reread(context, alignToUnit(context.from, alignTo as string));
      return inputs.map((s) => {
        checkPointsMade(context, Math.ceil((s.end - s.start) / interval), 'smartSummarize');
        const [values, alignedEnd] = summarizeValues(s, func as string, interval, s.start, s.end);
        const out = derive(s, `smartSummarize(${s.name}, "${intervalString as string}", "${func as string}")`, { end: alignedEnd, step: interval, values });
        out.tags.smartSummarize = intervalString as string;
        out.tags.smartSummarizeFunction = func as string;
        return out;
      });
    },
  },
  {
    name: 'hitcount',
    group: 'Transform',
    description:
      'Hits per interval from per-second rates: each point counts value * seconds into the buckets its step overlaps, so fine and coarse data give the same totals; alignToInterval starts the buckets on a whole day, hour or minute (UTC).',
    params: [
      seriesList,
      { name: 'intervalString', type: 'interval', required: true, suggestions: ['10min', '1h', '1d'] },
      { name: 'alignToInterval', type: 'boolean', default: false },
    ],
    prefetchRanges: (args, from, until) => {
      const text = stringArg(args, 1);
      const interval = text === undefined ? undefined : parseInterval(text);
      const align = args[2];
      return interval !== undefined && align?.kind === 'boolean' && align.value ? [[alignToInterval(from, Math.trunc(interval)), until]] : [];
    },
    run: async (context, [list, intervalString, align]) => {
      const interval = Math.trunc(bucketSeconds(intervalString as string, 'hitcount'));
      let inputs = list as Series[];
      if (align) {
        inputs = (await reread(context, alignToInterval(context.from, interval))).map((s) => ({
          ...s,
          end: s.start + Math.floor((s.end - s.start) / interval) * interval + interval,
        }));
      }
      return inputs.map((s) => {
        checkPointsMade(context, Math.ceil((s.end - s.start) / interval), 'hitcount');
        const [start, values] = hitcounts(s, interval);
        const out = derive(s, `hitcount(${s.name}, "${intervalString as string}"${align ? ', true' : ''})`, { start, step: interval, values });
        out.tags.hitcount = intervalString as string;
        return out;
      });
    },
  },
];

function stringArg(args: readonly Expression[], index: number): string | undefined {
  const node = args[index];
  return node?.kind === 'string' ? node.value : undefined;
}

/** The first argument read again from `from` to the request's end. */
function reread(context: FunctionContext, from: number): Promise<Series[]> {
  return context.evaluate(context.args[0], from, context.until);
}

/** The start of the UTC year, month, ISO week (Monday), day, hour or minute holding `time`. */
function alignToUnit(time: number, unit: string): number {
  const d = new Date(time * 1000);
  const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
  switch (unit) {
    case 'years':
      return Date.UTC(y, 0, 1) / 1000;
    case 'months':
      return Date.UTC(y, m, 1) / 1000;
    case 'weeks':
      return Date.UTC(y, m, day - ((d.getUTCDay() + 6) % 7)) / 1000;
    case 'days':
      return Date.UTC(y, m, day) / 1000;
    case 'hours':
      return Math.floor(time / 3600) * 3600;
    case 'minutes':
      return Math.floor(time / 60) * 60;
    default:
      return Math.floor(time);
  }
}

/** hitcount's alignment: a whole day, hour or minute, by the interval's size. */
function alignToInterval(time: number, interval: number): number {
  if (interval >= 86_400) return alignToUnit(time, 'days');
  if (interval >= 3600) return alignToUnit(time, 'hours');
  if (interval >= 60) return alignToUnit(time, 'minutes');
  return time;
}

/**
 * graphite-web's hitcount buckets: buckets of `interval` ending at the series' end; a point's
 * value (per second) times the seconds of its step that fall in each bucket. Returns the first
 * bucket's start and the sums (NaN for a bucket nothing fell into).
 */
function hitcounts(s: Series, interval: number): [number, Float64Array] {
  const bucketCount = Math.ceil((s.end - s.start) / interval);
  const sums = new Float64Array(Math.max(0, bucketCount)).fill(NaN);
  const newStart = s.end - bucketCount * interval;
  const add = (bucket: number, hits: number): void => {
    sums[bucket] = sums[bucket] === sums[bucket] ? sums[bucket] + hits : hits;
  };
  for (let i = 0; i < s.values.length; i++) {
    const value = s.values[i];
    if (value !== value) continue;
    const startTime = s.start + i * s.step;
    const startBucket = Math.floor((startTime - newStart) / interval);
    const startMod = startTime - newStart - startBucket * interval;
    let endBucket = Math.floor((startTime + s.step - newStart) / interval);
    let endMod = startTime + s.step - newStart - endBucket * interval;
    if (endBucket >= bucketCount) {
      endBucket = bucketCount - 1;
      endMod = interval;
    }
    if (startBucket === endBucket) {
      if (startBucket >= 0) add(startBucket, value * (endMod - startMod));
      continue;
    }
    if (startBucket >= 0) add(startBucket, value * (interval - startMod));
    for (let j = Math.max(0, startBucket + 1); j < endBucket; j++) add(j, value * interval);
    if (endMod > 0) add(endBucket, value * endMod);
  }
  return [newStart, sums];
}
