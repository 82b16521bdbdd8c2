import type { SeriesStore } from '../store/series-store.js';
import { compileGlob, hasGlob, pathPart, type NameMatcher } from './glob.js';
import { QueryError } from './query-error.js';

/** One rendered series, as graphite-web's TimeSeries: named, tagged, fixed step, NaN = null. */
export interface RenderedSeries {
  /** The series name (for plain paths and globs, the full series name). */
  target: string;
  /** Graphite's tags: the series' own tags plus `name` (the path). */
  tags: Record<string, string>;
  start: number;
  end: number;
  step: number;
  values: Float64Array;
}

/**
 * Renders plain paths and globs (the function language comes later) for [from, until]. Globs are
 * resolved against the store's names in one pass and every matched series is read in one call;
 * results follow the targets' order, each glob's expansion sorted by name as graphite-web does.
 */
export async function renderTargets(
  store: SeriesStore,
  targets: readonly string[],
  from: number,
  until: number,
): Promise<RenderedSeries[]> {
  const expressions = targets.map((target) => target.trim()).filter((target) => target !== '');
  const expansions = expandTargets(store, expressions);
  const wanted = new Set<string>();
  for (const names of expansions) for (const name of names) wanted.add(name);
  const ranges = new Map((await store.read([...wanted], from, until)).map((range) => [range.name, range]));

  const rendered: RenderedSeries[] = [];
  for (const names of expansions) {
    for (const name of names) {
      const range = ranges.get(name);
      if (!range) continue;
      rendered.push({
        target: name,
        tags: seriesTags(name),
        start: range.start,
        end: range.end,
        step: range.step,
        values: range.values,
      });
    }
  }
  return rendered;
}

/** Graphite's tags of a normalised series name: `a.b;k=v` -> `{k: 'v', name: 'a.b'}`, `a.b` -> `{name: 'a.b'}`. */
export function seriesTags(name: string): Record<string, string> {
  const tags: Record<string, string> = {};
  const segments = name.split(';');
  for (let i = 1; i < segments.length; i++) {
    const eq = segments[i].indexOf('=');
    if (eq > 0) tags[segments[i].slice(0, eq)] = segments[i].slice(eq + 1);
  }
  // graphite-web strips leading `~` from the name tag (its sanitize_name_as_tag_value).
  const path = pathPart(name);
  tags.name = path.replace(/^~+/, '') || path;
  return tags;
}

/** The sorted series names each target stands for; one scan of the names serves every glob. */
function expandTargets(store: SeriesStore, targets: readonly string[]): string[][] {
  const expansions: string[][] = targets.map(() => []);
  const globs: Array<{ index: number; matches: NameMatcher }> = [];
  targets.forEach((target, index) => {
    if (target.includes('(')) throw new QueryError(`functions are not supported yet: ${target}`);
    if (hasGlob(target)) globs.push({ index, matches: compileGlob(target) });
    else expansions[index].push(target);
  });
  if (globs.length > 0) {
    for (const name of store.names()) {
      for (const glob of globs) if (glob.matches(name)) expansions[glob.index].push(name);
    }
    for (const glob of globs) expansions[glob.index].sort(compareNames);
  }
  return expansions;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
