import type { Expression } from '../expression/ast.js';
import { QueryError } from '../query-error.js';
import { newSeries, type Series } from '../series.js';
import { dateSeconds, intervalSeconds, parseInterval } from './interval.js';
import type { FunctionContext, ParamSpec, SeriesFunction } from './registry.js';

/** Forecasts from a series' own history: Holt-Winters (with its bootstrap week) and least squares. */

const seriesList: ParamSpec = { name: 'seriesList', type: 'seriesList', required: true };
const delta: ParamSpec = { name: 'delta', type: 'integer', default: 3 };
const bootstrapInterval: ParamSpec = { name: 'bootstrapInterval', type: 'interval', default: '7d', suggestions: ['7d', '30d'] };
const seasonality: ParamSpec = { name: 'seasonality', type: 'interval', default: '1d', suggestions: ['1d', '7d'] };

/** graphite-web's holtWintersAnalysis(): the prediction and deviation at every point (NaN is None). */
function holtWintersAnalysis(values: Float64Array, step: number, seasonalitySeconds: number): { predictions: Float64Array; deviations: Float64Array } {
  const alpha = 0.1;
  const gamma = 0.1;
  const beta = 0.0035;
  const seasonLength = Math.floor(seasonalitySeconds / step);
  const n = values.length;
  const intercepts = new Float64Array(n);
  const slopes = new Float64Array(n);
  const seasonals = new Float64Array(n);
  const predictions = new Float64Array(n);
  const deviations = new Float64Array(n);
  const lastSeasonal = (i: number): number => (i - seasonLength >= 0 ? seasonals[i - seasonLength] : 0);
  const lastDeviation = (i: number): number => (i - seasonLength >= 0 ? deviations[i - seasonLength] : 0);
  let nextPrediction = NaN;
  for (let i = 0; i < n; i++) {
    const actual = values[i];
    if (actual !== actual) {
      // A missing input breaks the recurrences: carry on from the next known point.
      intercepts[i] = NaN;
      slopes[i] = 0;
      seasonals[i] = 0;
      predictions[i] = nextPrediction;
      deviations[i] = 0;
      nextPrediction = NaN;
      continue;
    }
    let lastIntercept: number;
    let lastSlope: number;
    let prediction: number;
    if (i === 0) {
      lastIntercept = actual;
      lastSlope = 0;
      prediction = actual;
    } else {
      lastIntercept = intercepts[i - 1];
      lastSlope = slopes[i - 1];
      if (lastIntercept !== lastIntercept) lastIntercept = actual;
      prediction = nextPrediction;
    }
    const season = lastSeasonal(i);
    const intercept = alpha * (actual - season) + (1 - alpha) * (lastIntercept + lastSlope);
    const slope = beta * (intercept - lastIntercept) + (1 - beta) * lastSlope;
    seasonals[i] = gamma * (actual - intercept) + (1 - gamma) * season;
    nextPrediction = intercept + slope + lastSeasonal(i + 1);
    deviations[i] = gamma * Math.abs(actual - (prediction === prediction ? prediction : 0)) + (1 - gamma) * lastDeviation(i);
    intercepts[i] = intercept;
    slopes[i] = slope;
    predictions[i] = prediction;
  }
  return { predictions, deviations };
}

/** The bootstrap window read before the request: the `bootstrapInterval` argument at `index`, or 7 days. */
function bootstrapRange(index: number): SeriesFunction['prefetchRanges'] {
  return (args: readonly Expression[], from: number, until: number) => {
    const node = args[index];
    const seconds = node === undefined ? 7 * 86_400 : node.kind === 'string' ? parseInterval(node.value) : undefined;
    return seconds === undefined ? [] : [[from - seconds, until]];
  };
}

interface Forecast {
  /** The re-read series, bootstrap included. */
  series: Series;
  /** Forecast and deviation from the request's start on. */
  predictions: Float64Array;
  deviations: Float64Array;
  start: number;
}

/** Reads the first argument again from bootstrapInterval earlier and runs the analysis on it. */
async function forecasts(context: FunctionContext, bootstrap: string, season: string): Promise<Forecast[]> {
  const previewSeconds = intervalSeconds(bootstrap);
  const seasonSeconds = intervalSeconds(season);
  const previews = await context.evaluate(context.args[0], context.from - previewSeconds, context.until);
  return previews.map((series) => {
    const { predictions, deviations } = holtWintersAnalysis(series.values, series.step, seasonSeconds);
    const skip = Math.max(0, Math.floor(previewSeconds / series.step));
    return { series, predictions: predictions.subarray(skip), deviations: deviations.subarray(skip), start: series.start + previewSeconds };
  });
}

/** graphite-web's holtWintersConfidenceBands(): lower then upper band per series, delta deviations from the forecast. */
async function confidenceBands(context: FunctionContext, deltaValue: number, bootstrap: string, season: string): Promise<Series[]> {
  const results: Series[] = [];
  for (const { series, predictions, deviations, start } of await forecasts(context, bootstrap, season)) {
    const upper = new Float64Array(predictions.length);
    const lower = new Float64Array(predictions.length);
    for (let i = 0; i < predictions.length; i++) {
      const scaled = deltaValue * deviations[i];
      upper[i] = predictions[i] + scaled;
      lower[i] = predictions[i] - scaled;
    }
    // graphite-web gives both bands (and the forecast) one shared tag dict.
    const tags = { ...series.tags, holtWintersForecast: '1', holtWintersDeviation: '1', holtWintersConfidenceUpper: '1', holtWintersConfidenceLower: '1' };
    const band = (name: string, values: Float64Array): Series => ({
      ...newSeries(name, start, series.end, series.step, values, series.xFilesFactor, { ...tags }),
      pathExpression: series.pathExpression,
    });
    results.push(band(`holtWintersConfidenceLower(${series.name})`, lower), band(`holtWintersConfidenceUpper(${series.name})`, upper));
  }
  return results;
}

/** graphite-web's _linearRegressionAnalysis(): [factor, offset] of value = offset + factor * time, or undefined. */
function linearRegressionAnalysis(s: Series): [number, number] | undefined {
  let n = 0;
  let sumI = 0;
  let sumV = 0;
  let sumII = 0;
  let sumIV = 0;
  s.values.forEach((v, i) => {
    if (v !== v) return;
    n++;
    sumI += i;
    sumV += v;
    sumII += i * i;
    sumIV += i * v;
  });
  const denominator = n * sumII - sumI * sumI;
  if (denominator === 0) return undefined;
  const factor = (n * sumIV - sumI * sumV) / denominator / s.step;
  const offset = (sumII * sumV - sumIV * sumI) / denominator - factor * s.start;
  return [factor, offset];
}

export const FORECAST_FUNCTIONS: SeriesFunction[] = [
  {
    name: 'holtWintersForecast',
    group: 'Calculate',
    description: 'A Holt-Winters forecast of each series, bootstrapped from bootstrapInterval (a week by default) of earlier data, with the given seasonality.',
    params: [seriesList, bootstrapInterval, seasonality],
    prefetchRanges: bootstrapRange(1),
    run: async (context, [, bootstrap, season]) =>
      (await forecasts(context, bootstrap as string, season as string)).map(({ series, predictions, start }) =>
        newSeries(`holtWintersForecast(${series.name})`, start, series.end, series.step, predictions.slice(), series.xFilesFactor, {
          ...series.tags,
          holtWintersForecast: '1',
          holtWintersDeviation: '1',
        }),
      ),
  },
  {
    name: 'holtWintersConfidenceBands',
    group: 'Calculate',
    description: 'Upper and lower bands delta predicted deviations around the Holt-Winters forecast of each series.',
    params: [seriesList, delta, bootstrapInterval, seasonality],
    prefetchRanges: bootstrapRange(2),
    run: (context, [, deltaValue, bootstrap, season]) => confidenceBands(context, deltaValue as number, bootstrap as string, season as string),
  },
  {
    name: 'holtWintersConfidenceArea',
    group: 'Calculate',
    description: 'The area between the Holt-Winters confidence bands of a single series (both bands, named holtWintersConfidenceArea(...)).',
    params: [seriesList, delta, bootstrapInterval, seasonality],
    prefetchRanges: bootstrapRange(2),
    run: async (context, [, deltaValue, bootstrap, season]) => {
      const bands = await confidenceBands(context, deltaValue as number, bootstrap as string, season as string);
      if (bands.length !== 2) throw new QueryError(`areaBetween series argument must reference exactly 2 series (got ${bands.length})`);
      const name = `holtWintersConfidenceArea(${bands[1].pathExpression})`;
      const tags = { ...bands[1].tags, holtWintersConfidenceArea: '1' };
      return bands.map((s) => ({ ...s, name, pathExpression: name, tags: { ...tags } }));
    },
  },
  {
    name: 'holtWintersAberration',
    group: 'Calculate',
    description: 'How far each point lies outside the Holt-Winters confidence bands (positive above, negative below, 0 inside).',
    params: [seriesList, delta, bootstrapInterval, seasonality],
    prefetchRanges: bootstrapRange(2),
    run: async (context, [list, deltaValue, bootstrap, season]) => {
      const bands = new Map((await confidenceBands(context, deltaValue as number, bootstrap as string, season as string)).map((s) => [s.name, s]));
      return (list as Series[]).map((s) => {
        const lower = bands.get(`holtWintersConfidenceLower(${s.name})`);
        const upper = bands.get(`holtWintersConfidenceUpper(${s.name})`);
        if (!lower || !upper) throw new QueryError(`holtWintersAberration: no confidence bands for ${s.name}`);
        const values = new Float64Array(s.values.length);
        for (let i = 0; i < values.length; i++) {
          const v = s.values[i];
          const high = i < upper.values.length ? upper.values[i] : NaN;
          const low = i < lower.values.length ? lower.values[i] : NaN;
          values[i] = v !== v ? 0 : v > high ? v - high : v < low ? v - low : 0;
        }
        return newSeries(`holtWintersAberration(${s.name})`, s.start, s.end, s.step, values, s.xFilesFactor, { ...s.tags, holtWintersAberration: '1' });
      });
    },
  },
  {
    name: 'linearRegression',
    group: 'Calculate',
    description: 'The least-squares line through each series, fitted on the points from startSourceAt to endSourceAt (the request range by default).',
    params: [seriesList, { name: 'startSourceAt', type: 'date' }, { name: 'endSourceAt', type: 'date' }],
    run: async (context, [list, startSourceAt, endSourceAt]) => {
      const from = startSourceAt === null ? context.from : dateSeconds(startSourceAt as string | number, context.now);
      const until = endSourceAt === null ? context.until : dateSeconds(endSourceAt as string | number, context.now);
      const sources = await context.evaluate(context.args[0], from, until);
      const inputs = list as Series[];
      const results: Series[] = [];
      for (let k = 0; k < Math.min(sources.length, inputs.length); k++) {
        const s = inputs[k];
        const fit = linearRegressionAnalysis(sources[k]);
        if (!fit) continue;
        const [factor, offset] = fit;
        const values = new Float64Array(s.values.length);
        for (let i = 0; i < values.length; i++) values[i] = offset + (s.start + i * s.step) * factor;
        const name = `linearRegression(${s.name}, ${from}, ${until})`;
        results.push(newSeries(name, s.start, s.end, s.step, values, s.xFilesFactor, { ...s.tags, linearRegressions: `${from}, ${until}` }));
      }
      return results;
    },
  },
];
