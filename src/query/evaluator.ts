import type { SeriesRange, SeriesStore } from '../store/series-store.js';
import type { CallNode, Expression } from './expression/ast.js';
import { parseTarget } from './expression/parser.js';
import { SERIES_FUNCTIONS, AGGREGATOR_NAMES } from './functions/index.js';
import { bindArguments, type ArgValue, type FunctionContext, type PlacedArg } from './functions/registry.js';
import { compileGlob, hasGlob } from '../names/glob.js';
import { QueryError, queryErrorFrom } from './query-error.js';
import { readReduced, reductionOf } from './reducing-read.js';
import { seriesFromRange, type Series } from './series.js';

export interface EvaluateOptions {
  /** Unix seconds, from < until. */
  from: number;
  until: number;
  /** The request's reference time (defaults to until). */
  now?: number;
  /** The `xFilesFactor` render parameter; graphite-web's default is 0. */
  xFilesFactor?: number;
  /** `template[name]=value` request parameters; they override template() defaults. */
  templateParams?: Readonly<Record<string, string>>;
}

/**
 * Evaluates Graphite targets as graphite-web's evaluator does, with the data for every path of
 * every target read up front: paths are grouped by the time range they are needed for (the request's
 * own, plus any timeShift/movingAverage ranges known before reading), and each range is one store
 * read. Only a range that depends on the data itself (a moving window given in points) costs a
 * later read. Results follow the targets' order.
 */
export async function evaluateTargets(store: SeriesStore, targets: readonly string[], options: EvaluateOptions): Promise<Series[]> {
  const expressions = targets
    .filter((target) => target.trim() !== '')
    .map((target) => expandTemplates(parseTarget(target), options.templateParams ?? {}));
  const evaluator = new Evaluator(store, options);
  const wanted = new FetchPlan();
  const reducing = store.readEach !== undefined;
  for (const expression of expressions) planFetches(expression, options.from, options.until, wanted, reducing);
  await evaluator.fetch(wanted);
  const results: Series[] = [];
  for (const expression of expressions) {
    const value = await evaluator.evaluate(expression, options.from, options.until);
    if (Array.isArray(value)) results.push(...(value as Series[]));
  }
  return results;
}

/** Path expressions (or seriesByTag calls) to read, per time range. */
class FetchPlan {
  readonly ranges = new Map<string, { from: number; until: number; queries: Map<string, FetchQuery> }>();

  add(from: number, until: number, query: FetchQuery): void {
    const key = `${from}:${until}`;
    let range = this.ranges.get(key);
    if (!range) this.ranges.set(key, (range = { from, until, queries: new Map() }));
    range.queries.set(query.key, query);
  }
}

/** A path expression, or a seriesByTag call (keyed by its text, as graphite-web keys prefetches). */
interface FetchQuery {
  key: string;
  tagExpressions?: string[];
}

/** `reducing`: the store reads for reductions (sumSeries of a glob), whose paths are left out here. */
function planFetches(node: Expression, from: number, until: number, plan: FetchPlan, reducing: boolean): void {
  if (node.kind === 'path') {
    plan.add(from, until, { key: node.path });
    return;
  }
  if (node.kind !== 'call') return;
  if (reducing && reductionOf(node)) return;
  if (node.name === 'seriesByTag') {
    const expressions = tagExpressionsOf(node);
    if (expressions) plan.add(from, until, { key: node.raw, tagExpressions: expressions });
    return;
  }
  for (const arg of node.args) planFetches(arg, from, until, plan, reducing);
  for (const kwarg of node.kwargs) planFetches(kwarg.value, from, until, plan, reducing);
  const fn = SERIES_FUNCTIONS.get(node.name);
  if (fn?.prefetchRanges && node.args.length > 0) {
    for (const [f, u] of fn.prefetchRanges(node.args, from, until)) planFetches(node.args[0], f, u, plan, reducing);
  }
}

function tagExpressionsOf(call: CallNode): string[] | undefined {
  if (call.kwargs.length > 0 || call.args.length === 0) return undefined;
  const expressions: string[] = [];
  for (const arg of call.args) {
    if (arg.kind !== 'string') return undefined;
    expressions.push(arg.value);
  }
  return expressions;
}

class Evaluator {
  /** Fetched ranges per `from:until` then query key, sorted by name. */
  private readonly fetched = new Map<string, SeriesRange[]>();
  private readonly now: number;
  private readonly xFilesFactor: number;

  constructor(
    private readonly store: SeriesStore,
    private readonly options: EvaluateOptions,
  ) {
    this.now = options.now ?? options.until;
    this.xFilesFactor = options.xFilesFactor ?? 0;
  }

  /** One store read per time range for everything the plan holds. */
  async fetch(plan: FetchPlan): Promise<void> {
    for (const { from, until, queries } of plan.ranges.values()) {
      const namesByQuery = new Map<string, string[]>();
      const wanted = new Set<string>();
      for (const query of queries.values()) {
        if (this.fetched.has(fetchKey(from, until, query.key))) continue;
        const names = this.resolve(query);
        namesByQuery.set(query.key, names);
        for (const name of names) wanted.add(name);
      }
      if (namesByQuery.size === 0) continue;
      const ranges = wanted.size === 0 ? [] : await this.store.read([...wanted], from, until);
      const byName = new Map(ranges.map((range) => [range.name, range]));
      for (const [key, names] of namesByQuery) {
        const found: SeriesRange[] = [];
        for (const name of names) {
          const range = byName.get(name);
          if (range) found.push(range);
        }
        this.fetched.set(fetchKey(from, until, key), found);
      }
    }
  }

  /** The sorted series names a path expression or seriesByTag call stands for; a bad pattern is a QueryError. */
  private resolve(query: FetchQuery): string[] {
    try {
      if (query.tagExpressions) {
        if (!this.store.seriesByTag) throw new QueryError('seriesByTag() is not available: this store has no tag index');
        return [...this.store.seriesByTag(query.tagExpressions)].sort(compareNames);
      }
      const pattern = query.key;
      if (!hasGlob(pattern)) return [pattern];
      const matches = compileGlob(pattern); // rejects a bad pattern before the store sees it
      if (this.store.match && !pattern.includes(';')) return this.store.match(pattern);
      const names: string[] = [];
      for (const name of this.store.names()) if (matches(name)) names.push(name);
      return names.sort(compareNames);
    } catch (error) {
      throw queryErrorFrom(error);
    }
  }

  private async seriesFor(query: FetchQuery, from: number, until: number): Promise<Series[]> {
    const key = fetchKey(from, until, query.key);
    if (!this.fetched.has(key)) {
      const plan = new FetchPlan();
      plan.add(from, until, query);
      await this.fetch(plan);
    }
    return this.fetched.get(key)!.map((range) => seriesFromRange(range, query.key, this.xFilesFactor));
  }

  async evaluate(node: Expression, from: number, until: number): Promise<ArgValue> {
    switch (node.kind) {
      case 'path':
        return this.seriesFor({ key: node.path }, from, until);
      case 'string':
      case 'number':
      case 'boolean':
        return node.value;
      case 'none':
        return null;
      case 'call':
        return this.evaluateCall(node, from, until);
    }
  }

  private async evaluateCall(call: CallNode, from: number, until: number): Promise<Series[]> {
    if (call.name === 'seriesByTag') {
      const expressions = tagExpressionsOf(call);
      if (!expressions) throw new QueryError(`seriesByTag() takes tag expressions as strings (column ${call.position + 1})`);
      return this.seriesFor({ key: call.raw, tagExpressions: expressions }, from, until);
    }
    if (call.name === 'template') {
      throw new QueryError(`invalid template() syntax: only string and number arguments are allowed (column ${call.position + 1})`);
    }
    const reduced = await this.reduce(call, from, until);
    if (reduced) return reduced;
    const fn = SERIES_FUNCTIONS.get(call.name);
    if (!fn) throw new QueryError(`unknown function ${call.name}() (column ${call.position + 1})`);
    const positional: PlacedArg[] = [];
    for (const arg of call.args) positional.push({ value: await this.evaluate(arg, from, until), position: arg.position });
    const keyword = new Map<string, PlacedArg>();
    for (const kwarg of call.kwargs) keyword.set(kwarg.name, { value: await this.evaluate(kwarg.value, from, until), position: kwarg.position });
    const args = bindArguments(fn, positional, keyword, call.position, AGGREGATOR_NAMES);
    return fn.run(this.context(call, from, until), args);
  }

  /**
   * An aggregator of paths computed by a reducing read; undefined when the call is not one, its
   * series were fetched anyway (another target wants them), or they are not on one time grid.
   */
  private async reduce(call: CallNode, from: number, until: number): Promise<Series[] | undefined> {
    const { readEach } = this.store;
    const reduction = readEach ? reductionOf(call) : undefined;
    if (!readEach || !reduction || reduction.paths.every((path) => this.fetched.has(fetchKey(from, until, path)))) return undefined;
    const names: string[] = [];
    const pathExpressions: string[] = [];
    for (const path of reduction.paths) {
      for (const name of this.resolve({ key: path })) {
        names.push(name);
        pathExpressions.push(path);
      }
    }
    return readReduced(readEach.bind(this.store), reduction, names, pathExpressions, from, until, this.xFilesFactor);
  }

  private context(call: CallNode, from: number, until: number): FunctionContext {
    return {
      from,
      until,
      now: this.now,
      xFilesFactor: this.xFilesFactor,
      args: call.args,
      evaluate: async (expression, f, u) => {
        const value = await this.evaluate(expression, f, u);
        return Array.isArray(value) ? (value as Series[]) : [];
      },
      call: async (name, args) => {
        const fn = SERIES_FUNCTIONS.get(name);
        if (!fn) throw new QueryError(`unknown function ${name}()`);
        const placed = args.map((value) => ({ value, position: call.position }));
        return fn.run(this.context(call, from, until), bindArguments(fn, placed, new Map(), call.position, AGGREGATOR_NAMES));
      },
    };
  }
}

function fetchKey(from: number, until: number, key: string): string {
  return `${from}:${until}:${key}`;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * graphite-web's template(): `template(a.$x.b, x="web")` evaluates its first argument with `$x`
 * replaced in paths; positional values are `$1`, `$2`...; `template[x]=` request parameters override.
 * A path that is exactly `$name` becomes the value itself (a number when it looks like one).
 */
export function expandTemplates(node: Expression, params: Readonly<Record<string, string>>, replacements?: Map<string, string | number>): Expression {
  if (node.kind === 'path') {
    if (!replacements) return node;
    let path = node.path;
    for (const [name, value] of replacements) {
      if (path === `$${name}`) {
        if (typeof value === 'number') return { kind: 'number', value, integer: Number.isInteger(value), position: node.position };
        if (/^-?[\d.]+$/.test(value) && Number.isFinite(Number(value))) {
          return { kind: 'number', value: Number(value), integer: false, position: node.position };
        }
        return { kind: 'string', value, position: node.position };
      }
      path = path.replaceAll(`$${name}`, String(value));
    }
    return { ...node, path };
  }
  if (node.kind !== 'call') return node;
  if (node.name === 'template' && node.args.length > 0) {
    const values = new Map<string, string | number>();
    for (const kwarg of node.kwargs) values.set(kwarg.name, templateValue(kwarg.value));
    node.args.slice(1).forEach((arg, i) => values.set(String(i + 1), templateValue(arg)));
    for (const [name, value] of Object.entries(params)) values.set(name, value);
    return expandTemplates(node.args[0], params, values);
  }
  return {
    ...node,
    args: node.args.map((arg) => expandTemplates(arg, params, replacements)),
    kwargs: node.kwargs.map((kwarg) => ({ ...kwarg, value: expandTemplates(kwarg.value, params, replacements) })),
  };
}

function templateValue(node: Expression): string | number {
  if (node.kind === 'string') return node.value;
  if (node.kind === 'number') return node.value;
  throw new QueryError(`invalid template() syntax: only string and number arguments are allowed (column ${node.position + 1})`);
}
