/**
 * The receiver side of the hand-over: writes parsed samples as binary records into the ring of
 * the aggregator that owns each series (hash of the name modulo the number of aggregators).
 *
 * Each (kind, name) gets a number the first time this receiver meets it; its first record down
 * the ring carries the name, later ones only the number (see statsd-record.ts). Finding the number
 * costs a cache miss or two once there are many names, so samples are held back and numbered a
 * batch at a time (a datagram's worth): the misses of a batch overlap instead of queueing.
 */
import { ByteRingWriter, ringDoorbell, type ByteRingHandle } from './byte-ring.js';
import { MetricTable, mixHash } from './metric-table.js';
import { MetricKind, RecordFlags, RecordOffset, TailOffset, recordSize, tailOffset } from './statsd-record.js';
import type { StatsdSink } from './statsd-parser.js';

/** Shards a receiver can write to: one bit each in a 32-bit dirty mask. */
export const MAX_AGGREGATOR_SHARDS = 31;

/**
 * Bytes a ring takes in between two rings of its aggregator's doorbell (some ten thousand records).
 * An aggregator that has caught up sleeps; waking it costs a futex wake here and a thread wake
 * there, more than the ~25 records of one datagram, so a sleeping aggregator is woken once this
 * much is waiting, or by its own idle timeout, or by a flush (which drains everything). At 64 KiB
 * the wakes (Atomics.notify) took 3-4% of a receiver thread's CPU at 1.5M lines/s.
 */
const DOORBELL_BYTES = 256 * 1024;

/** Sizes of the records without a tail (see statsd-record.ts). */
const RECORD_BYTES = recordSize(MetricKind.Counter, RecordFlags.None, 0, 0);
const RECORD_BYTES_SAMPLED = recordSize(MetricKind.Counter, RecordFlags.Sampled, 0, 0);

/** Samples held back before they are numbered and written: about two datagrams' worth. */
const BATCH = 64;

export class RingSink implements StatsdSink {
  private readonly writers: ByteRingWriter[];
  private readonly bells: Int32Array[];
  /** Bit i set: ring i has records not yet published. */
  private dirty = 0;
  /** Per ring: its writer's position when its doorbell was last rung. */
  private readonly rungAt: Uint32Array;
  /** (kind, name) -> id. */
  private readonly ids = new MetricTable();
  /** 1 once an id's named record is in its ring: a dropped one is sent again. */
  private named = new Uint8Array(1024);
  /** An id's ring, worked out once (a modulo of a u32 is not cheap). */
  private shards = new Uint8Array(1024);
  drops = 0;

  // The held-back samples. Names and set members are ranges of `input`, except names the parser
  // rewrote, which are copied to `rewritten` (nameInInput 0).
  private input: Uint8Array = new Uint8Array(0);
  private pending = 0;
  private readonly kinds = new Uint8Array(BATCH);
  private readonly flags = new Uint8Array(BATCH);
  private readonly nameInInput = new Uint8Array(BATCH);
  private readonly hashes = new Uint32Array(BATCH);
  private readonly mixed = new Int32Array(BATCH);
  private readonly values = new Float64Array(BATCH);
  private readonly rates = new Float64Array(BATCH);
  private readonly nameStarts = new Int32Array(BATCH);
  private readonly nameEnds = new Int32Array(BATCH);
  private readonly setStarts = new Int32Array(BATCH);
  private readonly setEnds = new Int32Array(BATCH);
  private rewritten = new Uint8Array(4096);
  private rewrittenUsed = 0;
  /** Sink of the batch's early loads. */
  private touched = 0;

  constructor(rings: ByteRingHandle[], doorbells: SharedArrayBuffer[]) {
    if (rings.length > MAX_AGGREGATOR_SHARDS) throw new Error(`at most ${MAX_AGGREGATOR_SHARDS} aggregator shards`);
    this.writers = rings.map((r) => new ByteRingWriter(r));
    this.bells = doorbells.map((b) => new Int32Array(b));
    this.rungAt = new Uint32Array(rings.length);
  }

  /**
   * Holds the sample back until the batch is full or `publish` is called: the caller must leave
   * `input` unchanged until then.
   */
  record(
    kind: number,
    flags: number,
    hash: number,
    value: number,
    sampleRate: number,
    nameBytes: Uint8Array,
    nameStart: number,
    nameEnd: number,
    input: Uint8Array,
    setStart: number,
    setEnd: number,
  ): void {
    if (input !== this.input) {
      this.writePending();
      this.input = input;
    }
    let i = this.pending;
    if (i === BATCH) {
      this.writePending();
      i = 0;
    }
    if (nameBytes === input) {
      this.nameInInput[i] = 1;
      this.nameStarts[i] = nameStart;
      this.nameEnds[i] = nameEnd;
    } else {
      this.nameInInput[i] = 0;
      this.keepRewrittenName(i, nameBytes, nameStart, nameEnd);
    }
    this.kinds[i] = kind;
    this.flags[i] = flags;
    this.hashes[i] = hash;
    this.values[i] = value;
    this.rates[i] = sampleRate;
    this.setStarts[i] = setStart;
    this.setEnds[i] = setEnd;
    this.pending = i + 1;
  }

  /** Writes what is held back, publishes every ring written since the last call, and wakes its aggregator if enough is waiting. */
  publish(): void {
    this.writePending();
    let dirty = this.dirty;
    this.dirty = 0;
    for (let shard = 0; dirty !== 0; shard++, dirty >>>= 1) {
      if ((dirty & 1) === 0) continue;
      const writer = this.writers[shard];
      writer.publish();
      const written = writer.written();
      if (((written - this.rungAt[shard]) >>> 0) >= DOORBELL_BYTES) {
        this.rungAt[shard] = written;
        ringDoorbell(this.bells[shard]);
      }
    }
  }

  /** Deepest ring right now, in bytes. */
  maxDepth(): number {
    let max = 0;
    for (const w of this.writers) max = Math.max(max, w.depth());
    return max;
  }

  private writePending(): void {
    const n = this.pending;
    if (n === 0) return;
    this.pending = 0;
    this.rewrittenUsed = 0;
    const ids = this.ids;
    const kinds = this.kinds;
    const hashes = this.hashes;
    const mixed = this.mixed;
    let sink = 0;
    for (let i = 0; i < n; i++) {
      const m = mixHash(hashes[i], kinds[i]);
      mixed[i] = m;
      sink ^= ids.touchSlot(m);
    }
    for (let i = 0; i < n; i++) sink ^= ids.touchKey(mixed[i]);
    this.touched = sink;
    for (let i = 0; i < n; i++) {
      const nameBytes = this.nameInInput[i] === 1 ? this.input : this.rewritten;
      this.write(i, nameBytes);
    }
  }

  /** Numbers held-back sample i and writes its record. */
  private write(i: number, nameBytes: Uint8Array): void {
    const kind = this.kinds[i];
    const hash = this.hashes[i];
    const sampleRate = this.rates[i];
    const nameStart = this.nameStarts[i];
    const nameLen = this.nameEnds[i] - nameStart;
    let id = this.ids.findMixed(this.mixed[i], kind, nameBytes, nameStart, nameLen);
    if (id < 0) id = this.newId(kind, hash, nameBytes, nameStart, nameLen);
    const sampled = sampleRate !== 1;
    const named = this.named[id] === 0;
    const flags = this.flags[i] | (sampled ? RecordFlags.Sampled : 0) | (named ? RecordFlags.Named : 0);
    const setStart = this.setStarts[i];
    const setLen = this.setEnds[i] - setStart;
    const withTail = named || kind === MetricKind.Set;
    const size = withTail ? recordSize(kind, flags, nameLen, setLen) : sampled ? RECORD_BYTES_SAMPLED : RECORD_BYTES;
    const shard = this.shards[id];
    const writer = this.writers[shard];
    const offset = writer.reserve(size);
    if (offset < 0) {
      this.drops++;
      return;
    }
    const view = writer.view;
    // size (u16), kind (u8) and flags (u8) in one little-endian store.
    view.setUint32(offset + RecordOffset.size, size | (kind << 16) | (flags << 24), true);
    view.setUint32(offset + RecordOffset.id, id, true);
    view.setFloat64(offset + RecordOffset.value, this.values[i], true);
    if (sampled) view.setFloat64(offset + RecordOffset.sampleRate, sampleRate, true);
    if (withTail) this.writeTail(view, writer.bytes, tailOffset(offset, flags), kind, id, hash, named, nameBytes, nameStart, nameLen, setStart, setLen);
    this.dirty |= 1 << shard;
  }

  /** A record's tail: the first record of an id, and every set record. */
  private writeTail(
    view: DataView,
    bytes: Uint8Array,
    tail: number,
    kind: number,
    id: number,
    hash: number,
    named: boolean,
    nameBytes: Uint8Array,
    nameStart: number,
    nameLen: number,
    setStart: number,
    setLen: number,
  ): void {
    view.setUint32(tail + TailOffset.hash, hash, true);
    view.setUint16(tail + TailOffset.nameLen, named ? nameLen : 0, true);
    view.setUint16(tail + TailOffset.setValueLen, setLen, true);
    let at = tail + TailOffset.name;
    if (named) {
      for (let b = nameStart, e = nameStart + nameLen; b < e; b++) bytes[at++] = nameBytes[b];
      this.named[id] = 1;
    }
    if (kind === MetricKind.Set) {
      const input = this.input;
      for (let b = setStart, e = setStart + setLen; b < e; b++) bytes[at++] = input[b];
    }
  }

  /** Slow path (names with tags or sanitised): the parser's copy is only valid during `record`. */
  private keepRewrittenName(i: number, nameBytes: Uint8Array, nameStart: number, nameEnd: number): void {
    const length = nameEnd - nameStart;
    const at = this.rewrittenUsed;
    if (at + length > this.rewritten.length) {
      const grown = new Uint8Array(Math.max(this.rewritten.length * 2, at + length));
      grown.set(this.rewritten.subarray(0, at));
      this.rewritten = grown;
    }
    const rewritten = this.rewritten;
    for (let b = 0; b < length; b++) rewritten[at + b] = nameBytes[nameStart + b];
    this.nameStarts[i] = at;
    this.nameEnds[i] = at + length;
    this.rewrittenUsed = at + length;
  }

  /** Cold path, once per distinct (kind, name). */
  private newId(kind: number, hash: number, nameBytes: Uint8Array, nameStart: number, nameLen: number): number {
    const id = this.ids.insert(kind, hash, nameBytes, nameStart, nameLen);
    if (id === this.named.length) {
      this.named = grow(this.named);
      this.shards = grow(this.shards);
    }
    this.shards[id] = hash % this.writers.length;
    return id;
  }
}

function grow(array: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const grown = new Uint8Array(array.length * 2);
  grown.set(array);
  return grown;
}
