/**
 * Bytes for the keys and values of LevelDB batches, handed out as views of one large buffer. The
 * binding reads a record through its buffer, and a small typed array of its own then gets a
 * backing store of its own, about a microsecond each: writing the records of a million new series
 * cost more than the rest of creating them. Views are never overwritten; a full buffer is left to
 * the views that still hold it.
 */
const BUFFER_BYTES = 256 * 1024;

export class RecordArena {
  private bytes = new Uint8Array(BUFFER_BYTES);
  private used = 0;

  /** A view of `size` fresh bytes. */
  take(size: number): Uint8Array {
    if (this.used + size > this.bytes.length) {
      this.bytes = new Uint8Array(Math.max(BUFFER_BYTES, size));
      this.used = 0;
    }
    const view = this.bytes.subarray(this.used, this.used + size);
    this.used += size;
    return view;
  }

  /** Gives back the end of the last view taken, past its first `size` bytes; returns the shortened view. */
  shorten(view: Uint8Array, size: number): Uint8Array {
    this.used -= view.length - size;
    return view.subarray(0, size);
  }
}
