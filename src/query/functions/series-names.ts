import type { Expression } from '../expression/ast.js';
import { parseTarget } from '../expression/parser.js';
import type { Series } from '../series.js';

/** graphite-web's formatPathExpressions(): the distinct pathExpressions in order, comma-joined. */
export function formatPathExpressions(seriesList: readonly Pick<Series, 'pathExpression'>[]): string {
  const seen: string[] = [];
  for (const s of seriesList) if (!seen.includes(s.pathExpression)) seen.push(s.pathExpression);
  return seen.join(',');
}

/** graphite-web's _getFirstPathExpression(): the first metric path inside a function-wrapped name. */
export function firstPathExpression(name: string): string | undefined {
  let node: Expression;
  try {
    node = parseTarget(name);
  } catch {
    return undefined;
  }
  while (node.kind === 'call' && node.args.length > 0) node = node.args[0];
  return node.kind === 'path' ? node.path : undefined;
}

/** getNodeOrTag(): node n of the path (negative counts from the end), else the tag named n, else ''. */
export function nodeOrTag(series: Series, n: number | string, pathExpression?: string): string {
  if (typeof n === 'number' && Number.isInteger(n)) {
    const nodes = (pathExpression ?? series.name).split(';')[0].split('.');
    const index = n < 0 ? nodes.length + n : n;
    if (index >= 0 && index < nodes.length) return nodes[index];
  }
  return series.tags[String(n)] ?? '';
}

/** graphite-web's aggKey(): the chosen nodes/tags joined with `.`, reading function-wrapped names by their first path. */
export function aggKey(series: Series, nodes: ReadonlyArray<number | string>): string {
  const pathExpression = series.name.endsWith(')') ? firstPathExpression(series.name) : undefined;
  return nodes.map((n) => nodeOrTag(series, n, pathExpression)).join('.');
}

/** Groups series by key, keys in first-seen order. */
export function groupBy(seriesList: readonly Series[], key: (s: Series) => string): Map<string, Series[]> {
  const groups = new Map<string, Series[]>();
  for (const s of seriesList) {
    const k = key(s);
    const group = groups.get(k);
    if (group) group.push(s);
    else groups.set(k, [s]);
  }
  return groups;
}
