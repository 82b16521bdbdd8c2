/**
 * The metric tree of untagged series names, one node per path component, so a glob is resolved
 * node by node: a plain component is one map lookup, a wildcard tests only that node's children.
 * `/metrics/find` and glob targets cost what they match, not the number of series.
 */
import { compileGlob, hasGlob } from '../names/glob.js';

/**
 * A node keeps its first child inline and moves to a Map only at the second: most nodes of a
 * metric tree have one child (`host42` -> `latency`), and a Map per node is most of the cost of
 * adding a million series.
 */
class TrieNode {
  private onlyName: string | null = null;
  private onlyChild: TrieNode | null = null;
  private many: Map<string, TrieNode> | null = null;
  /** A series ends here. */
  leaf = false;

  get childCount(): number {
    return this.many ? this.many.size : this.onlyChild ? 1 : 0;
  }

  child(name: string): TrieNode | undefined {
    if (this.many) return this.many.get(name);
    return this.onlyName === name ? this.onlyChild! : undefined;
  }

  /** The child named `name`, created if missing. */
  childOrNew(name: string): TrieNode {
    const existing = this.child(name);
    if (existing) return existing;
    const created = new TrieNode();
    if (this.many) this.many.set(name, created);
    else if (this.onlyChild === null) {
      this.onlyName = name;
      this.onlyChild = created;
    } else {
      this.many = new Map([[this.onlyName!, this.onlyChild]]);
      this.many.set(name, created);
      this.onlyName = null;
      this.onlyChild = null;
    }
    return created;
  }

  deleteChild(name: string): void {
    if (this.many) this.many.delete(name);
    else if (this.onlyName === name) {
      this.onlyName = null;
      this.onlyChild = null;
    }
  }

  /** Child names, in no particular order. */
  childNames(): Iterable<string> {
    if (this.many) return this.many.keys();
    return this.onlyName === null ? [] : [this.onlyName];
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

export class PathTrie {
  private readonly root = new TrieNode();
  private leaves = 0;

  get size(): number {
    return this.leaves;
  }

  add(path: string): void {
    let node = this.root;
    for (const part of path.split('.')) node = node.childOrNew(part);
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
      if (node.leaf || node.childCount > 0) break;
      trail[i - 1].deleteChild(parts[i - 1]);
    }
  }

  /** Every node at the pattern's depth whose path matches it, sorted by path. */
  find(pattern: string): TrieMatch[] {
    const parts = splitPattern(pattern);
    // Compiled once per query, not once per visited node.
    const matchers = parts.map((part) => (hasGlob(part) ? compileGlob(part) : null));
    const out: TrieMatch[] = [];
    this.walk(this.root, parts, matchers, 0, '', out);
    return out;
  }

  /** Full names of the series (leaves) matching a pattern, sorted. */
  match(pattern: string): string[] {
    return this.find(pattern)
      .filter((m) => m.isLeaf)
      .map((m) => m.path);
  }

  /** Visits matching children in name order, so results come out sorted without a final sort. */
  private walk(
    node: TrieNode,
    parts: readonly string[],
    matchers: readonly (((name: string) => boolean) | null)[],
    depth: number,
    prefix: string,
    out: TrieMatch[],
  ): void {
    if (node.childCount === 0) return;
    const last = depth === parts.length - 1;
    const visit = (name: string, child: TrieNode): void => {
      const path = prefix === '' ? name : `${prefix}.${name}`;
      if (last) out.push({ path, name, isLeaf: child.leaf, isBranch: child.childCount > 0 });
      else this.walk(child, parts, matchers, depth + 1, path, out);
    };
    const matches = matchers[depth];
    if (matches === null) {
      const child = node.child(parts[depth]);
      if (child) visit(parts[depth], child);
      return;
    }
    const names: string[] = [];
    if (parts[depth] === '*') for (const name of node.childNames()) names.push(name); // no test needed
    else for (const name of node.childNames()) if (matches(name)) names.push(name);
    names.sort();
    for (const name of names) visit(name, node.child(name)!);
  }
}
