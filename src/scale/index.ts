export {
  AGGREGATION_METHODS,
  type AggregationMethod,
  type AggregationRule,
  AggregationRulesError,
  matchRule,
  parseAggregationRule,
  parseAggregationRules,
} from './aggregation-rules.js';
export { backtest, MAX_BACKTEST_EVALUATIONS, type BacktestInput, type BacktestResult } from './backtest.js';
export {
  decide,
  redundancyOf,
  type Decision,
  type DecisionInput,
  type DecisionSample,
  type LineName,
  type ScaleAction,
  type WindowEvidence,
} from './decision.js';
export {
  type AggregateSink,
  IngestAggregator,
  type IngestAggregatorOptions,
  type IngestAggregatorStats,
} from './ingest-aggregator.js';
export {
  type PoolSeries,
  sampleRange,
  sampleSeries,
  sampleSeriesSet,
  sampleWindow,
  type SeriesValues,
  newestSampleStart,
  type AcrossSeries,
  type WithinInterval,
} from './sampler.js';
