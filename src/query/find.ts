import type { SeriesStore, TreeNodeMatch } from '../store/series-store.js';
import { compileGlob, hasGlob, type NameMatcher } from '../names/glob.js';
import { splitPattern } from '../store/path-trie.js';
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
 * Nodes may be the store's own read-only views: use them before the store changes.
 */
export function findInStore(store: Pick<SeriesStore, 'names' | 'find'>, query: string): FoundNode[] {
  if (store.find === undefined) return findNodes(store.names(), query);
  let matches: TreeNodeMatch[];
  try {
    matches = store.find(query);
  } catch (error) {
    throw queryErrorFrom(error);
  }
  const parts = splitPattern(query);
  // A plain last component is the name of every node it matches: the answer is one name already.
  return sortedByName(matches, !hasGlob(parts[parts.length - 1]));
}

/**
 * The tree's matches (in path order) as find nodes in findNodes' order: by name, then path, a
 * branch before a leaf. A match that is a leaf or a branch is its own node, so the usual answer,
 * one name (`*.*.*.latency`: 100k paths), is the tree's array as it is, with nothing allocated.
 */
function sortedByName(matches: TreeNodeMatch[], oneName: boolean): FoundNode[] {
  if (!oneName) {
    const first = matches.length > 0 ? matches[0].name : '';
    oneName = matches.every((match) => match.name === first);
  }
  if (oneName && matches.every((match) => match.isLeaf !== match.isBranch)) return matches;
  // Grouping by name keeps path order within a name, so only the distinct names need sorting.
  const byName = new Map<string, FoundNode[]>();
  for (const match of matches) {
    let group = byName.get(match.name);
    if (!group) byName.set(match.name, (group = []));
    if (match.isLeaf !== match.isBranch) group.push(match);
    else if (match.isLeaf) {
      const { path, name } = match;
      group.push({ path, name, isLeaf: false }, { path, name, isLeaf: true });
    }
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
