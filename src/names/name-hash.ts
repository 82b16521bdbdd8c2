/**
 * The hash of a name the store's tables agree on (NameTable's slots, the metric tree's parent
 * cache and path components): FNV-1a over the characters, then murmur3's finaliser. FNV's low
 * bits, which pick the slot, depend only on the low bits of each character, and names that differ
 * in their last digits crowded into long probe runs. Over a string it reads UTF-16 code units,
 * over bytes the bytes: the two agree on ASCII names, the only ones kept as bytes.
 */
import { murmurFinalise } from '../murmur-finaliser.js';

/** The hash's walk starts from this state and takes each character through one step (FNV-1a). */
export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;

/** The hash of `name.slice(start, end)`, without the slice. */
export function hashName(name: string, start = 0, end = name.length): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ name.charCodeAt(i), FNV_PRIME);
  return murmurFinalise(hash);
}

/** The hash of the ASCII name in bytes[start, end): hashName's of its string. */
export function hashNameBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i], FNV_PRIME);
  return murmurFinalise(hash);
}

/** describePath's fields, per path, in its output. */
export const PathField = { whole: 0, lastDot: 1, parent: 2, leaf: 3 } as const;
export const PATH_FIELDS = 4;

/**
 * What the store's lookups of a new ASCII path in bytes[start, end) hash, in one walk, written at
 * out[at...] (PathField): the whole path's hash, the offset of its last dot (-1: none), the hash
 * of the part before that dot (the tree's parent) and of the part after it (the leaf component).
 * Each equals hashNameBytes of its range. Walked once: the lookups hashed the same path three times.
 */
export function describePath(bytes: Uint8Array, start: number, end: number, out: Int32Array, at: number): void {
  let hash = FNV_OFFSET;
  let parent = FNV_OFFSET;
  let dot = -1;
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c === 0x2e /* . */) {
      dot = i;
      parent = hash;
    }
    hash = Math.imul(hash ^ c, FNV_PRIME);
  }
  describeWalkedPath(bytes, start, end, hash, dot, parent, out, at);
}

/**
 * describePath's fields from a walk of bytes[start, end) made already (the carbon parser's scan of
 * a line's name): `state` is the walk's state after the whole path (hashNameBytes is its
 * murmurFinalise), `dot` the offset of the last dot (-1: none) and `parentState` the state just
 * before it (FNV_OFFSET if none). Only the part after the dot is walked again, for the leaf.
 */
export function describeWalkedPath(
  bytes: Uint8Array,
  start: number,
  end: number,
  state: number,
  dot: number,
  parentState: number,
  out: Int32Array,
  at: number,
): void {
  let leaf = FNV_OFFSET;
  for (let i = dot < 0 ? start : dot + 1; i < end; i++) leaf = Math.imul(leaf ^ bytes[i], FNV_PRIME);
  out[at + PathField.whole] = murmurFinalise(state);
  out[at + PathField.lastDot] = dot;
  out[at + PathField.parent] = murmurFinalise(parentState);
  out[at + PathField.leaf] = murmurFinalise(leaf);
}
