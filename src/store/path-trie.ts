/**
 * The metric tree of untagged series names, one node per path component, so a glob is resolved
 * node by node: a plain component is one map lookup, a wildcard tests only that node's children.
 * `/metrics/find` and glob targets cost what they match, not the number of series.
 */
import { compileGlob, hasGlob, type NameMatcher } from '../names/glob.js';

/** A node of the tree as find reports it: a read-only view of the live node, not a copy. */
export interface TrieMatch {
  /** Full path of the node: `a.b.c`. */
  readonly path: string;
  /** Last component: `c`. */
  readonly name: string;
  readonly isLeaf: boolean;
  /** Has children (a branch); a path can be both a leaf and a branch. */
  readonly isBranch: boolean;
}

/**
 * The children of a node with two or more, by name, and in name order for wildcard walks, sorted
 * by the first walk after a change. Sorting there, once, lets a walk emit in path order without
 * sorting per visit (`*.*.*.x` visits 100k nodes). A Map subclass rather than a Map field: a
 * lookup is one pointer less to chase, and a broad find does one per matched parent.
 */
class Children extends Map<string, TrieNode> {
  /** The children in name order; null after a change until the next wildcard walk. */
  sorted: TrieNode[] | null = null;

  sort(): TrieNode[] {
    const nodes = [...this.values()];
    nodes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return (this.sorted = nodes);
  }
}

/** Reused by TrieNode.path; it never holds anything between calls. */
const pathScratch: string[] = [];

/**
 * A node keeps its first child inline and moves to Children only at the second: most nodes of a
 * metric tree have one child (`host42` -> `latency`), and a Map per node is most of the cost of
 * adding a million series. A node knows its name and parent, so find can answer with the nodes
 * themselves and build a path only when a caller reads it: a find matching 100k nodes then
 * allocates one array, not 100k objects and paths, which is what kept the garbage collector busy.
 */
class TrieNode implements TrieMatch {
  onlyChild: TrieNode | null = null;
  /** Set only with two or more children (then onlyChild is null). */
  many: Children | null = null;
  /** A series ends here. */
  leaf = false;

  constructor(
    readonly name: string,
    readonly parent: TrieNode | null,
  ) {}

  get isLeaf(): boolean {
    return this.leaf;
  }

  get isBranch(): boolean {
    return this.many !== null || this.onlyChild !== null;
  }

  /** Built on each read, joined in one go: one flat string rather than a concatenation per level. */
  get path(): string {
    if (this.parent === null || this.parent.parent === null) return this.name;
    const names = pathScratch;
    names.length = 0;
    for (let node: TrieNode = this; node.parent !== null; node = node.parent) names.push(node.name);
    names.reverse();
    return names.join('.');
  }

  child(name: string): TrieNode | undefined {
    if (this.many !== null) return this.many.get(name);
    const only = this.onlyChild;
    return only !== null && only.name === name ? only : undefined;
  }

  /** The child named `name`, created if missing. */
  childOrNew(name: string): TrieNode {
    const many = this.many;
    if (many !== null) {
      const existing = many.get(name);
      if (existing !== undefined) return existing;
      const created = new TrieNode(name, this);
      many.set(name, created);
      many.sorted = null;
      return created;
    }
    const only = this.onlyChild;
    if (only !== null && only.name === name) return only;
    const created = new TrieNode(name, this);
    if (only === null) this.onlyChild = created;
    else {
      this.many = new Children();
      this.many.set(only.name, only);
      this.many.set(name, created);
      this.onlyChild = null;
    }
    return created;
  }

  deleteChild(name: string): void {
    const many = this.many;
    if (many !== null) {
      many.delete(name);
      many.sorted = null;
      // Back to inline at one child: `many` always holds two or more, so it means "has children".
      if (many.size === 1) {
        for (const only of many.values()) this.onlyChild = only;
        this.many = null;
      }
    } else if (this.onlyChild !== null && this.onlyChild.name === name) {
      this.onlyChild = null;
    }
  }
}

/** Splits a pattern on dots that are not inside `{...}` or `[...]`. */
export function splitPattern(pattern: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && depth > 0) depth--;
    else if (c === '.' && depth === 0) {
      parts.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(pattern.slice(start));
  return parts;
}

/**
 * One pattern component, compiled once per query: a literal is looked up, `*` takes every child
 * untested, anything else is tested with its matcher.
 */
interface Step {
  literal: string | null;
  /** null for `*` and for literals. */
  matches: NameMatcher | null;
}

export class PathTrie {
  private readonly root = new TrieNode('', null);
  private leaves = 0;

  get size(): number {
    return this.leaves;
  }

  add(path: string): void {
    let node = this.root;
    let start = 0;
    for (let dot = path.indexOf('.'); dot >= 0; dot = path.indexOf('.', start)) {
      node = node.childOrNew(path.slice(start, dot));
      start = dot + 1;
    }
    node = node.childOrNew(start === 0 ? path : path.slice(start));
    if (!node.leaf) this.leaves++;
    node.leaf = true;
  }

  remove(path: string): void {
    let node: TrieNode | undefined = this.root;
    for (const part of path.split('.')) {
      node = node.child(part);
      if (node === undefined) return;
    }
    if (!node.leaf) return;
    node.leaf = false;
    this.leaves--;
    // Prune empty nodes upwards.
    while (node.parent !== null && !node.leaf && !node.isBranch) {
      node.parent.deleteChild(node.name);
      node = node.parent;
    }
  }

  /**
   * Every node at the pattern's depth whose path matches it, sorted by path. The matches are the
   * tree's own nodes, read-only: read them before the tree changes.
   */
  find(pattern: string): TrieMatch[] {
    return this.walk(pattern, null);
  }

  /** Full names of the series (leaves) matching a pattern, sorted. */
  match(pattern: string): string[] {
    const paths: string[] = [];
    this.walk(pattern, paths);
    return paths;
  }

  /**
   * The matching nodes, level by level; with `leafPaths`, also the path of each node on the way
   * (a parent's path is built once for all its children) and of the matching leaves into it.
   */
  private walk(pattern: string, leafPaths: string[] | null): TrieNode[] {
    const steps = compileSteps(pattern);
    const last = steps.length - 1;
    let level: TrieNode[] = [this.root];
    let paths: string[] = [''];
    for (let depth = 0; depth <= last; depth++) {
      const next: TrieNode[] = [];
      const nextPaths: string[] = [];
      for (let i = 0; i < level.length; i++) {
        const from = next.length;
        matchingChildren(level[i], steps[depth], depth === last, next);
        if (leafPaths === null) continue;
        const prefix = paths[i];
        for (let j = from; j < next.length; j++) {
          const path = prefix === '' ? next[j].name : `${prefix}.${next[j].name}`;
          if (depth < last) nextPaths.push(path);
          else if (next[j].leaf) leafPaths.push(path);
        }
      }
      level = next;
      paths = nextPaths;
    }
    return level;
  }
}

/**
 * Appends node's children that match step to out, in name order; only branches unless `all`.
 * Walking level by level keeps path order: each level is in path order, and so are the children
 * each node adds after those of the node before it.
 */
function matchingChildren(node: TrieNode, step: Step, all: boolean, out: TrieNode[]): void {
  if (step.literal !== null) {
    const child = node.child(step.literal);
    if (child !== undefined && (all || child.isBranch)) out.push(child);
    return;
  }
  const many = node.many;
  if (many === null) {
    const only = node.onlyChild;
    if (only !== null && (all || only.isBranch) && (step.matches === null || step.matches(only.name))) out.push(only);
    return;
  }
  const sorted = many.sorted ?? many.sort();
  const matches = step.matches;
  for (let i = 0; i < sorted.length; i++) {
    const child = sorted[i];
    if ((all || child.isBranch) && (matches === null || matches(child.name))) out.push(child);
  }
}

function compileSteps(pattern: string): Step[] {
  return splitPattern(pattern).map((part) => {
    if (!hasGlob(part)) return { literal: part, matches: null };
    return { literal: null, matches: part === '*' ? null : compileGlob(part) };
  });
}
