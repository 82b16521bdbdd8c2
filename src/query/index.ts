export { findNodes, type FoundNode } from './find.js';
export { compileGlob, hasGlob, pathPart, type NameMatcher } from './glob.js';
export { formatGraphiteDateTime, isKnownTimeZone, parseGraphiteTime, type GraphiteTimeOptions } from './graphite-time.js';
export { QueryError } from './query-error.js';
export { renderTargets, seriesTags, type RenderedSeries } from './render.js';
