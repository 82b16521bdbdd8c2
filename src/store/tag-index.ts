/**
 * The inverted index of tagged series (`name;tag=value;...`): tag -> value -> series ids, kept up
 * to date as series are created and deleted. A seriesByTag query starts from the series of its most
 * selective expression and filters only those, so it costs what it selects, not the series count.
 * Untagged series are not in it: as in Graphite, the tag database holds only tagged series.
 */
import { tagsOfSeriesName, tagValueOf, type TagExpression } from '../names/tag-expression.js';
import type { TagValueCount } from './series-store.js';

export class TagIndex {
  /** tag -> value -> ids of the series with that tag value. */
  private readonly tags = new Map<string, Map<string, Set<number>>>();
  /** tag -> how many series have it (any value). */
  private readonly tagSeries = new Map<string, number>();
  private readonly names = new Map<number, string>();

  /** Tagged series in the index. */
  get size(): number {
    return this.names.size;
  }

  add(id: number, name: string): void {
    if (this.names.has(id)) return;
    this.names.set(id, name);
    for (const [tag, value] of tagsOfSeriesName(name)) {
      let values = this.tags.get(tag);
      if (!values) this.tags.set(tag, (values = new Map()));
      let ids = values.get(value);
      if (!ids) values.set(value, (ids = new Set()));
      ids.add(id);
      this.tagSeries.set(tag, (this.tagSeries.get(tag) ?? 0) + 1);
    }
  }

  remove(id: number): void {
    const name = this.names.get(id);
    if (name === undefined) return;
    this.names.delete(id);
    for (const [tag, value] of tagsOfSeriesName(name)) {
      const values = this.tags.get(tag);
      const ids = values?.get(value);
      if (!values || !ids?.delete(id)) continue;
      if (ids.size === 0) values.delete(value);
      const left = (this.tagSeries.get(tag) ?? 1) - 1;
      if (left === 0) {
        this.tags.delete(tag);
        this.tagSeries.delete(tag);
      } else {
        this.tagSeries.set(tag, left);
      }
    }
  }

  /**
   * Names of the series every expression accepts, sorted. The caller has checked that at least
   * one expression rejects the empty value (parseSeriesByTag); that one picks the candidates.
   */
  select(expressions: readonly TagExpression[]): string[] {
    const selector = this.mostSelective(expressions);
    if (selector === undefined) return [];
    const filters = expressions.filter((e) => e !== selector);
    const out: string[] = [];
    for (const id of this.candidates(selector)) {
      const name = this.names.get(id)!;
      let accepted = true;
      for (const filter of filters) {
        if (!filter.test(tagValueOf(name, filter.tag))) {
          accepted = false;
          break;
        }
      }
      if (accepted) out.push(name);
    }
    return out.sort(compareStrings);
  }

  /** Tag names, sorted; only those starting with prefix; at most limit of them. */
  tagNames(prefix = '', limit = Infinity): string[] {
    const out: string[] = [];
    for (const tag of this.tags.keys()) if (tag.startsWith(prefix)) out.push(tag);
    return out.sort(compareStrings).slice(0, limit);
  }

  /** A tag's values with their series counts, sorted by value; [] for an unknown tag. */
  tagValues(tag: string, prefix = '', limit = Infinity): TagValueCount[] {
    const values = this.tags.get(tag);
    if (!values) return [];
    const out: string[] = [];
    for (const value of values.keys()) if (value.startsWith(prefix)) out.push(value);
    return out
      .sort(compareStrings)
      .slice(0, limit)
      .map((value) => ({ value, count: values.get(value)!.size }));
  }

  hasTag(tag: string): boolean {
    return this.tags.has(tag);
  }

  /**
   * The positive expression with the fewest candidate series: an exact value's own series, else
   * every series having the tag (a regex or `!=` has to look at each value of it).
   */
  private mostSelective(expressions: readonly TagExpression[]): TagExpression | undefined {
    let best: TagExpression | undefined;
    let bestCount = Infinity;
    for (const e of expressions) {
      if (e.matchesEmpty) continue;
      const count = e.operator === '=' ? (this.tags.get(e.tag)?.get(e.spec)?.size ?? 0) : (this.tagSeries.get(e.tag) ?? 0);
      if (count < bestCount) {
        best = e;
        bestCount = count;
      }
    }
    return best;
  }

  private *candidates(selector: TagExpression): Iterable<number> {
    const values = this.tags.get(selector.tag);
    if (!values) return;
    if (selector.operator === '=') {
      yield* values.get(selector.spec) ?? [];
      return;
    }
    for (const [value, ids] of values) if (selector.test(value)) yield* ids;
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
