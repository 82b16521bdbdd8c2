/**
 * Open-addressing hash table from (kind, name bytes) to a dense metric index 0, 1, 2, ...
 * Keys live in one growable byte arena, so a lookup never decodes or allocates: it compares a
 * 32-bit hash first and the bytes only on a hash match.
 */

const INITIAL_SLOTS = 1024;
const INITIAL_ARENA_BYTES = 64 * 1024;
const INITIAL_ENTRIES = 512;

/**
 * murmur3's finaliser. Receivers shard by `fnv1a % shards`, so within one shard the low bits of
 * the record hash are correlated; mixing restores a uniform spread over the slots.
 */
function mixHash(nameHash: number, kind: number): number {
  let h = (nameHash ^ Math.imul(kind + 1, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class MetricTable {
  /** Number of keys held; indices are 0 .. size-1 in insertion order. */
  size = 0;

  /** Slot -> entry index + 1 (0 = empty). Power-of-two length, at most half full. */
  private slots = new Int32Array(INITIAL_SLOTS);
  /** Slot -> mixed hash of its entry, to skip byte comparison on most mismatches. */
  private slotHashes = new Uint32Array(INITIAL_SLOTS);

  private arena = new Uint8Array(INITIAL_ARENA_BYTES);
  private arenaUsed = 0;

  private keyStarts = new Uint32Array(INITIAL_ENTRIES);
  private keyLengths = new Uint32Array(INITIAL_ENTRIES);
  private kinds = new Uint8Array(INITIAL_ENTRIES);
  private hashes = new Uint32Array(INITIAL_ENTRIES);

  /**
   * Index of the key (kind, bytes[start, start+length)), or -1 if absent.
   * `nameHash` is any 32-bit hash of the name bytes that is the same for equal names.
   */
  find(kind: number, nameHash: number, bytes: Uint8Array, start: number, length: number): number {
    const hash = mixHash(nameHash, kind);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] - 1;
      if (entry < 0) return -1;
      if (this.slotHashes[slot] === hash && this.keyEquals(entry, kind, bytes, start, length)) return entry;
    }
  }

  /** Adds a key known to be absent (call `find` first) and returns its new index. */
  insert(kind: number, nameHash: number, bytes: Uint8Array, start: number, length: number): number {
    if ((this.size + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    if (this.size === this.kinds.length) this.growEntries();
    if (this.arenaUsed + length > this.arena.length) this.growArena(this.arenaUsed + length);

    const entry = this.size++;
    const hash = mixHash(nameHash, kind);
    const arena = this.arena;
    const at = this.arenaUsed;
    for (let i = 0; i < length; i++) arena[at + i] = bytes[start + i];
    this.keyStarts[entry] = this.arenaUsed;
    this.keyLengths[entry] = length;
    this.kinds[entry] = kind;
    this.hashes[entry] = hash;
    this.arenaUsed += length;
    this.place(entry, hash);
    return entry;
  }

  /** Forgets every key, keeping the allocated capacity. */
  clear(): void {
    this.slots.fill(0);
    this.size = 0;
    this.arenaUsed = 0;
  }

  kindOf(entry: number): number {
    return this.kinds[entry];
  }

  private keyEquals(entry: number, kind: number, bytes: Uint8Array, start: number, length: number): boolean {
    if (this.kinds[entry] !== kind || this.keyLengths[entry] !== length) return false;
    const arena = this.arena;
    const keyStart = this.keyStarts[entry];
    for (let i = 0; i < length; i++) {
      if (arena[keyStart + i] !== bytes[start + i]) return false;
    }
    return true;
  }

  private place(entry: number, hash: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = entry + 1;
    this.slotHashes[slot] = hash;
  }

  private rehash(slotCount: number): void {
    this.slots = new Int32Array(slotCount);
    this.slotHashes = new Uint32Array(slotCount);
    for (let entry = 0; entry < this.size; entry++) this.place(entry, this.hashes[entry]);
  }

  private growEntries(): void {
    const capacity = this.kinds.length * 2;
    this.keyStarts = grow(this.keyStarts, new Uint32Array(capacity));
    this.keyLengths = grow(this.keyLengths, new Uint32Array(capacity));
    this.kinds = grow(this.kinds, new Uint8Array(capacity));
    this.hashes = grow(this.hashes, new Uint32Array(capacity));
  }

  private growArena(needed: number): void {
    let capacity = this.arena.length * 2;
    while (capacity < needed) capacity *= 2;
    this.arena = grow(this.arena, new Uint8Array(capacity));
  }
}

function grow<T extends Uint8Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
