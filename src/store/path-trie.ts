/**
 * The metric tree of untagged series names, one node per path component, so a glob is resolved
 * node by node: a plain component is one lookup, a wildcard tests only that node's children.
 * `/metrics/find` and glob targets cost what they match, not the number of series.
 *
 * Laid out in typed arrays rather than an object per node: a node is an index into them, its
 * name an interned id (PathSegments), and a node's children one run of (child, name id) pairs in
 * a shared arena. A wildcard level then reads runs of integers, a plain component is an integer
 * compare per child, and a glob is tested once per distinct name, not per node: a broad find
 * over a million names is bound by those reads, where a tree of objects and Maps chased a
 * pointer per node.
 */
import { compileGlob, hasGlob, type NameMatcher } from '../names/glob.js';
import { grown } from '../grown-array.js';
import { hashName, PATH_FIELDS, PathField } from '../names/name-hash.js';
import { nameInBlock, type NameBlock } from '../names/name-block.js';
import { ChildTable } from './child-table.js';
import { PathSegments } from './path-segments.js';
import { TREE_BRANCH, TREE_LEAF, type TreeNodes } from './series-store.js';
import { latin1Slice } from '../names/ascii-name.js';
import { NOT_CACHED, ParentCache } from './parent-cache.js';

const ROOT = 0;
const NONE = -1;
/** flags: a series ends at the node. */
const LEAF = 1;
/** flags: the node's run is in name order; cleared by any change to it, restored by the next wildcard walk. */
const SORTED = 2;
/** A node with more children than this finds one through the child table, not by scanning its run. */
const SCAN_LIMIT = 16;

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
 * One pattern component, compiled once per query: a literal is its name id (NONE when no node
 * has that name: nothing matches), `*` takes every child untested, anything else is a matcher.
 */
interface Step {
  literal: number | null;
  /** null for `*` and for literals. */
  matches: NameMatcher | null;
}

export class PathTrie {
  private readonly segments = new PathSegments();
  private leaves = 0;
  /** Node ids run from 0 (the root) to this (exclusive); freed ones are reused. */
  private nodeLimit = 1;
  private readonly freeNodes: number[] = [];
  private parent = new Int32Array(1024);
  private segment = new Int32Array(1024);
  private flags = new Uint8Array(1024);
  /** The node's run of children in the arena: start, length, and room (capacity). */
  private runStart = new Int32Array(1024);
  private runLength = new Int32Array(1024);
  private runRoom = new Int32Array(1024);
  /** Index of the node in its parent's run, so removing it needs no scan of a long run. */
  private position = new Int32Array(1024);
  /** The arena: children's node ids, and their name ids beside them for lookups. */
  private kids = new Int32Array(4096);
  private kidSegments = new Int32Array(4096);
  private arenaEnd = 0;
  /** Arena slots inside live runs; the rest below arenaEnd is left behind by moved runs. */
  private arenaLive = 0;
  /**
   * By name id: one node of that name (the first made), or NONE. Most names belong to one node
   * (`metric_0012345`), which is then found here, at its name's slot, rather than in longRuns.
   */
  private firstNamed = new Int32Array(1024).fill(NONE);
  /**
   * (node, name id) -> child, for the children of each node with more than SCAN_LIMIT of them
   * that firstNamed does not give.
   */
  private readonly longRuns = new ChildTable();
  /** Walk scratch: one level's nodes and the next's, swapped per level. */
  private levelA = new Int32Array(1024);
  private levelB = new Int32Array(1024);
  /** The last path pathOf built at each depth, and its node; emptied by any change, as ids are reused. */
  private readonly pathNodes: number[] = [];
  private readonly paths: string[] = [];
  /** The last find's kinds and name ids. */
  private kinds = new Uint8Array(1024);
  private nameIds = new Int32Array(1024);
  /** Per-query glob results by name id: 0 untested, 1 match, 2 no match. */
  private memo = new Uint8Array(1024);
  /** Recent parents of added paths (parent-cache.ts). */
  private readonly parents = new ParentCache();

  get size(): number {
    return this.leaves;
  }

  add(path: string): void {
    const lastDot = path.lastIndexOf('.');
    let node: number;
    if (lastDot <= 0) node = this.addUnder(ROOT, path, 0, path.length);
    else {
      const parentHash = hashName(path, 0, lastDot);
      node = this.parents.find(path, lastDot, parentHash);
      if (node === NOT_CACHED) {
        node = this.addUnder(ROOT, path, 0, lastDot);
        this.parents.remember(path, lastDot, node, parentHash);
      }
      node = this.addLeaf(node, path, lastDot + 1);
    }
    this.markLeaf(node);
  }

  /**
   * add() of plain name k of a block (see NameBlock), from its bytes and the hashes the block
   * carries: no string is made, but a parent's path when the parent cache does not have it.
   */
  addIn(names: NameBlock, k: number): void {
    const at = k * PATH_FIELDS;
    const start = names.starts[k];
    const end = names.starts[k + 1];
    const lastDot = names.paths[at + PathField.lastDot];
    if (lastDot <= start) {
      this.add(nameInBlock(names, k));
      return;
    }
    const bytes = names.bytes;
    const parentHash = names.paths[at + PathField.parent];
    let node = this.parents.findBytes(bytes, start, lastDot, parentHash);
    if (node === NOT_CACHED) {
      // The parent's path and its dot: the parent cache's form (a path that goes on past a dot).
      const parent = latin1Slice.call(bytes, start, lastDot + 1);
      node = this.addUnder(ROOT, parent, 0, lastDot - start);
      this.parents.remember(parent, lastDot - start, node, parentHash);
    }
    const leafHash = names.paths[at + PathField.leaf];
    const id = this.segments.idOfBytes(bytes, lastDot + 1, end, leafHash);
    const child = id < 0 ? NONE : this.child(node, id);
    this.markLeaf(child !== NONE ? child : this.newChild(node, id >= 0 ? id : this.segments.addBytes(bytes, lastDot + 1, end, leafHash)));
  }

  /**
   * Readies the lookups of names [from, to) of a block about to be added (addIn): their last
   * components, new in a burst of new series, by the hashes the block carries.
   */
  prefetchIn(names: NameBlock, from: number, to: number): void {
    this.segments.prefetch(names.paths, from * PATH_FIELDS + PathField.leaf, to - from, PATH_FIELDS);
  }

  private markLeaf(node: number): void {
    if ((this.flags[node] & LEAF) === 0) {
      this.flags[node] |= LEAF;
      this.leaves++;
    }
  }

  /** The node of path's last component, from `start` on (no dot), under `node`; added if missing. */
  private addLeaf(node: number, path: string, start: number): number {
    const part = path.slice(start);
    const id = this.segments.id(part);
    const child = id === undefined ? NONE : this.child(node, id);
    return child === NONE ? this.newChild(node, id ?? this.segments.add(part)) : child;
  }

  /** The node of the components in path[start, end) below `node`, added where missing. */
  private addUnder(node: number, path: string, start: number, end: number): number {
    for (;;) {
      let dot = path.indexOf('.', start);
      if (dot < 0 || dot > end) dot = end;
      const part = start === 0 && dot === path.length ? path : path.slice(start, dot);
      // A name never seen (a burst of new series: `metric_0012345`) is a new child without a lookup.
      const id = this.segments.id(part);
      const child = id === undefined ? NONE : this.child(node, id);
      node = child === NONE ? this.newChild(node, id ?? this.segments.add(part)) : child;
      if (dot === end) return node;
      start = dot + 1;
    }
  }

  remove(path: string): void {
    let node = ROOT;
    for (const part of path.split('.')) {
      const id = this.segments.id(part);
      node = id === undefined ? NONE : this.child(node, id);
      if (node === NONE) return;
    }
    if ((this.flags[node] & LEAF) === 0) return;
    this.flags[node] &= ~LEAF;
    this.leaves--;
    // Prune empty nodes upwards.
    while (node !== ROOT && (this.flags[node] & LEAF) === 0 && this.runLength[node] === 0) {
      const parent = this.parent[node];
      this.unlink(parent, node);
      this.segments.release(this.segment[node]);
      this.freeNodes.push(node);
      this.parents.voidAll(); // a freed node may be reused under another path
      node = parent;
    }
  }

  /**
   * Every node at the pattern's depth whose path matches it, in path order (node by node). The
   * answer reads the tree and lives in its scratch arrays: read it before the tree changes and
   * before the next find. A broad find then allocates no arrays: 1 MB of them per answer made
   * the external memory that brought a full collection of the heap every few dozen finds.
   */
  find(pattern: string): TreeNodes {
    const nodes = this.walk(pattern);
    if (this.kinds.length < nodes.length) {
      this.kinds = new Uint8Array(nodes.length);
      this.nameIds = new Int32Array(nodes.length);
    }
    const kinds = this.kinds.subarray(0, nodes.length);
    const nameIds = this.nameIds.subarray(0, nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      kinds[i] = ((this.flags[node] & LEAF) !== 0 ? TREE_LEAF : 0) | (this.runLength[node] > 0 ? TREE_BRANCH : 0);
      nameIds[i] = this.segment[node];
    }
    return new TrieNodes(this, nodes, kinds, nameIds, this.segments.idLimit);
  }

  /** Full names of the series (leaves) matching a pattern, in path order. */
  match(pattern: string): string[] {
    const paths: string[] = [];
    for (const node of this.walk(pattern)) if ((this.flags[node] & LEAF) !== 0) paths.push(this.pathOf(node));
    return paths;
  }

  nameOf(node: number): string {
    return this.segments.name(this.segment[node]);
  }

  /**
   * Built from its parent's path, which is kept (one per depth) for the next call: a listing in
   * path order builds each parent's path once for all its children, not once per child.
   */
  pathOf(node: number): string {
    let depth = 0;
    for (let up = node; up !== ROOT; up = this.parent[up]) depth++;
    return this.pathAt(node, depth - 1);
  }

  private pathAt(node: number, depth: number): string {
    if (this.pathNodes[depth] === node) return this.paths[depth];
    const name = this.segments.name(this.segment[node]);
    const path = depth === 0 ? name : `${this.pathAt(this.parent[node], depth - 1)}.${name}`;
    this.pathNodes[depth] = node;
    this.paths[depth] = path;
    return path;
  }

  private child(node: number, id: number): number {
    const length = this.runLength[node];
    if (length > SCAN_LIMIT) {
      const named = this.firstNamed[id];
      return named !== NONE && this.parent[named] === node ? named : this.longRuns.get(node, id);
    }
    const kidSegments = this.kidSegments;
    const start = this.runStart[node];
    for (let i = start, end = start + length; i < end; i++) if (kidSegments[i] === id) return this.kids[i];
    return NONE;
  }

  private newChild(parent: number, id: number): number {
    this.forgetPaths();
    this.segments.use(id);
    const node = this.freeNodes.pop() ?? this.nodeLimit++;
    if (node >= this.parent.length) this.growNodes();
    this.parent[node] = parent;
    this.segment[node] = id;
    this.flags[node] = 0;
    this.runLength[node] = 0;
    this.runRoom[node] = 0;
    let length = this.runLength[parent];
    if (length === this.runRoom[parent]) this.widenRun(parent);
    const at = this.runStart[parent] + length;
    this.kids[at] = node;
    this.kidSegments[at] = id;
    this.position[node] = length;
    this.runLength[parent] = ++length;
    this.flags[parent] &= ~SORTED;
    if (id >= this.firstNamed.length) this.firstNamed = grown(this.firstNamed, Math.max(2 * this.firstNamed.length, id + 1), NONE);
    const first = this.firstNamed[id] === NONE;
    if (first) this.firstNamed[id] = node;
    if (length === SCAN_LIMIT + 1) this.indexRun(parent);
    else if (length > SCAN_LIMIT && !first) this.longRuns.set(parent, id, node);
    return node;
  }

  /** Takes node out of parent's run: the run's last child fills its place. */
  private unlink(parent: number, node: number): void {
    this.forgetPaths();
    const start = this.runStart[parent];
    const last = this.runLength[parent] - 1;
    const at = this.position[node];
    if (at !== last) {
      const moved = this.kids[start + last];
      this.kids[start + at] = moved;
      this.kidSegments[start + at] = this.kidSegments[start + last];
      this.position[moved] = at;
      this.flags[parent] &= ~SORTED;
    }
    this.runLength[parent] = last;
    const id = this.segment[node];
    if (last >= SCAN_LIMIT && this.firstNamed[id] !== node) this.longRuns.delete(parent, id);
    if (last === SCAN_LIMIT) {
      for (let i = start; i < start + last; i++) if (this.firstNamed[this.kidSegments[i]] !== this.kids[i]) this.longRuns.delete(parent, this.kidSegments[i]);
    }
    if (this.firstNamed[id] === node) this.firstNamed[id] = NONE;
    if (last === 0) {
      this.arenaLive -= this.runRoom[parent];
      this.runRoom[parent] = 0;
    }
  }

  /** Empties pathOf's memo. Only when it holds any: setting an array's length is a runtime call, a tenth of adding a node. */
  private forgetPaths(): void {
    if (this.pathNodes.length > 0) this.pathNodes.length = 0;
  }

  private indexRun(node: number): void {
    const start = this.runStart[node];
    for (let i = start, end = start + this.runLength[node]; i < end; i++) {
      if (this.firstNamed[this.kidSegments[i]] !== this.kids[i]) this.longRuns.set(node, this.kidSegments[i], this.kids[i]);
    }
  }

  /**
   * Gives node's run more room: in place when it ends the arena (children added one after
   * another, the usual ingest order), else moved to the end with twice the room.
   */
  private widenRun(node: number): void {
    const room = this.runRoom[node];
    const wanted = room === 0 ? 1 : room < 4 ? 4 : room * 2;
    const start = this.runStart[node];
    if (room > 0 && start + room === this.arenaEnd && start + wanted <= this.kids.length) {
      this.arenaEnd = start + wanted;
      this.arenaLive += wanted - room;
      this.runRoom[node] = wanted;
      return;
    }
    this.reserve(wanted);
    // Compaction may have moved the run and trimmed its room.
    const from = this.runStart[node];
    const length = this.runLength[node];
    const to = this.arenaEnd;
    this.kids.copyWithin(to, from, from + length);
    this.kidSegments.copyWithin(to, from, from + length);
    this.arenaLive += wanted - this.runRoom[node];
    this.runStart[node] = to;
    this.runRoom[node] = wanted;
    this.arenaEnd = to + wanted;
  }

  /** Room for `slots` more at the arena's end: compacted when as much is left behind as is live, else grown. */
  private reserve(slots: number): void {
    if (this.arenaEnd + slots <= this.kids.length) return;
    const live = this.arenaLive;
    if (this.arenaEnd - live >= live) this.compact(Math.max(4096, 2 * (live + slots)));
    else {
      const size = Math.max(2 * this.kids.length, this.arenaEnd + slots);
      this.kids = grown(this.kids, size);
      this.kidSegments = grown(this.kidSegments, size);
    }
  }

  /**
   * Copies every live run into fresh arrays, level by level from the root, each with just its
   * length as room: a wildcard level then reads its parents' runs one after another.
   */
  private compact(size: number): void {
    const kids = new Int32Array(size);
    const kidSegments = new Int32Array(size);
    const queue = new Int32Array(this.nodeLimit);
    let queued = 1;
    let end = 0;
    for (let q = 0; q < queued; q++) {
      const node = queue[q];
      const start = this.runStart[node];
      const length = this.runLength[node];
      kids.set(this.kids.subarray(start, start + length), end);
      kidSegments.set(this.kidSegments.subarray(start, start + length), end);
      this.runStart[node] = end;
      this.runRoom[node] = length;
      for (let i = end; i < end + length; i++) if (this.runLength[kids[i]] > 0) queue[queued++] = kids[i];
      end += length;
    }
    this.kids = kids;
    this.kidSegments = kidSegments;
    this.arenaEnd = end;
    this.arenaLive = end;
  }

  private growNodes(): void {
    const size = this.parent.length * 2;
    this.parent = grown(this.parent, size);
    this.segment = grown(this.segment, size);
    this.flags = grown(this.flags, size);
    this.runStart = grown(this.runStart, size);
    this.runLength = grown(this.runLength, size);
    this.runRoom = grown(this.runRoom, size);
    this.position = grown(this.position, size);
  }

  /** Puts node's run in name order (once after each change), so walks emit in path order without sorting per visit. */
  private sortRun(node: number): void {
    this.flags[node] |= SORTED;
    const length = this.runLength[node];
    if (length < 2) return;
    const start = this.runStart[node];
    // Each child's name made once, not per comparison: names are kept as bytes (PathSegments).
    const names = Array.from(this.kids.subarray(start, start + length), (kid) => this.nameOf(kid));
    const byName = Array.from(names.keys()).sort((a, b) => compare(names[a], names[b]));
    const order = byName.map((k) => this.kids[start + k]);
    for (let i = 0; i < length; i++) {
      this.kids[start + i] = order[i];
      this.kidSegments[start + i] = this.segment[order[i]];
      this.position[order[i]] = i;
    }
  }

  /**
   * The nodes matching a pattern, level by level: each level is in path order, and so are the
   * children each node adds after those of the node before it. Only branches go on to the next
   * level.
   */
  private walk(pattern: string): Int32Array {
    const steps = splitPattern(pattern).map((part) => this.step(part));
    // A plain component no node has: nothing can match (`*.*.*.nope` walks no level).
    if (steps.some((step) => step.literal === NONE)) return new Int32Array(0);
    let level = this.levelA;
    let next = this.levelB;
    level[0] = ROOT;
    let count = 1;
    for (let depth = 0; depth < steps.length && count > 0; depth++) {
      const { literal, matches } = steps[depth];
      const all = depth === steps.length - 1;
      let found = 0;
      if (literal !== null) {
        if (next.length < count) next = grown(next, Math.max(count, 2 * next.length));
        for (let i = 0; i < count; i++) {
          const child = this.child(level[i], literal);
          if (child !== NONE && (all || this.runLength[child] > 0)) next[found++] = child;
        }
      } else {
        if (matches !== null) this.memo.fill(0, 0, Math.min(this.memo.length, this.segments.idLimit));
        for (let i = 0; i < count; i++) {
          const node = level[i];
          const length = this.runLength[node];
          if (length === 0) continue;
          if ((this.flags[node] & SORTED) === 0) this.sortRun(node);
          if (next.length < found + length) next = grown(next, Math.max(found + length, 2 * next.length));
          const start = this.runStart[node];
          for (let j = start; j < start + length; j++) {
            const kid = this.kids[j];
            if (!all && this.runLength[kid] === 0) continue;
            if (matches !== null && !this.matchesName(matches, this.kidSegments[j])) continue;
            next[found++] = kid;
          }
        }
      }
      [level, next] = [next, level];
      count = found;
    }
    this.levelA = level;
    this.levelB = next;
    return level.subarray(0, count);
  }

  /** A glob tested once per distinct name per query. */
  private matchesName(matches: NameMatcher, id: number): boolean {
    if (id >= this.memo.length) this.memo = grown(this.memo, Math.max(this.segments.idLimit, 2 * this.memo.length));
    let known = this.memo[id];
    if (known === 0) this.memo[id] = known = matches(this.segments.name(id)) ? 1 : 2;
    return known === 1;
  }

  private step(part: string): Step {
    if (!hasGlob(part)) return { literal: this.segments.id(part) ?? NONE, matches: null };
    return { literal: null, matches: part === '*' ? null : compileGlob(part) };
  }
}

/** A find's answer: node ids into the tree, read through it. */
class TrieNodes implements TreeNodes {
  constructor(
    private readonly trie: PathTrie,
    private readonly nodes: Int32Array,
    readonly kinds: Uint8Array,
    readonly nameIds: Int32Array,
    readonly nameIdLimit: number,
  ) {}

  get length(): number {
    return this.nodes.length;
  }

  path(i: number): string {
    return this.trie.pathOf(this.nodes[i]);
  }

  name(i: number): string {
    return this.trie.nameOf(this.nodes[i]);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
