import { parseTarget } from '../expression/parser.js';
import { QueryError } from '../query-error.js';
import { newSeries, type Series } from '../series.js';
import { aggregate } from './combine.js';
import type { ArgValue, FunctionContext, ParamSpec, SeriesFunction } from './registry.js';
import { aggKey, groupBy } from './series-names.js';

/** Combine functions that pair or group series by the nodes of their names. */

const seriesList: ParamSpec = { name: 'seriesList', type: 'seriesList', required: true };
const position: ParamSpec = { name: 'position', type: 'node', multiple: true };

/** The name without the nodes at the given positions (graphite-web counts them from 0, no negatives). */
function withoutNodes(name: string, positions: readonly number[]): string {
  return name
    .split('.')
    .filter((_, i) => !positions.includes(i))
    .join('.');
}

/** graphite-web's aggregateWithWildcards(): aggregate() per group of names equal once the positions are dropped. */
function aggregateWithWildcards(context: FunctionContext, list: Series[], func: string, positions: number[]): Series[] {
  const results: Series[] = [];
  for (const [key, group] of groupBy(list, (s) => withoutNodes(s.name, positions))) {
    const [result] = aggregate(context, group, func);
    if (result) results.push({ ...result, name: key });
  }
  return results;
}

function withWildcards(name: string, func: string, description: string): SeriesFunction {
  return {
    name,
    group: 'Combine',
    description,
    params: [seriesList, position],
    aggregator: true,
    run: (context, [list, positions]) => aggregateWithWildcards(context, list as Series[], func, positions as number[]),
  };
}

/** Python's list[index] for a possibly negative index; undefined when out of range. */
function pythonIndex<T>(items: readonly T[], index: number): T | undefined {
  return items[index < 0 ? items.length + index : index];
}

/** A series list, or the lists mapSeries made (graphite-web passes both through seriesLists). */
function seriesListsOf(value: ArgValue): Series[][] {
  return (value as Array<Series | Series[]>).map((item) => (Array.isArray(item) ? item : [item]));
}

/** graphite-web's reduceSeries(): one call of reduceFunction per `<prefix>.reduce.<function>` group. */
async function reduceSeries(context: FunctionContext, lists: Series[][], reduceFunction: string, reduceNode: number, matchers: string[]): Promise<Series[]> {
  const groups = new Map<string, Array<Series | undefined>>();
  for (const s of lists.flat()) {
    const nodes = s.name.split('.');
    const node = pythonIndex(nodes, reduceNode);
    if (node === undefined) throw new QueryError(`reduceSeries: ${s.name} has no node ${reduceNode}`);
    const i = matchers.indexOf(node);
    if (i < 0) continue;
    const key = `${nodes.slice(0, reduceNode).join('.')}.reduce.${reduceFunction}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = new Array<Series | undefined>(matchers.length).fill(undefined)));
    group[i] = s;
  }
  const results: Series[] = [];
  for (const [key, group] of groups) {
    // Each matcher is one argument; a matcher with no series is an empty list (graphite-web fails on it).
    const [result] = await context.call(reduceFunction, group.map((s) => (s ? [s] : [])));
    if (result) results.push({ ...result, name: key });
  }
  return results;
}

/** graphite-web's applyByNode(): the template evaluated once per distinct name prefix up to nodeNum. */
async function applyByNode(context: FunctionContext, list: Series[], nodeNum: number, template: string, newName: string | null): Promise<Series[]> {
  if (list.length === 0) return [];
  const prefixes = [...new Set(list.map((s) => s.name.split('.').slice(0, nodeNum + 1).join('.')))].sort();
  // graphite-web takes start and end from the last input series for every result.
  const last = list[list.length - 1];
  const results: Series[] = [];
  for (const prefix of prefixes) {
    const target = parseTarget(template.replaceAll('%', prefix));
    for (const s of await context.evaluate(target, context.from, context.until)) {
      const name = newName ? newName.replaceAll('%', prefix) : s.name;
      results.push({ ...s, name, pathExpression: prefix, start: last.start, end: last.end });
    }
  }
  return results;
}

/** Python's safeMul / safeDiv over two arrays paired by index (izip_longest). */
function pairwise(a: Float64Array, b: Float64Array, op: (x: number, y: number) => number): Float64Array {
  const out = new Float64Array(Math.max(a.length, b.length));
  for (let i = 0; i < out.length; i++) out[i] = op(i < a.length ? a[i] : NaN, i < b.length ? b[i] : NaN);
  return out;
}

/** graphite-web's weightedAverage(): sum(avg * weight) / sum(weights), pairing series by their node key. */
function weightedAverage(context: FunctionContext, averages: Series[], weights: Series[], nodes: Array<number | string>): Series[] {
  if (averages.length !== weights.length) {
    throw new QueryError(
      `weightedAverage must receive the same number of series for seriesListAvg and seriesListWeight but received respectively ${averages.length} and ${weights.length}`,
    );
  }
  const pairs = new Map<string, { avg?: Series; weight?: Series }>();
  averages.forEach((avg, i) => {
    const avgKey = aggKey(avg, nodes);
    pairs.set(avgKey, { ...pairs.get(avgKey), avg });
    const weightKey = aggKey(weights[i], nodes);
    pairs.set(weightKey, { ...pairs.get(weightKey), weight: weights[i] });
  });
  const products: Series[] = [];
  for (const { avg, weight } of pairs.values()) {
    if (!avg || !weight) continue;
    const values = pairwise(avg.values, weight.values, (x, y) => x * y);
    products.push(newSeries(`product(${weight.name},${avg.name})`, avg.start, avg.end, avg.step, values, context.xFilesFactor));
  }
  if (products.length === 0) return [];
  const [sumProducts] = aggregate(context, products, 'sum');
  const [sumWeights] = aggregate(context, weights, 'sum');
  const values = pairwise(sumProducts.values, sumWeights.values, (x, y) => (y === 0 ? NaN : x / y));
  const paths = (list: Series[]): string => [...new Set(list.map((s) => s.pathExpression))].sort().join(',');
  const name = `weightedAverage(${paths(averages)}, ${paths(weights)}, ${nodes.map(String).join(',')})`;
  return [newSeries(name, sumProducts.start, sumProducts.end, sumProducts.step, values, context.xFilesFactor)];
}

/** mapSeries(): series lists grouped by node key, which only reduceSeries takes apart. */
function mapSeries(list: Series[], nodes: Array<number | string>): Series[] {
  return [...groupBy(list, (s) => aggKey(s, nodes)).values()] as unknown as Series[];
}

const mapParams: ParamSpec[] = [seriesList, { name: 'mapNodes', type: 'nodeOrTag', required: true, multiple: true }];
const reduceParams: ParamSpec[] = [
  { name: 'seriesLists', type: 'seriesLists', required: true },
  { name: 'reduceFunction', type: 'string', required: true },
  { name: 'reduceNode', type: 'node', required: true },
  { name: 'reduceMatchers', type: 'string', required: true, multiple: true },
];

export const COMBINE_BY_NAME_FUNCTIONS: SeriesFunction[] = [
  {
    name: 'aggregateWithWildcards',
    group: 'Combine',
    description: 'Groups series whose names match once the given node positions are ignored, and aggregates each group with func; each result is named by its name without those nodes.',
    params: [seriesList, { name: 'func', type: 'aggFunc', required: true }, position],
    run: (context, [list, func, positions]) => aggregateWithWildcards(context, list as Series[], func as string, positions as number[]),
  },
  withWildcards('sumSeriesWithWildcards', 'sum', 'sumSeries of each group of series whose names match once the given node positions are ignored.'),
  withWildcards('averageSeriesWithWildcards', 'average', 'averageSeries of each group of series whose names match once the given node positions are ignored.'),
  withWildcards('multiplySeriesWithWildcards', 'multiply', 'multiplySeries of each group of series whose names match once the given node positions are ignored.'),
  {
    name: 'applyByNode',
    group: 'Combine',
    description:
      "Evaluates templateFunction once per distinct name prefix up to nodeNum, with % replaced by the prefix, e.g. applyByNode(servers.*.disk.bytes_free, 1, \"divideSeries(%.disk.bytes_free,sumSeries(%.disk.bytes_*))\"); newName (with %) renames the results.",
    params: [seriesList, { name: 'nodeNum', type: 'node', required: true }, { name: 'templateFunction', type: 'string', required: true }, { name: 'newName', type: 'string' }],
    run: (context, [list, nodeNum, template, newName]) => applyByNode(context, list as Series[], nodeNum as number, template as string, newName as string | null),
  },
  {
    name: 'mapSeries',
    group: 'Combine',
    description: 'Splits a series list into lists that share the given nodes (or tags); for use with reduceSeries (short form: map).',
    params: mapParams,
    run: (_, [list, nodes]) => mapSeries(list as Series[], nodes as Array<number | string>),
  },
  {
    name: 'map',
    group: 'Combine',
    description: 'Short form of mapSeries.',
    params: mapParams,
    run: (_, [list, nodes]) => mapSeries(list as Series[], nodes as Array<number | string>),
  },
  {
    name: 'reduceSeries',
    group: 'Combine',
    description:
      'Calls reduceFunction once per mapped list, with the series whose reduceNode matches each reduceMatcher as arguments in that order; results are named <prefix>.reduce.<reduceFunction> (short form: reduce).',
    params: reduceParams,
    run: (context, [lists, func, node, matchers]) => reduceSeries(context, seriesListsOf(lists), func as string, node as number, matchers as string[]),
  },
  {
    name: 'reduce',
    group: 'Combine',
    description: 'Short form of reduceSeries.',
    params: reduceParams,
    run: (context, [lists, func, node, matchers]) => reduceSeries(context, seriesListsOf(lists), func as string, node as number, matchers as string[]),
  },
  {
    name: 'weightedAverage',
    group: 'Combine',
    description: 'The average of seriesListAvg weighted by seriesListWeight, pairing the series by the given nodes (or tags).',
    params: [
      { name: 'seriesListAvg', type: 'seriesList', required: true },
      { name: 'seriesListWeight', type: 'seriesList', required: true },
      { name: 'nodes', type: 'nodeOrTag', multiple: true },
    ],
    run: (context, [averages, weights, nodes]) => weightedAverage(context, averages as Series[], weights as Series[], nodes as Array<number | string>),
  },
];
