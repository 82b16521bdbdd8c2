/**
 * The metric tree's cache of recent parents of added paths, by a hash of the parent's path: (hash,
 * node, a path that begins with the parent's path and a dot). Series come in thousands under a
 * few hundred parents (`cb.host_07.`), and a cached parent spares adding a path a slice, a hash
 * and two lookups per component above the leaf, about a third of adding a new series' path.
 *
 * Two slots a set: a parent is cached in the first slot of its set, the one there before moving to
 * the second, so two parents whose hashes share a set both stay cached. With one slot a set, series
 * that alternate between such parents (8% of them with 100 hosts: `cb.host_07.`, `cb.host_42.`)
 * missed the cache every time.
 */
import { writeAsciiName } from '../names/ascii-name.js';
import { ByteRuns } from '../names/byte-runs.js';

/** No node: not cached. */
export const NOT_CACHED = -1;

/** Sets of the cache, a power of two; two slots each. */
const SETS = 1024;
const SLOTS = 2 * SETS;
/** Bytes of a cached parent's path kept as bytes too (longer ones are compared as strings). */
const PATH_BYTES = 64;

export class ParentCache {
  private readonly hashes = new Int32Array(SLOTS);
  private readonly nodes = new Int32Array(SLOTS).fill(NOT_CACHED);
  /** `voids` when each slot was cached: a slot cached before the last voidAll() is void. */
  private readonly cachedAt = new Float64Array(SLOTS);
  private voids = 0;
  private readonly paths: string[] = new Array<string>(SLOTS).fill('');
  /**
   * The cached parent's length in its path. Without it, a parent whose hash equalled that of
   * one of its descendants cached in the slot (`a` and `a.b`, 2^-32) was taken for it.
   */
  private readonly lengths = new Int32Array(SLOTS);
  /**
   * The cached parent's path as bytes, at pathBytes[slot * PATH_BYTES...], when it is ASCII and
   * fits (ascii[slot] = 1): a new series' parent is compared with its bytes four at a time, not
   * character by character with the string's.
   */
  private readonly pathBytes = new Uint8Array(SLOTS * PATH_BYTES);
  private readonly ascii = new Uint8Array(SLOTS);
  private readonly byteRuns = new ByteRuns();

  /** The node of path[0, end), whose hash is `hash`, if cached, else NOT_CACHED. */
  find(path: string, end: number, hash: number): number {
    const first = 2 * (hash & (SETS - 1));
    for (let slot = first; slot < first + 2; slot++) {
      if (!this.mayBe(slot, hash, end)) continue;
      const cached = this.paths[slot];
      let i = 0;
      while (i < end && cached.charCodeAt(i) === path.charCodeAt(i)) i++;
      if (i === end) return this.nodes[slot];
    }
    return NOT_CACHED;
  }

  /** find() of the ASCII path in bytes[start, end). */
  findBytes(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const first = 2 * (hash & (SETS - 1));
    const length = end - start;
    for (let slot = first; slot < first + 2; slot++) {
      if (!this.mayBe(slot, hash, length)) continue;
      if (this.ascii[slot] === 1) {
        if (this.byteRuns.equals(bytes, start, end, this.pathBytes, slot * PATH_BYTES)) return this.nodes[slot];
        continue;
      }
      const cached = this.paths[slot];
      let i = 0;
      while (i < length && cached.charCodeAt(i) === bytes[start + i]) i++;
      if (i === length) return this.nodes[slot];
    }
    return NOT_CACHED;
  }

  /** Caches `node` as the parent whose hash is `hash`, named by path[0, length) (a dot follows). */
  remember(path: string, length: number, node: number, hash: number): void {
    const slot = 2 * (hash & (SETS - 1));
    this.hashes[slot + 1] = this.hashes[slot];
    this.lengths[slot + 1] = this.lengths[slot];
    this.nodes[slot + 1] = this.nodes[slot];
    this.cachedAt[slot + 1] = this.cachedAt[slot];
    this.paths[slot + 1] = this.paths[slot];
    this.ascii[slot + 1] = this.ascii[slot];
    this.pathBytes.copyWithin((slot + 1) * PATH_BYTES, slot * PATH_BYTES, (slot + 1) * PATH_BYTES);
    this.hashes[slot] = hash;
    this.lengths[slot] = length;
    this.nodes[slot] = node;
    this.cachedAt[slot] = this.voids;
    this.paths[slot] = path;
    this.ascii[slot] = length <= PATH_BYTES && writeAsciiName(this.pathBytes.subarray(slot * PATH_BYTES, slot * PATH_BYTES + length), 0, path.slice(0, length)) >= 0 ? 1 : 0;
  }

  /** Voids every cached parent: a node was freed, and may be reused under another path. */
  voidAll(): void {
    this.voids++;
  }

  /** Whether `slot` holds a parent of this hash and length cached since the last voidAll(). */
  private mayBe(slot: number, hash: number, length: number): boolean {
    return this.nodes[slot] !== NOT_CACHED && this.hashes[slot] === hash && this.lengths[slot] === length && this.cachedAt[slot] === this.voids;
  }
}
