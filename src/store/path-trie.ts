/**
 * The metric tree of untagged series names, one node per path component, so a glob is resolved
 * node by node: a plain component is one map lookup, a wildcard tests only that node's children.
 * `/metrics/find` and glob targets cost what they match, not the number of series.
 */
import { compileGlob, hasGlob, type NameMatcher } from '../names/glob.js';

/**
 * The children of a node with more than one: a Map for lookups and inserts, and the names in
 * sorted order for wildcard walks, built by the first walk after a change. Sorting there, once,
 * is what lets a walk emit in path order without sorting per visit (`*.*.*.x` visits 100k nodes).
 */
class Children {
  readonly byName = new Map<string, TrieNode>();
  /** Sorted names and their nodes, in step; null after a change until the next walk. */
  sortedNames: string[] | null = null;
  sortedNodes: TrieNode[] | null = null;

  sort(): void {
    const names = [...this.byName.keys()].sort();
    const nodes: TrieNode[] = new Array(names.length);
    for (let i = 0; i < names.length; i++) nodes[i] = this.byName.get(names[i])!;
    this.sortedNames = names;
    this.sortedNodes = nodes;
  }
}

/**
 * A node keeps its first child inline and moves to Children only at the second: most nodes of a
 * metric tree have one child (`host42` -> `latency`), and a Map per node is most of the cost of
 * adding a million series.
 */
class TrieNode {
  onlyName: string | null = null;
  onlyChild: TrieNode | null = null;
  many: Children | null = null;
  /** A series ends here. */
  leaf = false;

  get hasChildren(): boolean {
    return this.many !== null || this.onlyChild !== null;
  }

  child(name: string): TrieNode | undefined {
    if (this.many) return this.many.byName.get(name);
    return this.onlyName === name ? this.onlyChild! : undefined;
  }

  /** The child named `name`, created if missing. */
  childOrNew(name: string): TrieNode {
    const many = this.many;
    if (many !== null) {
      const existing = many.byName.get(name);
      if (existing !== undefined) return existing;
      const created = new TrieNode();
      many.byName.set(name, created);
      many.sortedNames = many.sortedNodes = null;
      return created;
    }
    if (this.onlyName === name) return this.onlyChild!;
    const created = new TrieNode();
    if (this.onlyChild === null) {
      this.onlyName = name;
      this.onlyChild = created;
    } else {
      this.many = new Children();
      this.many.byName.set(this.onlyName!, this.onlyChild);
      this.many.byName.set(name, created);
      this.onlyName = null;
      this.onlyChild = null;
    }
    return created;
  }

  deleteChild(name: string): void {
    const many = this.many;
    if (many !== null) {
      many.byName.delete(name);
      many.sortedNames = many.sortedNodes = null;
      // Back to inline at one child: `many` always holds two or more, so it means "has children".
      if (many.byName.size === 1) {
        for (const [onlyName, onlyChild] of many.byName) {
          this.onlyName = onlyName;
          this.onlyChild = onlyChild;
        }
        this.many = null;
      }
    } else if (this.onlyName === name) {
      this.onlyName = null;
      this.onlyChild = null;
    }
  }
}

export interface TrieMatch {
  /** Full path of the node: `a.b.c`. */
  path: string;
  /** Last component: `c`. */
  name: string;
  isLeaf: boolean;
  /** Has children (a branch); a path can be both a leaf and a branch. */
  isBranch: boolean;
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

/** What one walk collects: every matching node, or only the full names of matching leaves. */
interface Walk {
  readonly steps: readonly Step[];
  readonly nodes: TrieMatch[] | null;
  readonly leafPaths: string[] | null;
}

export class PathTrie {
  private readonly root = new TrieNode();
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
    const parts = path.split('.');
    const trail: TrieNode[] = [this.root];
    for (const part of parts) {
      const next = trail[trail.length - 1].child(part);
      if (!next) return;
      trail.push(next);
    }
    const last = trail[trail.length - 1];
    if (!last.leaf) return;
    last.leaf = false;
    this.leaves--;
    // Prune empty nodes upwards.
    for (let i = parts.length; i > 0; i--) {
      const node = trail[i];
      if (node.leaf || node.hasChildren) break;
      trail[i - 1].deleteChild(parts[i - 1]);
    }
  }

  /** Every node at the pattern's depth whose path matches it, sorted by path. */
  find(pattern: string): TrieMatch[] {
    const walk: Walk = { steps: compileSteps(pattern), nodes: [], leafPaths: null };
    this.walk(this.root, walk, 0, '');
    return walk.nodes!;
  }

  /** Full names of the series (leaves) matching a pattern, sorted. */
  match(pattern: string): string[] {
    const walk: Walk = { steps: compileSteps(pattern), nodes: null, leafPaths: [] };
    this.walk(this.root, walk, 0, '');
    return walk.leafPaths!;
  }

  /** Visits matching children in name order, so results come out sorted without a final sort. */
  private walk(node: TrieNode, walk: Walk, depth: number, prefix: string): void {
    const step = walk.steps[depth];
    if (step.literal !== null) {
      const child = node.child(step.literal);
      if (child !== undefined) this.visit(child, step.literal, walk, depth, prefix);
      return;
    }
    const many = node.many;
    if (many === null) {
      const name = node.onlyName;
      if (name !== null && (step.matches === null || step.matches(name))) this.visit(node.onlyChild!, name, walk, depth, prefix);
      return;
    }
    if (many.sortedNames === null) many.sort();
    const names = many.sortedNames!;
    const nodes = many.sortedNodes!;
    const matches = step.matches;
    for (let i = 0; i < names.length; i++) {
      if (matches === null || matches(names[i])) this.visit(nodes[i], names[i], walk, depth, prefix);
    }
  }

  private visit(child: TrieNode, name: string, walk: Walk, depth: number, prefix: string): void {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    if (depth + 1 < walk.steps.length) {
      if (child.hasChildren) this.walk(child, walk, depth + 1, path);
    } else if (walk.nodes !== null) {
      walk.nodes.push({ path, name, isLeaf: child.leaf, isBranch: child.hasChildren });
    } else if (child.leaf) {
      walk.leafPaths!.push(path);
    }
  }
}

function compileSteps(pattern: string): Step[] {
  return splitPattern(pattern).map((part) => {
    if (!hasGlob(part)) return { literal: part, matches: null };
    return { literal: null, matches: part === '*' ? null : compileGlob(part) };
  });
}
