import type { SeriesStore } from '../store/series-store.js';
import { compileGlob, type NameMatcher } from '../names/glob.js';
import { queryErrorFrom } from './query-error.js';

/** One node of the metric tree that a find query matched, as graphite-web's finders return them. */
export interface FoundNode {
  /** Full path of the node: `a.b.c`. */
  path: string;
  /** Its last path component: `c`. */
  name: string;
  /** A series (leaf) or a prefix of longer series names (branch); one path can be both. */
  isLeaf: boolean;
}

/**
 * The nodes a find query matches, as findNodes sorts them, from the store's metric tree when it
 * has one (cost follows what matches, not the number of series), else by scanning its names.
 */
export function findInStore(store: Pick<SeriesStore, 'names' | 'find'>, query: string): FoundNode[] {
  if (store.find === undefined) return findNodes(store.names(), query);
  // The tree answers in path order; grouping by name keeps that order within a name, so only the
  // distinct names need sorting (a few, where a query like `*.*.*.latency` matches 100k paths).
  const byName = new Map<string, FoundNode[]>();
  try {
    for (const match of store.find(query)) {
      let group = byName.get(match.name);
      if (!group) byName.set(match.name, (group = []));
      if (match.isBranch) group.push({ path: match.path, name: match.name, isLeaf: false });
      if (match.isLeaf) group.push({ path: match.path, name: match.name, isLeaf: true });
    }
  } catch (error) {
    throw queryErrorFrom(error);
  }
  const nodes: FoundNode[] = [];
  for (const name of [...byName.keys()].sort(compare)) for (const node of byName.get(name)!) nodes.push(node);
  return nodes;
}

/**
 * Matches a Graphite path pattern (`a.*.c`) against the prefixes of series names with as many nodes
 * as the pattern has. A name with exactly that many nodes is a leaf, a longer one makes a branch.
 * Tagged series are not part of the tree, as in Graphite. Sorted by node name, branch before leaf.
 */
export function findNodes(names: Iterable<string>, query: string): FoundNode[] {
  const depth = query.split('.').length;
  let matches: NameMatcher;
  try {
    matches = compileGlob(query);
  } catch (error) {
    throw queryErrorFrom(error);
  }
  const leaves = new Set<string>();
  const branches = new Set<string>();
  for (const name of names) {
    if (name.includes(';')) continue;
    const end = nthDot(name, depth);
    const prefix = end < 0 ? name : name.slice(0, end);
    if (end < 0 && prefix.split('.').length !== depth) continue;
    if (!matches(prefix)) continue;
    if (end < 0) leaves.add(prefix);
    else branches.add(prefix);
  }
  const nodes: FoundNode[] = [];
  for (const path of branches) nodes.push({ path, name: lastNode(path), isLeaf: false });
  for (const path of leaves) nodes.push({ path, name: lastNode(path), isLeaf: true });
  return nodes.sort(compareNodes);
}

/** By node name (graphite-web sorts find results so), then path, a branch before a leaf of the same path. */
function compareNodes(a: FoundNode, b: FoundNode): number {
  return compare(a.name, b.name) || compare(a.path, b.path) || Number(a.isLeaf) - Number(b.isLeaf);
}

/** Index of the n-th `.` in name (1-based), or -1 when it has fewer. */
function nthDot(name: string, n: number): number {
  let at = -1;
  for (let i = 0; i < n; i++) {
    at = name.indexOf('.', at + 1);
    if (at < 0) return -1;
  }
  return at;
}

function lastNode(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
