/**
 * Open-addressing hash table from (kind, name bytes) to a dense metric index 0, 1, 2, ...
 * Keys live in one growable byte arena, so a lookup never decodes or allocates.
 *
 * With 100k names the table outgrows the CPU caches and a lookup's cost is its cache misses, so
 * everything a probe needs (hash, entry, key offset, key length and kind) sits in one 16-byte slot
 * row: a hit costs one miss on the row and one on the key bytes it compares.
 */
import { murmurFinalise } from '../murmur-finaliser.js';

const INITIAL_SLOTS = 1024;
const INITIAL_ARENA_BYTES = 64 * 1024;
const INITIAL_ENTRIES = 512;

/** Int32 words per slot row. */
const ROW = 4;
const SlotWord = {
  hash: 0,
  /** entry index + 1; 0 = empty slot */
  entry: 1,
  keyStart: 2,
  /** key length (< 2^24) | kind << 24 */
  shape: 3,
} as const;

/**
 * murmur3's finaliser. Receivers shard by `nameHash % shards`, so within one shard the low bits of
 * the record hash are correlated; mixing restores a uniform spread over the slots.
 */
export function mixHash(nameHash: number, kind: number): number {
  return murmurFinalise(nameHash ^ Math.imul(kind + 1, 0x9e3779b1));
}

export class MetricTable {
  /** Number of keys held; indices are 0 .. size-1 in insertion order. */
  size = 0;

  /** Slot rows (see SlotWord); a power-of-two number of slots, at most half full. */
  private slots = new Int32Array(INITIAL_SLOTS * ROW);
  private slotMask = INITIAL_SLOTS - 1;

  private arena = new Uint8Array(INITIAL_ARENA_BYTES);
  private arenaView = new DataView(this.arena.buffer);
  private arenaUsed = 0;
  /** A view of the last key source, so keys compare 4 bytes at a time. */
  private sourceBytes: Uint8Array = new Uint8Array(0);
  private sourceView: DataView = new DataView(this.sourceBytes.buffer);

  private kinds = new Uint8Array(INITIAL_ENTRIES);
  /** Sink of `touchKey`'s loads. */
  private touched = 0;

  /**
   * Index of the key (kind, bytes[start, start+length)), or -1 if absent.
   * `nameHash` is any 32-bit hash of the name bytes that is the same for equal names.
   */
  find(kind: number, nameHash: number, bytes: Uint8Array, start: number, length: number): number {
    return this.findMixed(mixHash(nameHash, kind), kind, bytes, start, length);
  }

  /** `find` with `mixHash(nameHash, kind)` already worked out (a batch works it out once). */
  findMixed(hash: number, kind: number, bytes: Uint8Array, start: number, length: number): number {
    const shape = length | (kind << 24);
    const slots = this.slots;
    const mask = this.slotMask;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const row = slot * ROW;
      const entry = slots[row + SlotWord.entry];
      if (entry === 0) return -1;
      if (
        slots[row + SlotWord.hash] === hash &&
        slots[row + SlotWord.shape] === shape &&
        this.bytesEqual(slots[row + SlotWord.keyStart], bytes, start, length)
      ) {
        return entry - 1;
      }
    }
  }

  /**
   * Starts loading the first slot row `find` will probe (`mixed` is `mixHash(nameHash, kind)`), and returns a word of it so the load is
   * not optimised away. Issued for a batch of keys ahead of their `find`s, the cache misses of
   * the batch overlap instead of stalling one after another.
   */
  touchSlot(mixed: number): number {
    return this.slots[(mixed & this.slotMask) * ROW + SlotWord.hash];
  }

  /**
   * After `touchSlot`: starts loading the key bytes of the first probed slot and returns its entry
   * (a likely match, to be confirmed by `find`), or -1 if that slot is empty.
   */
  touchKey(mixed: number): number {
    const row = (mixed & this.slotMask) * ROW;
    const entry = this.slots[row + SlotWord.entry] - 1;
    if (entry >= 0) {
      // First and last byte: a key of a few dozen bytes often spans two cache lines.
      const keyStart = this.slots[row + SlotWord.keyStart];
      const keyLength = this.slots[row + SlotWord.shape] & 0xffffff;
      this.touched ^= this.arena[keyStart] ^ this.arena[keyStart + keyLength - 1];
    }
    return entry;
  }

  /** Adds a key known to be absent (call `find` first) and returns its new index. */
  insert(kind: number, nameHash: number, bytes: Uint8Array, start: number, length: number): number {
    if (length >= 1 << 24) throw new Error(`key of ${length} bytes is too long`);
    if ((this.size + 1) * 2 > this.slotMask + 1) this.rehash((this.slotMask + 1) * 2);
    if (this.size === this.kinds.length) this.growEntries();
    if (this.arenaUsed + length > this.arena.length) this.growArena(this.arenaUsed + length);

    const entry = this.size++;
    const arena = this.arena;
    const at = this.arenaUsed;
    for (let i = 0; i < length; i++) arena[at + i] = bytes[start + i];
    this.arenaUsed += length;
    this.kinds[entry] = kind;

    const hash = mixHash(nameHash, kind);
    const slots = this.slots;
    const row = this.freeRow(hash);
    slots[row + SlotWord.hash] = hash;
    slots[row + SlotWord.entry] = entry + 1;
    slots[row + SlotWord.keyStart] = at;
    slots[row + SlotWord.shape] = length | (kind << 24);
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

  private bytesEqual(keyStart: number, bytes: Uint8Array, start: number, length: number): boolean {
    if (bytes !== this.sourceBytes) {
      this.sourceBytes = bytes;
      this.sourceView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    const source = this.sourceView;
    const arena = this.arenaView;
    let i = 0;
    // Eight bytes a turn, one branch for both words: a branch per word cost 25-40% more per lookup.
    for (; i + 8 <= length; i += 8) {
      const diff =
        (arena.getInt32(keyStart + i, true) ^ source.getInt32(start + i, true)) |
        (arena.getInt32(keyStart + i + 4, true) ^ source.getInt32(start + i + 4, true));
      if (diff !== 0) return false;
    }
    if (i + 4 <= length) {
      if (arena.getInt32(keyStart + i, true) !== source.getInt32(start + i, true)) return false;
      i += 4;
    }
    for (; i < length; i++) {
      if (arena.getUint8(keyStart + i) !== source.getUint8(start + i)) return false;
    }
    return true;
  }

  /** Row offset of the first empty slot on the probe path of `hash`. */
  private freeRow(hash: number): number {
    const slots = this.slots;
    const mask = this.slotMask;
    let slot = hash & mask;
    while (slots[slot * ROW + SlotWord.entry] !== 0) slot = (slot + 1) & mask;
    return slot * ROW;
  }

  private rehash(slotCount: number): void {
    const old = this.slots;
    this.slots = new Int32Array(slotCount * ROW);
    this.slotMask = slotCount - 1;
    for (let from = 0; from < old.length; from += ROW) {
      if (old[from + SlotWord.entry] === 0) continue;
      const to = this.freeRow(old[from + SlotWord.hash]);
      for (let w = 0; w < ROW; w++) this.slots[to + w] = old[from + w];
    }
  }

  private growEntries(): void {
    const kinds = new Uint8Array(this.kinds.length * 2);
    kinds.set(this.kinds);
    this.kinds = kinds;
  }

  private growArena(needed: number): void {
    let capacity = this.arena.length * 2;
    while (capacity < needed) capacity *= 2;
    const arena = new Uint8Array(capacity);
    arena.set(this.arena.subarray(0, this.arenaUsed));
    this.arena = arena;
    this.arenaView = new DataView(arena.buffer);
  }
}
