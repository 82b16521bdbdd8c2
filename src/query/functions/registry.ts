import type { Expression } from '../expression/ast.js';
import { QueryError } from '../query-error.js';
import type { Series } from '../series.js';
import { AGG_FUNC_NAMES, isAggFuncName } from './agg-funcs.js';
import { parseInterval } from './interval.js';

/** graphite-web's parameter types (functions/params.py), as /functions reports them. */
export type ParamType =
  | 'aggFunc'
  | 'aggOrSeriesFunc'
  | 'any'
  | 'boolean'
  | 'date'
  | 'float'
  | 'integer'
  | 'interval'
  | 'intOrInterval'
  | 'intOrInf'
  | 'node'
  | 'nodeOrTag'
  | 'series'
  | 'seriesList'
  | 'seriesLists'
  | 'string'
  | 'tag';

export interface ParamSpec {
  name: string;
  type: ParamType;
  required?: boolean;
  /** Used when the argument is left out or given as None. */
  default?: string | number | boolean;
  /** Takes every remaining positional argument (Python's *args); the function gets them as an array. */
  multiple?: boolean;
  options?: ReadonlyArray<string | number>;
  suggestions?: ReadonlyArray<string | number>;
}

/** An evaluated argument: a series list, a scalar, null (None), or the values of a `multiple` parameter. */
export type ArgValue = Series[] | number | string | boolean | null | ArgValue[];

/** What a function sees of the request (graphite-web's requestContext). */
export interface FunctionContext {
  readonly from: number;
  readonly until: number;
  readonly now: number;
  /** The request's xFilesFactor (the `xFilesFactor` parameter, default 0). */
  readonly xFilesFactor: number;
  /** Most points one series a function makes from the time range alone may have (render.maxPoints); none: no bound. */
  readonly maxPoints?: number;
  /** The call's argument expressions as written (graphite-web's requestContext['args']). */
  readonly args: readonly Expression[];
  /** Evaluates an expression again over another time range (timeShift, moving windows). */
  evaluate(expression: Expression, from: number, until: number): Promise<Series[]>;
  /** Runs a registered function on evaluated arguments (groupByNode's callback). */
  call(name: string, args: ArgValue[]): Promise<Series[]>;
}

/** One render function: its graphite-web description and its implementation. */
export interface SeriesFunction {
  name: string;
  /** graphite-web's group: Alias, Calculate, Combine, Filter Data, Filter Series, Graph, Sorting, Special, Transform. */
  group: string;
  description: string;
  params: readonly ParamSpec[];
  /** Usable as an aggregation callback (groupByNode(x, 1, "sumSeries")). */
  aggregator?: boolean;
  /** The aggregate() function it is (sumSeries: 'sum'), so a reducing read can compute it while reading. */
  aggregateFunc?: string;
  /**
   * Extra time ranges the first argument is evaluated over besides the request's own, when they
   * can be known before any data is read; the evaluator fetches them in its up-front batch.
   */
  prefetchRanges?: (args: readonly Expression[], from: number, until: number) => Array<[from: number, until: number]>;
  /** args[i] is the value of params[i] (an array for a `multiple` parameter). */
  run(context: FunctionContext, args: ArgValue[]): Series[] | Promise<Series[]>;
}

/** An argument as written: its value and where it starts in the target (for error messages). */
export interface PlacedArg {
  value: ArgValue;
  position: number;
}

/**
 * graphite-web's validateParams(), strictly: binds positional and keyword arguments to the
 * parameters, fills defaults, and rejects a missing, surplus or mistyped argument with a
 * QueryError naming the function, the parameter and the column.
 */
export function bindArguments(
  fn: SeriesFunction,
  positional: readonly PlacedArg[],
  keyword: ReadonlyMap<string, PlacedArg>,
  callPosition: number,
  aggregatorNames: ReadonlySet<string>,
): ArgValue[] {
  const params = fn.params;
  const last = params[params.length - 1];
  if ((last === undefined || !last.multiple) && positional.length > params.length) {
    throw new QueryError(`too many arguments for ${fn.name}() (takes at most ${params.length})${column(positional[params.length].position)}`);
  }
  for (const name of keyword.keys()) {
    if (!params.some((p) => p.name === name && !p.multiple)) {
      throw new QueryError(`${fn.name}() has no parameter '${name}'${column(keyword.get(name)!.position)}`);
    }
  }
  const bound: ArgValue[] = [];
  params.forEach((param, i) => {
    if (param.multiple) {
      const rest = positional.slice(i);
      if (param.required && rest.length === 0) {
        throw new QueryError(`missing required parameter '${param.name}' for ${fn.name}()${column(callPosition)}`);
      }
      for (const arg of rest) checkType(fn, param, arg, aggregatorNames);
      bound.push(rest.map((arg) => arg.value));
      return;
    }
    const given = i < positional.length ? positional[i] : keyword.get(param.name);
    if (i < positional.length && keyword.has(param.name)) {
      throw new QueryError(`${fn.name}() got parameter '${param.name}' twice${column(keyword.get(param.name)!.position)}`);
    }
    if (given === undefined || given.value === null) {
      if (param.required && given === undefined) {
        throw new QueryError(`missing required parameter '${param.name}' for ${fn.name}()${column(callPosition)}`);
      }
      bound.push(param.default ?? null);
      return;
    }
    checkType(fn, param, given, aggregatorNames);
    bound.push(given.value);
  });
  return bound;
}

function checkType(fn: SeriesFunction, param: ParamSpec, arg: PlacedArg, aggregatorNames: ReadonlySet<string>): void {
  const { value } = arg;
  if (value === null && !param.required) return;
  if (param.options && !param.options.includes(value as string | number)) {
    throw new QueryError(
      `invalid option ${describe(value)} for parameter '${param.name}' of ${fn.name}() (use one of ${param.options.join(', ')})${column(arg.position)}`,
    );
  }
  if (!isValid(param.type, value, aggregatorNames)) {
    throw new QueryError(`invalid ${param.type} value ${describe(value)} for parameter '${param.name}' of ${fn.name}()${column(arg.position)}`);
  }
}

function isValid(type: ParamType, value: ArgValue, aggregatorNames: ReadonlySet<string>): boolean {
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'float':
      return typeof value === 'number';
    case 'integer':
    case 'node':
      return Number.isInteger(value);
    case 'intOrInf':
      return Number.isInteger(value) || value === Infinity;
    case 'interval':
      return typeof value === 'string' && parseInterval(value) !== undefined;
    case 'intOrInterval':
      return typeof value === 'number' ? Number.isFinite(value) : typeof value === 'string' && parseInterval(value) !== undefined;
    case 'nodeOrTag':
      return Number.isInteger(value) || typeof value === 'string';
    case 'series':
    case 'seriesList':
      // Not map()'s list of series lists, which only a 'seriesLists' parameter (reduceSeries) takes.
      return Array.isArray(value) && (value.length === 0 || !Array.isArray(value[0]));
    case 'seriesLists':
      return Array.isArray(value);
    case 'string':
    case 'tag':
      return typeof value === 'string';
    case 'date':
      return typeof value === 'string' || typeof value === 'number';
    case 'aggFunc':
      return typeof value === 'string' && isAggFuncName(value);
    case 'aggOrSeriesFunc':
      return typeof value === 'string' && (isAggFuncName(value) || aggregatorNames.has(value));
    case 'any':
      return true;
  }
}

function describe(value: ArgValue): string {
  if (Array.isArray(value)) return value.length > 0 && Array.isArray(value[0]) ? 'series lists (from map(), for reduceSeries())' : 'series list';
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}

function column(position: number): string {
  return ` (column ${position + 1})`;
}

/** graphite-web's functionInfo(): the /functions entry of a function, strict JSON (no Infinity). */
export interface FunctionInfo {
  name: string;
  function: string;
  description: string;
  module: string;
  group: string;
  params: ParamInfo[];
}

export interface ParamInfo {
  name: string;
  type: ParamType;
  required?: true;
  default?: string | number | boolean;
  multiple?: true;
  options?: Array<string | number>;
  suggestions?: Array<string | number>;
}

export function functionInfo(name: string, fn: SeriesFunction, aggregatorNames: readonly string[]): FunctionInfo {
  return {
    name,
    function: `${name}(${fn.params.map(signatureEntry).join(', ')})`,
    description: fn.description,
    module: 'graphite.render.functions',
    group: fn.group,
    params: fn.params.map((param) => paramInfo(param, aggregatorNames)),
  };
}

function paramInfo(param: ParamSpec, aggregatorNames: readonly string[]): ParamInfo {
  const info: ParamInfo = { name: param.name, type: param.type };
  if (param.required) info.required = true;
  if (param.default !== undefined) info.default = param.default === Infinity ? 'inf' : param.default;
  if (param.multiple) info.multiple = true;
  const options = new Set<string | number>(param.options ?? []);
  if (param.type === 'aggFunc' || param.type === 'aggOrSeriesFunc') for (const name of AGG_FUNC_NAMES) options.add(name);
  if (param.type === 'aggOrSeriesFunc') for (const name of aggregatorNames) options.add(name);
  if (options.size > 0) info.options = [...options].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  if (param.suggestions) info.suggestions = [...param.suggestions];
  return info;
}

/** The parameter as it reads in a Python signature: `seriesList`, `*nodes`, `limit=inf`, `func='average'`. */
function signatureEntry(param: ParamSpec): string {
  if (param.multiple) return `*${param.name}`;
  if (param.required) return param.name;
  const value = param.default;
  let text: string;
  if (value === undefined) text = 'None';
  else if (typeof value === 'string') text = `'${value}'`;
  else if (typeof value === 'boolean') text = value ? 'True' : 'False';
  else if (value === Infinity) text = 'inf';
  else text = String(value);
  return `${param.name}=${text}`;
}

/**
 * Throws a QueryError when a function would make a series of `count` points from the time range
 * alone (generators, small buckets over a long range) beyond the request's points limit: such a
 * series is allocated and filled before any other limit can look at it, so over decades at 1 s
 * one request took the process down.
 */
export function checkPointsMade(context: FunctionContext, count: number, fn: string): void {
  const limit = context.maxPoints ?? Infinity;
  if (count > limit) throw new QueryError(`too many points: ${fn}() would make ${count} points in one series, the limit is ${limit} (render.maxPoints)`);
}
