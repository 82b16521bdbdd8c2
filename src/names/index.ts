export { compileGlob, hasGlob, pathPart, type NameMatcher } from './glob.js';
export { NamePatternError } from './name-pattern-error.js';
export {
  compileTagRegex,
  expressionTag,
  parseSeriesByTag,
  parseTagExpression,
  TAG_OPERATORS,
  tagsOfSeriesName,
  tagValueOf,
  type TagExpression,
  type TagOperator,
} from './tag-expression.js';
