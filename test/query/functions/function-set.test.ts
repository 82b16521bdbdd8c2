import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AGGREGATOR_NAMES, SERIES_FUNCTIONS } from '../../../src/query/functions/index.js';

/**
 * graphite-web's render functions: the keys of SeriesFunctions in webapp/graphite/render/functions.py
 * (graphite-project/graphite-web, 1.1 line, stored commit f1acda6), by each function's `group`.
 * Short forms share their function's group (sum, avg, pct, map, reduce, log, round, time, sin, randomWalk, xFilesFactor).
 * PieFunctions (pieAverage, pieMaximum, pieMinimum) are not render targets: they reduce a series to
 * one number for graphType=pie, which Carbonado does not draw.
 */
const GRAPHITE_WEB_FUNCTIONS: Record<string, readonly string[]> = {
  Combine: [
    'aggregate', 'aggregateSeriesLists', 'aggregateWithWildcards', 'applyByNode', 'asPercent', 'averageSeries',
    'averageSeriesWithWildcards', 'avg', 'countSeries', 'diffSeries', 'diffSeriesLists', 'divideSeries',
    'divideSeriesLists', 'group', 'groupByNode', 'groupByNodes', 'groupByTags', 'map', 'mapSeries', 'maxSeries',
    'minSeries', 'multiplySeries', 'multiplySeriesLists', 'multiplySeriesWithWildcards', 'pct', 'percentileOfSeries',
    'powSeries', 'rangeOfSeries', 'reduce', 'reduceSeries', 'stddevSeries', 'sum', 'sumSeries', 'sumSeriesLists',
    'sumSeriesWithWildcards', 'weightedAverage',
  ],
  Transform: [
    'absolute', 'add', 'delay', 'derivative', 'exp', 'hitcount', 'integral', 'integralByInterval', 'interpolate',
    'invert', 'isNonNull', 'keepLastValue', 'log', 'logit', 'minMax', 'nonNegativeDerivative', 'offset', 'offsetToZero',
    'perSecond', 'pow', 'round', 'scale', 'scaleToSeconds', 'sigmoid', 'sin', 'sinFunction', 'smartSummarize',
    'squareRoot', 'summarize', 'time', 'timeFunction', 'timeShift', 'timeSlice', 'timeStack', 'transformNull',
  ],
  Calculate: [
    'aggregateLine', 'exponentialMovingAverage', 'holtWintersAberration', 'holtWintersConfidenceArea',
    'holtWintersConfidenceBands', 'holtWintersForecast', 'identity', 'linearRegression', 'movingAverage', 'movingMax',
    'movingMedian', 'movingMin', 'movingSum', 'movingWindow', 'nPercentile', 'stdev',
  ],
  'Filter Series': [
    'averageAbove', 'averageBelow', 'averageOutsidePercentile', 'currentAbove', 'currentBelow', 'exclude', 'filterSeries',
    'grep', 'highest', 'highestAverage', 'highestCurrent', 'highestMax', 'limit', 'lowest', 'lowestAverage',
    'lowestCurrent', 'maximumAbove', 'maximumBelow', 'minimumAbove', 'minimumBelow', 'mostDeviant',
    'removeBetweenPercentile', 'removeEmptySeries', 'unique', 'useSeriesAbove',
  ],
  'Filter Data': ['removeAbovePercentile', 'removeAboveValue', 'removeBelowPercentile', 'removeBelowValue'],
  Sorting: ['sortBy', 'sortByMaxima', 'sortByMinima', 'sortByName', 'sortByTotal'],
  Alias: ['alias', 'aliasByMetric', 'aliasByNode', 'aliasByTags', 'aliasQuery', 'aliasSub', 'legendValue'],
  Graph: ['alpha', 'areaBetween', 'color', 'dashed', 'drawAsInfinite', 'lineWidth', 'secondYAxis', 'stacked', 'threshold', 'verticalLine'],
  Special: [
    'cactiStyle', 'changed', 'consolidateBy', 'constantLine', 'cumulative', 'events', 'fallbackSeries', 'randomWalk',
    'randomWalkFunction', 'seriesByTag', 'setXFilesFactor', 'substr', 'xFilesFactor',
  ],
};

/** graphite-web functions Carbonado deliberately does not register, each with the reason. None today. */
const LEFT_OUT: Readonly<Record<string, string>> = {};

/** Functions graphite-web flags `aggregator = True` (usable as groupByNode/groupByTags callbacks), with their short forms. */
const GRAPHITE_WEB_AGGREGATORS = [
  'asPercent', 'averageSeries', 'averageSeriesWithWildcards', 'avg', 'countSeries', 'diffSeries', 'diffSeriesLists',
  'maxSeries', 'minSeries', 'multiplySeries', 'multiplySeriesLists', 'multiplySeriesWithWildcards', 'pct', 'powSeries',
  'rangeOfSeries', 'stddevSeries', 'sum', 'sumSeries', 'sumSeriesLists', 'sumSeriesWithWildcards',
];

const sorted = (names: Iterable<string>): string[] => [...names].sort();

describe("the registered function set is graphite-web's", () => {
  const expected = Object.values(GRAPHITE_WEB_FUNCTIONS)
    .flat()
    .filter((name) => !(name in LEFT_OUT));

  it('registers exactly graphite-web 1.1 functions, minus the ones deliberately left out', () => {
    assert.equal(expected.length + Object.keys(LEFT_OUT).length, 151);
    assert.deepEqual(sorted(SERIES_FUNCTIONS.keys()), sorted(expected));
  });

  it("files each function under graphite-web's group", () => {
    const misfiled: string[] = [];
    for (const [group, names] of Object.entries(GRAPHITE_WEB_FUNCTIONS)) {
      for (const name of names) {
        const fn = SERIES_FUNCTIONS.get(name);
        if (fn && fn.group !== group) misfiled.push(`${name}: ${fn.group}, graphite-web says ${group}`);
      }
    }
    assert.deepEqual(misfiled, []);
  });

  it('flags the same aggregators as graphite-web', () => {
    assert.deepEqual(sorted(AGGREGATOR_NAMES), sorted(GRAPHITE_WEB_AGGREGATORS.filter((name) => !(name in LEFT_OUT))));
  });
});
