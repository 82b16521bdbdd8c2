import { expressionTag, tagsOfSeriesName, tagValueOf } from '../names/tag-expression.js';

/**
 * graphite-web's tag auto-completion over the series its expressions selected: the other tags
 * those series have (not the ones the expressions ask about), starting with prefix, sorted, at
 * most limit of them.
 */
export function completeTags(series: Iterable<string>, expressions: readonly string[], prefix: string, limit: number): string[] {
  const searched = new Set(expressions.map(expressionTag));
  const found = new Set<string>();
  for (const name of series) {
    for (const tag of tagsOfSeriesName(name).keys()) {
      if (!searched.has(tag) && tag.startsWith(prefix)) found.add(tag);
    }
  }
  return [...found].sort(compareStrings).slice(0, limit);
}

/** The values of one tag among the given series, starting with prefix, sorted, at most limit. */
export function completeValues(series: Iterable<string>, tag: string, prefix: string, limit: number): string[] {
  const found = new Set<string>();
  for (const name of series) {
    const value = tagValueOf(name, tag);
    if (value !== '' && value.startsWith(prefix)) found.add(value);
  }
  return [...found].sort(compareStrings).slice(0, limit);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
