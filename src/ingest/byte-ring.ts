/**
 * Single-producer single-consumer byte ring on a SharedArrayBuffer: how receiver threads hand
 * batches of StatsD records to aggregator threads without one postMessage per metric.
 *
 * Positions are free-running u32 byte counters (capacity is a power of two, so they wrap
 * cleanly); the writer publishes its position once per batch. A record never straddles the end
 * of the buffer: a zero size field there means "continue at offset 0".
 */
const WRITE = 0;
const READ = 16; // separate cache line from WRITE
const CONTROL_INTS = 32;

/** The writer reloads the consumer's position each time its own crosses a multiple of this (see reserve). */
const READ_REFRESH_BYTES = 64 * 1024;
const READ_REFRESH_MASK = ~(READ_REFRESH_BYTES - 1);

export interface ByteRingHandle {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

export function createByteRing(capacityBytes: number): ByteRingHandle {
  if (capacityBytes < 1024 || (capacityBytes & (capacityBytes - 1)) !== 0) {
    throw new Error(`ring capacity must be a power of two >= 1024, got ${capacityBytes}`);
  }
  return {
    control: new SharedArrayBuffer(CONTROL_INTS * 4),
    data: new SharedArrayBuffer(capacityBytes),
  };
}

export class ByteRingWriter {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  private readonly control: Int32Array;
  private readonly mask: number;
  private readonly capacity: number;
  /** Local write position, ahead of the published one until publish(). */
  private pos: number;
  /**
   * The consumer's read position as last loaded. It only moves forward, so room computed from it
   * is never more than there is; reloading it only when that room runs short keeps the producer
   * off the consumer's cache line for most records.
   */
  private read: number;

  constructor(handle: ByteRingHandle) {
    this.bytes = new Uint8Array(handle.data);
    this.view = new DataView(handle.data);
    this.control = new Int32Array(handle.control);
    this.capacity = this.bytes.length;
    this.mask = this.capacity - 1;
    this.pos = Atomics.load(this.control, WRITE) >>> 0;
    this.read = Atomics.load(this.control, READ) >>> 0;
  }

  /**
   * Reserves `size` contiguous bytes (a multiple of 8) and returns their offset in `bytes`,
   * or -1 when the consumer has not freed enough room.
   *
   * Written so that no code runs for the first time long after warm-up (V8 deoptimises code that
   * had no type feedback when it is first reached, and that was the first step to a higher rate):
   * the wrap takes no branch, and the consumer's position is also reloaded every READ_REFRESH_BYTES.
   */
  reserve(size: number): number {
    const pos = this.pos;
    const offset = pos & this.mask;
    const tail = this.capacity - offset;
    // A record that would straddle the end starts at 0 instead; the rest of the end is skipped.
    const skip = tail < size ? tail : 0;
    const next = (pos + skip + size) >>> 0;
    if (((pos ^ next) & READ_REFRESH_MASK) !== 0 || ((pos - this.read) >>> 0) + skip + size > this.capacity) {
      this.read = Atomics.load(this.control, READ) >>> 0;
      if (((pos - this.read) >>> 0) + skip + size > this.capacity) return -1;
    }
    this.view.setUint16(offset, 0, true); // the wrap marker when skipping, else overwritten by the record
    this.pos = next;
    return (offset + skip) & this.mask;
  }

  /** Bytes written so far, as a free-running u32 counter. */
  written(): number {
    return this.pos;
  }

  /** Makes everything reserved so far visible to the consumer. */
  publish(): void {
    Atomics.store(this.control, WRITE, this.pos | 0);
  }

  /** Bytes written but not yet consumed (published or not). */
  depth(): number {
    return (this.pos - (Atomics.load(this.control, READ) >>> 0)) >>> 0;
  }
}

/** Records per `drainBatches` visit: enough to overlap their cache misses, few enough to stay in L1. */
const RECORD_BATCH = 32;

export class ByteRingReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  private readonly batch = new Uint32Array(RECORD_BATCH);
  private readonly control: Int32Array;
  private readonly mask: number;
  private readonly capacity: number;

  constructor(handle: ByteRingHandle) {
    this.bytes = new Uint8Array(handle.data);
    this.view = new DataView(handle.data);
    this.control = new Int32Array(handle.control);
    this.capacity = this.bytes.length;
    this.mask = this.capacity - 1;
  }

  /** Published bytes not yet consumed. */
  depth(): number {
    return ((Atomics.load(this.control, WRITE) >>> 0) - (Atomics.load(this.control, READ) >>> 0)) >>> 0;
  }

  /**
   * Calls `visit` for the published records, up to about `maxBytes`, in batches of up to
   * RECORD_BATCH offsets (so the consumer can start loading what a whole batch needs before it
   * works on the first record), then frees them. Returns the number of bytes consumed.
   */
  drainBatches(
    visit: (view: DataView, bytes: Uint8Array, offsets: Uint32Array, count: number) => void,
    maxBytes = Infinity,
  ): number {
    const write = Atomics.load(this.control, WRITE) >>> 0;
    let read = Atomics.load(this.control, READ) >>> 0;
    const start = read;
    const view = this.view;
    const offsets = this.batch;
    // One `visit` call site, reached by every drain: a call inside the loop (a full batch) was
    // first reached at a higher rate than warm-up's and deoptimised the function there. Likewise
    // the skip at a wrap marker (size 0) is worked out for every record.
    for (;;) {
      let count = 0;
      while (count < RECORD_BATCH && read !== write && ((read - start) >>> 0) < maxBytes) {
        const offset = read & this.mask;
        const size = view.getUint16(offset, true);
        const toEnd = this.capacity - offset;
        if (size !== 0) offsets[count++] = offset;
        read = (read + (size !== 0 ? size : toEnd)) >>> 0;
      }
      if (count === 0) break;
      visit(view, this.bytes, offsets, count);
      if (count < RECORD_BATCH) break;
    }
    Atomics.store(this.control, READ, read | 0);
    return (read - start) >>> 0;
  }
}

/**
 * A consumer's doorbell: producers ring it after publishing so an idle consumer wakes at once
 * instead of polling. One per consumer, shared by all of its producers.
 */
const SEQ = 0;
const SLEEPING = 1;

export function createDoorbell(): SharedArrayBuffer {
  return new SharedArrayBuffer(8);
}

export function ringDoorbell(bell: Int32Array): void {
  if (Atomics.load(bell, SLEEPING) !== 0) {
    Atomics.add(bell, SEQ, 1);
    Atomics.notify(bell, SEQ);
  }
}

/**
 * Waits until a producer rings or `timeoutMs` passes. `stillEmpty` is re-checked after the
 * consumer announces it is sleeping, so a publish racing with the announcement is never missed.
 */
export async function waitForDoorbell(bell: Int32Array, stillEmpty: () => boolean, timeoutMs: number): Promise<void> {
  const seq = Atomics.load(bell, SEQ);
  Atomics.store(bell, SLEEPING, 1);
  try {
    if (!stillEmpty()) return;
    const result = Atomics.waitAsync(bell, SEQ, seq, timeoutMs);
    if (result.async) await result.value;
  } finally {
    Atomics.store(bell, SLEEPING, 0);
  }
}
