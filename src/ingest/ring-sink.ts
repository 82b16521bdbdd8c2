/**
 * The receiver side of the hand-over: writes parsed samples as binary records into the ring of
 * the aggregator that owns each series (hash of the name modulo the number of aggregators).
 */
import { ByteRingWriter, ringDoorbell, type ByteRingHandle } from './byte-ring.js';
import { RecordOffset, recordSize } from './statsd-record.js';
import type { StatsdSink } from './statsd-parser.js';

/** Shards a receiver can write to: one bit each in a 32-bit dirty mask. */
export const MAX_AGGREGATOR_SHARDS = 31;

export class RingSink implements StatsdSink {
  private readonly writers: ByteRingWriter[];
  private readonly bells: Int32Array[];
  /** Bit i set: ring i has records not yet published. */
  private dirty = 0;
  drops = 0;

  constructor(rings: ByteRingHandle[], doorbells: SharedArrayBuffer[]) {
    if (rings.length > MAX_AGGREGATOR_SHARDS) throw new Error(`at most ${MAX_AGGREGATOR_SHARDS} aggregator shards`);
    this.writers = rings.map((r) => new ByteRingWriter(r));
    this.bells = doorbells.map((b) => new Int32Array(b));
  }

  record(
    kind: number,
    flags: number,
    hash: number,
    value: number,
    sampleRate: number,
    nameBytes: Uint8Array,
    nameStart: number,
    nameEnd: number,
    setBytes: Uint8Array,
    setStart: number,
    setEnd: number,
  ): void {
    const shard = hash % this.writers.length;
    const writer = this.writers[shard];
    const nameLen = nameEnd - nameStart;
    const setLen = setEnd - setStart;
    const size = recordSize(nameLen, setLen);
    const offset = writer.reserve(size);
    if (offset < 0) {
      this.drops++;
      return;
    }
    const view = writer.view;
    const bytes = writer.bytes;
    view.setUint16(offset + RecordOffset.size, size, true);
    bytes[offset + RecordOffset.kind] = kind;
    bytes[offset + RecordOffset.flags] = flags;
    view.setUint32(offset + RecordOffset.hash, hash, true);
    view.setFloat64(offset + RecordOffset.value, value, true);
    view.setFloat64(offset + RecordOffset.sampleRate, sampleRate, true);
    view.setUint16(offset + RecordOffset.nameLen, nameLen, true);
    view.setUint16(offset + RecordOffset.setValueLen, setLen, true);
    let at = offset + RecordOffset.name;
    for (let i = nameStart; i < nameEnd; i++) bytes[at++] = nameBytes[i];
    for (let i = setStart; i < setEnd; i++) bytes[at++] = setBytes[i];
    this.dirty |= 1 << shard;
  }

  /** Publishes every ring written since the last call and wakes its aggregator. */
  publish(): void {
    let dirty = this.dirty;
    this.dirty = 0;
    for (let shard = 0; dirty !== 0; shard++, dirty >>>= 1) {
      if ((dirty & 1) === 0) continue;
      this.writers[shard].publish();
      ringDoorbell(this.bells[shard]);
    }
  }

  /** Deepest ring right now, in bytes. */
  maxDepth(): number {
    let max = 0;
    for (const w of this.writers) max = Math.max(max, w.depth());
    return max;
  }
}
