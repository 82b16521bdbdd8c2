/**
 * Write-ahead log: every point is appended here before it counts as stored, so a crash loses
 * nothing that was written, and an fsync every `syncIntervalMs` bounds what a power loss can
 * take. Segments are numbered files; the engine deletes old ones once their points are in sealed
 * chunks on disk. Layout: docs/format/wal.md.
 */
import { closeSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync, writevSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { PointBatch } from '../points.js';
import { writeAsciiName } from '../names/ascii-name.js';
import { ByteRuns } from '../names/byte-runs.js';

const FRAME_HEADER = 8;
const RECORD_SERIES = 1;
const RECORD_POINTS = 2;
const RECORD_DELETED = 3;
/** Several series in one frame (what the writer logs; RECORD_SERIES frames are still replayed). */
const RECORD_SERIES_MANY = 4;
/** Where a series frame's first entry starts: frame header, type byte, count. */
const SERIES_FRAME_START = FRAME_HEADER + 5;
/** Past this size the log moves to a new segment (whole batches never split). */
const SEGMENT_BYTES = 64 * 1024 * 1024;

export interface WalReplayHandler {
  series(id: number, name: string): void;
  points(batch: PointBatch): void;
  /** A series deleted after the records before this one. */
  deleted?(id: number): void;
}

export interface WalReplayStats {
  segments: number;
  records: number;
  points: number;
  bytes: number;
  /** Bytes after the last whole frame of the last segment (a torn write at crash time). */
  tornBytes: number;
}

const segmentName = (n: number): string => `${String(n).padStart(8, '0')}.wal`;

function listSegments(dir: string): number[] {
  return readdirSync(dir)
    .filter((f) => /^\d{8}\.wal$/.test(f))
    .map((f) => Number(f.slice(0, 8)))
    .sort((a, b) => a - b);
}

export class WriteAheadLog {
  private fd: number;
  private segment: number;
  /** Bytes of whole frames in the current segment: where a failed write is cut back to. */
  private segmentBytes: number;
  /** A failed write left part of a frame past segmentBytes that could not be cut off yet. */
  private torn = false;
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private scratch = Buffer.allocUnsafe(1 << 16);
  /** The series frame not written yet, bytes [0, pendingBytes) (0: none): it goes out with the next points frame, in one write. */
  private pendingSeries = Buffer.allocUnsafe(1 << 16);
  private pendingBytes = 0;
  private pendingCount = 0;
  private readonly runs = new ByteRuns();

  private constructor(
    private readonly dir: string,
    segment: number,
    syncIntervalMs: number,
  ) {
    this.segment = segment;
    this.fd = openSync(join(dir, segmentName(segment)), 'a');
    this.segmentBytes = fstatSync(this.fd).size;
    if (syncIntervalMs > 0) {
      this.timer = setInterval(() => this.syncInBackground(), syncIntervalMs);
      this.timer.unref();
    }
  }

  /**
   * Replays every segment in `dir` through `handler`, then opens a fresh segment for appends.
   * A torn frame ends the replay of its segment (it was never acknowledged as synced).
   */
  static open(dir: string, syncIntervalMs: number, handler: WalReplayHandler): { wal: WriteAheadLog; stats: WalReplayStats } {
    mkdirSync(dir, { recursive: true });
    const segments = listSegments(dir);
    const stats: WalReplayStats = { segments: segments.length, records: 0, points: 0, bytes: 0, tornBytes: 0 };
    for (const n of segments) replaySegment(readFileSync(join(dir, segmentName(n))), handler, stats);
    const next = segments.length > 0 ? segments[segments.length - 1] + 1 : 1;
    return { wal: new WriteAheadLog(dir, next, syncIntervalMs), stats };
  }

  /** The segment new records go to; everything before it can be removed once persisted. */
  get currentSegment(): number {
    return this.segment;
  }

  /**
   * Logs a new series. Names are gathered into one frame until the next points frame (the first
   * that can refer to them) or sync, so a burst of new series costs one write and one checksum,
   * not one each.
   */
  logSeries(id: number, name: string): void {
    const at = this.pendingBytes === 0 ? SERIES_FRAME_START : this.pendingBytes;
    const ascii = writeAsciiName(this.pendingSeries, at + 6, name);
    const nameLength = ascii >= 0 ? ascii : Buffer.byteLength(name, 'utf8');
    const buf = this.seriesRecord(id, nameLength);
    // An ASCII name that fit is written already; past the end it was not, nor was any other.
    if (ascii < 0) buf.write(name, at + 6, 'utf8');
  }

  /** logSeries() of the ASCII name in bytes[start, end): a copy, no string made. */
  logSeriesBytes(id: number, bytes: Uint8Array, start: number, end: number): void {
    const buf = this.seriesRecord(id, end - start);
    this.runs.copy(bytes, start, end, buf, this.pendingBytes - (end - start));
  }

  /** Adds a series record of a name of `nameLength` bytes to the pending frame; the caller writes the name, the record's last bytes. */
  private seriesRecord(id: number, nameLength: number): Buffer {
    if (nameLength > 0xffff) throw new RangeError(`series name of ${nameLength} bytes is longer than the log's 65535`);
    if (this.pendingBytes === 0) this.pendingBytes = SERIES_FRAME_START;
    const needed = this.pendingBytes + 6 + nameLength;
    if (needed > this.pendingSeries.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.pendingSeries.length * 2, needed));
      this.pendingSeries.copy(grown, 0, 0, this.pendingBytes);
      this.pendingSeries = grown;
    }
    const buf = this.pendingSeries;
    const at = this.pendingBytes;
    // Byte stores: Buffer's writeUInt32LE/writeUInt16LE check their arguments, per new series.
    buf[at] = id;
    buf[at + 1] = id >>> 8;
    buf[at + 2] = id >>> 16;
    buf[at + 3] = id >>> 24;
    buf[at + 4] = nameLength;
    buf[at + 5] = nameLength >>> 8;
    this.pendingBytes = needed;
    this.pendingCount++;
    return buf;
  }

  private writePendingSeries(): void {
    if (this.pendingBytes === 0) return;
    this.append(this.closePendingSeries());
    this.pendingSeriesWritten();
  }

  /** The pending series frame, closed with its header and checksum. */
  private closePendingSeries(): Buffer {
    const buf = this.pendingSeries;
    buf[FRAME_HEADER] = RECORD_SERIES_MANY;
    buf.writeUInt32LE(this.pendingCount, FRAME_HEADER + 1);
    const payload = buf.subarray(FRAME_HEADER, this.pendingBytes);
    buf.writeUInt32LE(payload.length, 0);
    buf.writeUInt32LE(crc32(payload), 4);
    return buf.subarray(0, this.pendingBytes);
  }

  /** Only once its write succeeded: a write that throws leaves the series pending, for the next one. */
  private pendingSeriesWritten(): void {
    this.dirty = true;
    this.pendingBytes = 0;
    this.pendingCount = 0;
  }

  logPoints(batch: PointBatch): void {
    const n = batch.length;
    if (n === 0) return;
    const payload = this.payload(1 + 4 + n * 16);
    payload[0] = RECORD_POINTS;
    payload.writeUInt32LE(n, 1);
    // Columns, so replay can view them as typed arrays: values first keeps them 8-byte aligned.
    const valuesAt = FRAME_HEADER + 8;
    const body = this.scratch;
    new Float64Array(body.buffer, body.byteOffset + valuesAt, n).set(batch.values.subarray(0, n));
    new Uint32Array(body.buffer, body.byteOffset + valuesAt + n * 8, n).set(batch.seriesIds.subarray(0, n));
    new Uint32Array(body.buffer, body.byteOffset + valuesAt + n * 12, n).set(batch.timestamps.subarray(0, n));
    this.writeFrame(payload);
  }

  /** Logs a deleted series, so replaying its earlier records does not bring it back. */
  logDeleted(id: number): void {
    const payload = this.payload(5);
    payload[0] = RECORD_DELETED;
    payload.writeUInt32LE(id, 1);
    this.writeFrame(payload);
  }

  /** Forces what was written to stable storage. */
  sync(): void {
    this.writePendingSeries();
    if (!this.dirty) return;
    fdatasyncSync(this.fd);
    this.dirty = false;
  }

  /**
   * sync() on the thread pool: resolves once everything written before the call is on stable
   * storage. An fdatasync can take tens of milliseconds on a busy disk, which on the main thread
   * would stall ingest and queries.
   */
  syncInPool(): Promise<void> {
    this.writePendingSeries();
    this.dirty = false;
    return this.fdatasyncInPool(this.fd);
  }

  /** The periodic sync, on the thread pool. */
  private syncInBackground(): void {
    try {
      this.writePendingSeries();
    } catch (err) {
      // Still pending: the next points frame or sync writes it (a throw here would end the process).
      console.error(`carbonado: write-ahead log write failed: ${(err as Error).message}`);
      return;
    }
    if (!this.dirty || this.syncing) return;
    this.dirty = false;
    this.syncing = true;
    this.fdatasyncInPool(this.fd).then(
      () => (this.syncing = false),
      () => {
        this.syncing = false;
        this.dirty = true; // retried next time
      },
    );
  }

  private syncing = false;
  /** fdatasyncs running on the thread pool, per fd: a rotated-out fd is closed when its count drops to 0. */
  private readonly inFlight = new Map<number, number>();
  /** Rotated-out fds still open: their last sync is running. */
  private readonly retired = new Set<number>();

  private fdatasyncInPool(fd: number): Promise<void> {
    this.inFlight.set(fd, (this.inFlight.get(fd) ?? 0) + 1);
    return new Promise<void>((resolve, reject) => {
      fdatasync(fd, (err) => {
        const left = this.inFlight.get(fd)! - 1;
        if (left > 0) this.inFlight.set(fd, left);
        else this.inFlight.delete(fd);
        if (left === 0 && this.retired.delete(fd)) closeSync(fd);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /**
   * Starts a new segment; returns the number of the first segment that must be kept. The old
   * segment is synced on the thread pool and closed after that (close() waits for it).
   */
  rotate(): number {
    this.writePendingSeries();
    const old = this.fd;
    this.segment++;
    this.fd = openSync(join(this.dir, segmentName(this.segment)), 'a');
    this.segmentBytes = fstatSync(this.fd).size;
    this.torn = false; // the cut-off tail stays in the old segment, where replay stops at it
    this.dirty = false;
    this.retired.add(old);
    this.fdatasyncInPool(old).catch((err: Error) => console.error(`carbonado: write-ahead log sync failed: ${err.message}`));
    return this.segment;
  }

  /** Deletes segments older than `segment` (their points are durable elsewhere), on the thread pool. */
  async removeBefore(segment: number): Promise<void> {
    for (const n of listSegments(this.dir)) if (n < segment) await unlink(join(this.dir, segmentName(n)));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    // Rotated-out segments whose sync is still running: synced here and closed (their callbacks then find them gone).
    for (const fd of this.retired) {
      fdatasyncSync(fd);
      closeSync(fd);
    }
    this.retired.clear();
    try {
      this.sync();
    } finally {
      closeSync(this.fd); // a failed last write is reported to the caller, not left as an open file
    }
  }

  /**
   * A payload area inside the scratch buffer, 8 bytes in so the frame header fits before it and
   * the point values that follow the 8-byte record header stay 8-byte aligned.
   */
  private payload(length: number): Buffer {
    const needed = FRAME_HEADER + 8 + length;
    if (this.scratch.length < needed) {
      this.scratch = Buffer.allocUnsafe(Math.max(needed, this.scratch.length * 2));
    }
    return this.scratch.subarray(FRAME_HEADER + 3, FRAME_HEADER + 3 + length);
  }

  private writeFrame(payload: Buffer): void {
    const frameStart = payload.byteOffset - this.scratch.byteOffset - FRAME_HEADER;
    this.scratch.writeUInt32LE(payload.length, frameStart);
    this.scratch.writeUInt32LE(crc32(payload), frameStart + 4);
    const frameLength = FRAME_HEADER + payload.length;
    const frame = this.scratch.subarray(frameStart, frameStart + frameLength);
    // The series frame a points frame may refer to goes in the same system call, ahead of it.
    if (this.pendingBytes > 0) {
      this.append(this.closePendingSeries(), frame);
      this.pendingSeriesWritten();
    } else this.append(frame);
    this.dirty = true;
    if (this.segmentBytes >= SEGMENT_BYTES) this.rotate();
  }

  /**
   * Appends whole frames, or nothing: a write can be short (a file-size limit, a full disk), and
   * the next one then fails. Replay stops at a cut-off frame, so one left in the segment would hide
   * every frame written after it; a failed append is cut back to the last whole frame before it
   * rethrows, and until that cut succeeds nothing more is appended.
   */
  private append(first: Buffer, second?: Buffer): void {
    if (this.torn) this.cutBack();
    const total = first.length + (second === undefined ? 0 : second.length);
    let done = 0;
    try {
      done = second === undefined ? writeSync(this.fd, first) : writevSync(this.fd, [first, second]);
      while (done < total) {
        const written =
          done < first.length
            ? writeSync(this.fd, first, done, first.length - done)
            : writeSync(this.fd, second!, done - first.length, total - done);
        if (written === 0) throw new Error(`write-ahead log write made no progress at byte ${this.segmentBytes + done}`);
        done += written;
      }
    } catch (err) {
      this.torn = true;
      try {
        this.cutBack();
      } catch {
        // Left torn: the next append tries the cut again first. The write's own error is the one to tell.
      }
      throw err;
    }
    this.segmentBytes += total;
  }

  private cutBack(): void {
    ftruncateSync(this.fd, this.segmentBytes);
    this.torn = false;
  }
}

function replaySegment(buf: Buffer, handler: WalReplayHandler, stats: WalReplayStats): void {
  let at = 0;
  while (at + FRAME_HEADER <= buf.length) {
    const length = buf.readUInt32LE(at);
    const crc = buf.readUInt32LE(at + 4);
    const end = at + FRAME_HEADER + length;
    if (end > buf.length) break;
    const payload = buf.subarray(at + FRAME_HEADER, end);
    if (crc32(payload) !== crc) break;
    stats.records++;
    if (payload[0] === RECORD_SERIES) {
      const nameLength = payload.readUInt16LE(5);
      handler.series(payload.readUInt32LE(1), payload.toString('utf8', 7, 7 + nameLength));
    } else if (payload[0] === RECORD_SERIES_MANY) {
      const count = payload.readUInt32LE(1);
      for (let i = 0, p = 5; i < count; i++) {
        const nameLength = payload.readUInt16LE(p + 4);
        handler.series(payload.readUInt32LE(p), payload.toString('utf8', p + 6, p + 6 + nameLength));
        p += 6 + nameLength;
      }
    } else if (payload[0] === RECORD_POINTS) {
      const n = payload.readUInt32LE(1);
      // Copy out: the segment buffer's alignment is arbitrary.
      const body = Buffer.from(payload.subarray(5, 5 + n * 16));
      const batch: PointBatch = {
        length: n,
        values: new Float64Array(body.buffer, body.byteOffset, n).slice(),
        seriesIds: new Uint32Array(body.buffer, body.byteOffset + n * 8, n).slice(),
        timestamps: new Uint32Array(body.buffer, body.byteOffset + n * 12, n).slice(),
      };
      stats.points += n;
      handler.points(batch);
    } else if (payload[0] === RECORD_DELETED) {
      handler.deleted?.(payload.readUInt32LE(1));
    }
    at = end;
  }
  stats.bytes += at;
  stats.tornBytes += buf.length - at;
}
