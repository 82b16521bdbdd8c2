import type { Expression } from '../expression/ast.js';
import { QueryError } from '../query-error.js';
import { newSeries, type Series } from '../series.js';
import { checkPointsMade, type FunctionContext, type ParamSpec, type SeriesFunction } from './registry.js';

/**
 * Series made from the request's time range alone, with no stored data: graphite-web's test
 * signals (time, sin, randomWalk, identity) and events(), whose event store Carbonado does not have.
 */

const name: ParamSpec = { name: 'name', type: 'string', required: true };
const step: ParamSpec = { name: 'step', type: 'integer', default: 60 };

/** A point every `step` seconds from the request's start while before its end, as graphite-web's loops make them. */
function generated(context: FunctionContext, fn: string, seriesName: string, stepSeconds: number, value: (timestamp: number) => number): Series {
  if (stepSeconds <= 0) throw new QueryError(`step must be a positive number of seconds (got ${stepSeconds})`);
  const count = Math.max(0, Math.ceil((context.until - context.from) / stepSeconds));
  checkPointsMade(context, count, fn);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = value(context.from + i * stepSeconds);
  return newSeries(seriesName, context.from, context.until, stepSeconds, values, context.xFilesFactor);
}

function timeFunction(functionName: string): SeriesFunction {
  return {
    name: functionName,
    group: 'Transform',
    description: 'A series named `name` whose value at each point is its timestamp (short form: time); one point every `step` seconds.',
    params: [name, step],
    run: (context, [seriesName, stepSeconds]) => [generated(context, functionName, seriesName as string, stepSeconds as number, (t) => t)],
  };
}

function sinFunction(functionName: string): SeriesFunction {
  return {
    name: functionName,
    group: 'Transform',
    description: 'A series named `name` whose value is sin(timestamp) * amplitude (short form: sin); one point every `step` seconds.',
    params: [name, { name: 'amplitude', type: 'integer', default: 1 }, step],
    run: (context, [seriesName, amplitude, stepSeconds]) => [generated(context, functionName, seriesName as string, stepSeconds as number, (t) => Math.sin(t) * (amplitude as number))],
  };
}

function randomWalkFunction(functionName: string): SeriesFunction {
  return {
    name: functionName,
    group: 'Special',
    description:
      'A random walk named `name` starting at 0: each point adds random() - 0.5 to the one before (short form: randomWalk). Like graphite-web it takes no seed, so every request draws a new walk.',
    params: [name, step],
    run: (context, [seriesName, stepSeconds]) => {
      let current = 0;
      return [
        generated(context, functionName, seriesName as string, stepSeconds as number, () => {
          const value = current;
          current += Math.random() - 0.5;
          return value;
        }),
      ];
    },
  };
}

export const GENERATOR_FUNCTIONS: SeriesFunction[] = [
  timeFunction('timeFunction'),
  timeFunction('time'),
  sinFunction('sinFunction'),
  sinFunction('sin'),
  randomWalkFunction('randomWalkFunction'),
  randomWalkFunction('randomWalk'),
  {
    name: 'identity',
    group: 'Calculate',
    description: 'A series named `name` whose value at each point is its timestamp, one point a minute (to compare with series whose values are timestamps).',
    params: [name],
    run: (context, [seriesName]) => [{ ...generated(context, 'identity', seriesName as string, 60, (t) => t), pathExpression: `identity("${seriesName as string}")` }],
  },
  {
    name: 'events',
    group: 'Special',
    description:
      'The number of events with the given tags at each second. Carbonado has no event store, so this is what graphite-web answers with none recorded: one series of nulls at a 1 s step.',
    params: [{ name: 'tags', type: 'string', required: true, multiple: true }],
    run: (context, [tags]) => {
      const seriesName = `events("${(tags as string[]).join('", "')}")`;
      const points = Math.max(0, context.until - context.from);
      checkPointsMade(context, points, 'events');
      const series = newSeries(seriesName, context.from, context.until, 1, new Float64Array(points).fill(NaN), context.xFilesFactor);
      return [{ ...series, consolidationFunc: 'sum' }];
    },
  },
];

const GENERATOR_PARAMS: ReadonlyMap<string, readonly ParamSpec[]> = new Map(GENERATOR_FUNCTIONS.map((fn) => [fn.name, fn.params]));

/**
 * About how many points the generator calls in `expressions` make over [from, until): work that no
 * fetch shows, so that a render making millions of them goes to the render pool like a big read
 * (off the event loop, and stopped at the time limit). A step written other than as a number of 1 or more counts as 1 s.
 */
export function generatedPoints(expressions: readonly Expression[], from: number, until: number): number {
  let points = 0;
  const pending = [...expressions];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.kind !== 'call') continue;
    pending.push(...node.args, ...node.kwargs.map((kwarg) => kwarg.value));
    const params = GENERATOR_PARAMS.get(node.name);
    if (params === undefined) continue;
    const index = params.findIndex((param) => param.name === 'step');
    const written = index < 0 ? undefined : (node.kwargs.find((kwarg) => kwarg.name === 'step')?.value ?? node.args[index]);
    const stepSeconds = index < 0 ? (node.name === 'events' ? 1 : 60) : written === undefined ? 60 : written.kind === 'number' && written.value >= 1 ? written.value : 1;
    points += (until - from) / stepSeconds;
  }
  return points;
}
