export { findNodes, type FoundNode } from './find.js';
export { formatGraphiteDateTime, isKnownTimeZone, parseGraphiteTime, type GraphiteTimeOptions } from './graphite-time.js';
export { QueryError } from './query-error.js';
export { renderTargets, seriesTags, type RenderedSeries, type RenderOptions } from './render.js';
export { evaluateFetched, evaluateTargets, fetchTargets, StoreSource, type EvaluateOptions, type FetchedTargets, type SeriesSource } from './evaluator.js';
export { parseTarget } from './expression/parser.js';
export type { Expression } from './expression/ast.js';
export { describeFunction, describeFunctions, SERIES_FUNCTIONS } from './functions/index.js';
export type { Series, ConsolidationFunc } from './series.js';
