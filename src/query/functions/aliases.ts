import { parseTarget } from '../expression/parser.js';
import { QueryError } from '../query-error.js';
import type { Series } from '../series.js';
import { aggregateSlice, resolveAggFunc, AGG_FUNC_NAMES } from './agg-funcs.js';
import { formatFixed, formatUnits, pad, pythonFloat } from './python-format.js';
import { percentFormat } from './python-percent.js';
import { pythonSub } from './python-regex.js';
import type { ArgValue, ParamSpec, SeriesFunction } from './registry.js';
import { aggKey } from './series-names.js';

const seriesList: ParamSpec = { name: 'seriesList', type: 'seriesList', required: true };

/** A renamed copy that keeps the pathExpression (alias functions only change the legend). */
function renamed(series: Series, name: string): Series {
  return { ...series, name };
}

function nodesArg(value: ArgValue): Array<number | string> {
  return value as Array<number | string>;
}

export const ALIAS_FUNCTIONS: SeriesFunction[] = [
  {
    name: 'alias',
    group: 'Alias',
    description: 'Takes one metric or a wildcard seriesList and a string in quotes. Prints the string instead of the metric name in the legend.',
    params: [seriesList, { name: 'newName', type: 'string', required: true }],
    run: (_, [list, newName]) => (list as Series[]).map((s) => renamed(s, newName as string)),
  },
  {
    name: 'aliasByNode',
    group: 'Alias',
    description: 'Names each series by one or more nodes of its path (0-based, negative from the end) or by tag values, joined with dots.',
    params: [seriesList, { name: 'nodes', type: 'nodeOrTag', required: true, multiple: true }],
    run: (_, [list, nodes]) => (list as Series[]).map((s) => renamed(s, aggKey(s, nodesArg(nodes)))),
  },
  {
    name: 'aliasByTags',
    group: 'Alias',
    description: 'Names each series by one or more tags and/or nodes (an alias for aliasByNode).',
    params: [seriesList, { name: 'tags', type: 'nodeOrTag', required: true, multiple: true }],
    run: (_, [list, tags]) => (list as Series[]).map((s) => renamed(s, aggKey(s, nodesArg(tags)))),
  },
  {
    name: 'aliasByMetric',
    group: 'Alias',
    description: 'Names each series by the last node of its metric path.',
    params: [seriesList],
    run: (_, [list]) => (list as Series[]).map((s) => renamed(s, metricName(s.name))),
  },
  {
    name: 'aliasSub',
    group: 'Alias',
    description: 'Runs series names through a regular expression search and replace (Python syntax: \\1 or \\g<name> in the replacement).',
    params: [seriesList, { name: 'search', type: 'string', required: true }, { name: 'replace', type: 'string', required: true }],
    run: (_, [list, search, replace]) => (list as Series[]).map((s) => renamed(s, pythonSub(search as string, replace as string, s.name))),
  },
  {
    name: 'legendValue',
    group: 'Alias',
    description: "Appends aggregated values (last, avg, total, min, max, ...) to each series name; a final 'si' or 'binary' formats them with unit prefixes.",
    params: [seriesList, { name: 'valuesTypes', type: 'string', multiple: true, options: [...legendOptions()] }],
    run: (_, [list, types]) => legendValue(list as Series[], types as string[]),
  },
  {
    name: 'cactiStyle',
    group: 'Special',
    description: 'Renames each series to column-aligned text with its Current, Max and Min values, optionally with unit prefixes (si, binary) and a unit suffix.',
    params: [seriesList, { name: 'system', type: 'string', options: ['si', 'binary'] }, { name: 'units', type: 'string' }],
    run: (_, [list, system, units]) => cactiStyle(list as Series[], system as string | null, units as string | null),
  },
  {
    name: 'aliasQuery',
    group: 'Alias',
    description:
      "Names each series from another query: search/replace (a regular expression) turn its name into a target, and newName is formatted Python %-style with that target's last value ('Channel %d MHz').",
    params: [seriesList, { name: 'search', type: 'string', required: true }, { name: 'replace', type: 'string', required: true }, { name: 'newName', type: 'string', required: true }],
    run: async (context, [list, search, replace, newName]) => {
      const named: Series[] = [];
      for (const s of list as Series[]) {
        const query = pythonSub(search as string, replace as string, s.name);
        const found = await context.evaluate(parseTarget(query), context.from, context.until);
        if (found.length === 0) throw new QueryError(`aliasQuery: no series found with query: ${query}`);
        const current = aggregateSlice('last', found[0].values);
        if (current !== current) throw new QueryError(`aliasQuery: cannot get last value of series: ${found[0].name}`);
        named.push(renamed(s, percentFormat(newName as string, current)));
      }
      return named;
    },
  },
  {
    name: 'substr',
    group: 'Special',
    description: 'Names each series by the nodes start to stop of its innermost metric path (0-based, negative from the end; stop 0 means to the end).',
    params: [seriesList, { name: 'start', type: 'node', default: 0 }, { name: 'stop', type: 'node', default: 0 }],
    run: (_, [list, start, stop]) => (list as Series[]).map((s) => renamed(s, substrName(s.name, start as number, stop as number))),
  },
];

function legendOptions(): string[] {
  return [...AGG_FUNC_NAMES, ...AGG_FUNC_NAMES.map((name) => `${name}Series`), 'si', 'binary'];
}

/** graphite-web's substr(name, -1): the last node of the innermost path, without trailing arguments. */
function metricName(name: string): string {
  const left = name.lastIndexOf('(') + 1;
  let right = name.indexOf(')');
  if (right < 0) right = name.length + 1;
  const clean = name.slice(left, right);
  const nodes = clean.split('.');
  return nodes[nodes.length - 1].replace(/,.*$/s, '');
}

function legendValue(list: Series[], valueTypes: string[]): Series[] {
  let types = valueTypes;
  let system: string | undefined;
  const lastType = types[types.length - 1];
  if (lastType === 'si' || lastType === 'binary') {
    system = lastType;
    types = types.slice(0, -1);
  }
  let out = list;
  for (const type of types) {
    const bare = type.endsWith('Series') ? type.slice(0, -6) : type;
    let func: ReturnType<typeof resolveAggFunc> | undefined;
    try {
      func = resolveAggFunc(bare);
    } catch {
      func = undefined;
    }
    out = out.map((s) => {
      if (func === undefined) return renamed(s, system === undefined ? `${s.name} (${type}: (?))` : `${pad(s.name, -20)}${pad(type, -5)}${pad('(?)', -10)}`);
      const value = aggregateSlice(func, s.values);
      if (system === undefined) {
        const text = value !== value ? 'None' : func === 'count' ? String(value) : pythonFloat(value);
        return renamed(s, `${s.name} (${type}: ${text})`);
      }
      let formatted = 'None';
      if (value === value) {
        const [scaled, prefix] = formatUnits(value, system);
        formatted = `${formatFixed(scaled, 2)}${prefix}`;
      }
      return renamed(s, `${pad(s.name, -20)}${pad(type, -5)}${pad(formatted, -10)}`);
    });
  }
  return out;
}

function cactiStyle(list: Series[], system: string | null, units: string | null): Series[] {
  if (list.length === 0) return list;
  const fmt = (x: number): string => {
    if (system) {
      const [scaled, prefix] = formatUnits(x, system, units ?? '');
      return units ? `${formatFixed(scaled, 2)} ${prefix}` : `${formatFixed(scaled, 2)}${prefix}`;
    }
    return units ? `${formatFixed(x, 2)} ${units}` : formatFixed(x, 2);
  };
  const stats = list.map((s) => ({
    last: aggregateSlice('last', s.values),
    max: aggregateSlice('max', s.values),
    min: aggregateSlice('min', s.values),
  }));
  // graphite-web sizes the columns from int(value or 3), so 0 and null both count as 3.
  const widthOf = (v: number): number => fmt(Math.trunc(v === v && v !== 0 ? v : 3)).length;
  const nameLen = Math.max(0, ...list.map((s) => s.name.length));
  const lastLen = Math.max(0, ...stats.map((st) => widthOf(st.last))) + 3;
  const maxLen = Math.max(0, ...stats.map((st) => widthOf(st.max))) + 3;
  const minLen = Math.max(0, ...stats.map((st) => widthOf(st.min))) + 3;
  const text = (v: number): string => (v !== v ? 'nan' : fmt(v));
  return list.map((s, i) => {
    const st = stats[i];
    const name = `${pad(s.name, -nameLen)} Current:${pad(text(st.last), -lastLen)} Max:${pad(text(st.max), -maxLen)} Min:${pad(text(st.min), -minLen)} `;
    return renamed(s, name);
  });
}

/** graphite-web's substr(): nodes [start, stop) of the text inside the innermost parentheses, cut at its first comma. */
function substrName(name: string, start: number, stop: number): string {
  const left = name.lastIndexOf('(') + 1;
  let right = name.indexOf(')');
  if (right < 0) right = name.length + 1;
  const nodes = name.slice(left, right).split('.');
  return (stop === 0 ? nodes.slice(start) : nodes.slice(start, stop)).join('.').replace(/,.*$/s, '');
}
