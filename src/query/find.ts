import { TREE_BRANCH, TREE_LEAF, type SeriesStore, type TreeNodes } from '../store/series-store.js';
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

/** The nodes a find query matched, sorted as findNodes sorts them, read by index. */
export interface FoundNodes {
  readonly length: number;
  /** Full path of node i: `a.b.c`. */
  path(i: number): string;
  /** Its last path component: `c`. */
  name(i: number): string;
  /** A series (leaf) or a prefix of longer series names (branch); a path that is both is listed twice. */
  isLeaf(i: number): boolean;
}

/**
 * The nodes a find query matches (only the leaves with `leavesOnly`), sorted as findNodes sorts
 * them, from the store's metric tree when it has one (cost follows what matches, not the number
 * of series), else by scanning its names. Read the answer before the store changes and before
 * the next find: it lives in reused arrays.
 */
export function findInStore(store: Pick<SeriesStore, 'names' | 'find'>, query: string, leavesOnly = false): FoundNodes {
  if (store.find === undefined) {
    const nodes = findNodes(store.names(), query);
    return new ListedNodes(leavesOnly ? nodes.filter((node) => node.isLeaf) : nodes);
  }
  let matches: TreeNodes;
  try {
    matches = store.find(query);
  } catch (error) {
    throw queryErrorFrom(error);
  }
  return new OrderedTreeNodes(matches, orderByName(matches, leavesOnly));
}

class ListedNodes implements FoundNodes {
  constructor(private readonly nodes: FoundNode[]) {}

  get length(): number {
    return this.nodes.length;
  }

  path(i: number): string {
    return this.nodes[i].path;
  }

  name(i: number): string {
    return this.nodes[i].name;
  }

  isLeaf(i: number): boolean {
    return this.nodes[i].isLeaf;
  }
}

/** The tree's matches in findNodes' order: entry = match index * 2 + 1 for its leaf, + 0 for its branch. */
class OrderedTreeNodes implements FoundNodes {
  constructor(
    private readonly matches: TreeNodes,
    private readonly entries: Int32Array,
  ) {}

  get length(): number {
    return this.entries.length;
  }

  path(i: number): string {
    return this.matches.path(this.entries[i] >> 1);
  }

  name(i: number): string {
    return this.matches.name(this.entries[i] >> 1);
  }

  isLeaf(i: number): boolean {
    return (this.entries[i] & 1) === 1;
  }
}

/** Scratch by name id: 0 for a name not seen yet, else its group + 1; cleared after each use. */
let groupOfName = new Int32Array(1024);
/** The last answer's entries (see OrderedTreeNodes): reused, as the tree reuses its own. */
let entryScratch = new Int32Array(1024);

/**
 * The tree's matches (in path order) in findNodes' order: by name, then path, a branch before a
 * leaf of the same path. Grouping by name keeps path order within a name, so only the distinct
 * names are sorted; the entries are then placed group by group, with no object per match.
 */
function orderByName(matches: TreeNodes, leavesOnly: boolean): Int32Array {
  if (groupOfName.length < matches.nameIdLimit) groupOfName = new Int32Array(Math.max(matches.nameIdLimit, 2 * groupOfName.length));
  const groupOf = groupOfName;
  const { kinds, nameIds } = matches;
  const names: number[] = [];
  const firsts: number[] = [];
  const sizes: number[] = [];
  let total = 0;
  for (let i = 0; i < kinds.length; i++) {
    const entries = entriesOf(kinds[i], leavesOnly);
    if (entries === 0) continue;
    const id = nameIds[i];
    let group = groupOf[id] - 1;
    if (group < 0) {
      group = names.length;
      groupOf[id] = group + 1;
      names.push(id);
      firsts.push(i);
      sizes.push(0);
    }
    sizes[group] += entries;
    total += entries;
  }
  const byName = names.map((_, group) => group);
  if (byName.length > 1) byName.sort((a, b) => compare(matches.name(firsts[a]), matches.name(firsts[b])));
  const next = new Int32Array(byName.length);
  let at = 0;
  for (const group of byName) {
    next[group] = at;
    at += sizes[group];
  }
  if (entryScratch.length < total) entryScratch = new Int32Array(Math.max(total, 2 * entryScratch.length));
  const ordered = entryScratch.subarray(0, total);
  for (let i = 0; i < kinds.length; i++) {
    const entries = entriesOf(kinds[i], leavesOnly);
    if (entries === 0) continue;
    const group = groupOf[nameIds[i]] - 1;
    if (entries === 2) ordered[next[group]++] = 2 * i;
    ordered[next[group]++] = 2 * i + (kinds[i] & TREE_LEAF);
  }
  for (const id of names) groupOf[id] = 0;
  return ordered;
}

/** How many entries a match of this kind makes: 2 for a leaf and a branch (both listed), 0 for a branch with leavesOnly. */
function entriesOf(kind: number, leavesOnly: boolean): number {
  if ((kind & TREE_LEAF) === 0) return leavesOnly ? 0 : 1;
  return leavesOnly || (kind & TREE_BRANCH) === 0 ? 1 : 2;
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
