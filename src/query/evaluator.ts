import type { SeriesRange, SeriesStore } from '../store/series-store.js';
import type { CallNode, Expression } from './expression/ast.js';
import { parseTarget } from './expression/parser.js';
import { SERIES_FUNCTIONS, AGGREGATOR_NAMES } from './functions/index.js';
import { bindArguments, type ArgValue, type FunctionContext, type PlacedArg } from './functions/registry.js';
import { compileGlob, hasGlob } from '../names/glob.js';
import { QueryError, queryErrorFrom } from './query-error.js';
import { readReduced, reductionOf, type Reduction } from './reducing-read.js';
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
  /** Most points a function may make for one series from the time range alone (render.maxPoints); none: no bound. */
  maxPoints?: number;
}

/**
 * Evaluates Graphite targets as graphite-web's evaluator does, with the data for every path of
 * every target read up front: paths are grouped by the time range they are needed for (the request's
 * own, plus any timeShift/movingAverage ranges known before reading), and each range is one store
 * read. Only a range that depends on the data itself (a moving window given in points) costs a
 * later read. Results follow the targets' order.
 */
export async function evaluateTargets(store: SeriesStore, targets: readonly string[], options: EvaluateOptions): Promise<Series[]> {
  const source = new StoreSource(store);
  return evaluateFetched(source, await fetchTargets(source, targets, options), options);
}

/** Targets parsed, with the data they are known to need read: evaluated here, or handed to a render worker. */
export interface FetchedTargets {
  expressions: Expression[];
  fetched: FetchedRanges;
}

/** Ranges read per fetchKey(from, until, query key); a range can be under several keys. */
export type FetchedRanges = Map<string, SeriesRange[]>;

/** Parses the targets (template() expanded) and reads everything they are known to need from `source`. */
export async function fetchTargets(source: SeriesSource, targets: readonly string[], options: EvaluateOptions): Promise<FetchedTargets> {
  const expressions = targets
    .filter((target) => target.trim() !== '')
    .map((target) => expandTemplates(parseTarget(target), options.templateParams ?? {}));
  const plan: FetchPlan = new Map();
  for (const expression of expressions) planFetches(expression, options.from, options.until, plan, source.reduces);
  return { expressions, fetched: await source.fetch(plan) };
}

/** Evaluates fetched targets; what they need beyond `fetched` (data-dependent ranges, reductions) comes from `source`. */
export async function evaluateFetched(source: SeriesSource, targets: FetchedTargets, options: EvaluateOptions): Promise<Series[]> {
  const evaluator = new Evaluator(source, targets.fetched, options);
  const results: Series[] = [];
  for (const expression of targets.expressions) {
    const value = await evaluator.evaluate(expression, options.from, options.until);
    if (!Array.isArray(value)) continue;
    if (value.length > 0 && Array.isArray(value[0])) {
      throw new QueryError(`${(expression as CallNode).name}() gives series lists, which only reduceSeries() takes: it cannot be rendered by itself`);
    }
    results.push(...(value as Series[]));
  }
  return results;
}

/**
 * Where evaluation reads series: the store itself on the main thread; on a render worker, the main
 * thread over a message port. Everything it takes and returns is structured-cloneable.
 */
export interface SeriesSource {
  /** Aggregators of plain paths are computed while reading (reduce()) instead of fetched whole. */
  readonly reduces: boolean;
  /** The ranges of every query of the plan. */
  fetch(plan: FetchPlan): Promise<FetchedRanges>;
  /** The reduction over its paths' series; undefined when they are not on one time grid. */
  reduce(reduction: Reduction, from: number, until: number, xFilesFactor: number): Promise<Series[] | undefined>;
}

/** Path expressions (or seriesByTag calls) to read, per `from:until` range. */
export type FetchPlan = Map<string, { from: number; until: number; queries: Map<string, FetchQuery> }>;

function addToPlan(plan: FetchPlan, from: number, until: number, query: FetchQuery): void {
  const key = `${from}:${until}`;
  let range = plan.get(key);
  if (!range) plan.set(key, (range = { from, until, queries: new Map() }));
  range.queries.set(query.key, query);
}

/** A path expression, or a seriesByTag call (keyed by its text, as graphite-web keys prefetches). */
interface FetchQuery {
  key: string;
  tagExpressions?: string[];
}

/** `reducing`: the store reads for reductions (sumSeries of a glob), whose paths are left out here. */
function planFetches(node: Expression, from: number, until: number, plan: FetchPlan, reducing: boolean): void {
  if (node.kind === 'path') {
    addToPlan(plan, from, until, { key: node.path });
    return;
  }
  if (node.kind !== 'call') return;
  if (reducing && reductionOf(node)) return;
  if (node.name === 'seriesByTag') {
    const expressions = tagExpressionsOf(node);
    if (expressions) addToPlan(plan, from, until, { key: node.raw, tagExpressions: expressions });
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

/** The store as a SeriesSource: one store read per time range of a plan, names resolved here. */
export class StoreSource implements SeriesSource {
  constructor(private readonly store: SeriesStore) {}

  get reduces(): boolean {
    return this.store.readEach !== undefined;
  }

  async fetch(plan: FetchPlan): Promise<FetchedRanges> {
    const fetched: FetchedRanges = new Map();
    for (const { from, until, queries } of plan.values()) {
      const namesByQuery = new Map<string, string[]>();
      const wanted = new Set<string>();
      for (const query of queries.values()) {
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
        fetched.set(fetchKey(from, until, key), found);
      }
    }
    return fetched;
  }

  async reduce(reduction: Reduction, from: number, until: number, xFilesFactor: number): Promise<Series[] | undefined> {
    const names: string[] = [];
    const pathExpressions: string[] = [];
    for (const path of reduction.paths) {
      for (const name of this.resolve({ key: path })) {
        names.push(name);
        pathExpressions.push(path);
      }
    }
    return readReduced(this.store.readEach!.bind(this.store), reduction, names, pathExpressions, from, until, xFilesFactor);
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
}

class Evaluator {
  private readonly now: number;
  private readonly xFilesFactor: number;
  private readonly maxPoints: number | undefined;

  constructor(
    private readonly source: SeriesSource,
    /** Fetched ranges per `from:until` then query key, sorted by name; later reads are added. */
    private readonly fetched: FetchedRanges,
    options: EvaluateOptions,
  ) {
    this.now = options.now ?? options.until;
    this.xFilesFactor = options.xFilesFactor ?? 0;
    this.maxPoints = options.maxPoints;
  }

  private async seriesFor(query: FetchQuery, from: number, until: number): Promise<Series[]> {
    const key = fetchKey(from, until, query.key);
    if (!this.fetched.has(key)) {
      // A range the plan could not know (it depends on the data): read now.
      const plan: FetchPlan = new Map();
      addToPlan(plan, from, until, query);
      for (const [k, ranges] of await this.source.fetch(plan)) this.fetched.set(k, ranges);
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
    const reduction = this.source.reduces ? reductionOf(call) : undefined;
    if (!reduction || reduction.paths.every((path) => this.fetched.has(fetchKey(from, until, path)))) return undefined;
    return this.source.reduce(reduction, from, until, this.xFilesFactor);
  }

  private context(call: CallNode, from: number, until: number): FunctionContext {
    return {
      from,
      until,
      now: this.now,
      xFilesFactor: this.xFilesFactor,
      maxPoints: this.maxPoints,
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
