/**
 * The WAL checkpoint that ends a sweep: the points not in LevelDB yet (the head's, and sealed
 * chunks still unwritten) are logged again into the current segment, after which the older
 * segments hold nothing LevelDB lacks, and are deleted.
 */
import { decodeChunkInto } from './chunk/index.js';
import { SWEEP_SLICE_MS } from './event-loop.js';
import { POINTS_PER_CHUNK, type Head } from './head.js';
import type { Layout } from './layout.js';
import { PointBatchBuilder } from '../points.js';
import type { Sealer } from './sealer.js';
import type { SeriesIndex } from './series-index.js';
import type { WriteAheadLog } from './wal.js';

/** Points per WAL frame of a checkpoint (256 KiB). */
const CHECKPOINT_FRAME_POINTS = 16_384;

/** What a checkpoint reads of the engine's state. */
export interface CheckpointSources {
  index: Pick<SeriesIndex, 'has' | 'idLimit'>;
  head: Pick<Head, 'windowAt' | 'block'>;
  sealer: Pick<Sealer, 'unwritten'>;
  layoutOf(id: number): Layout;
  /** Rests after `sliceMs` of background work (flat out while the engine closes). */
  pause(sliceMs: number): Promise<void>;
}

export class WalCheckpoint {
  private readonly gridTs = new Uint32Array(POINTS_PER_CHUNK);
  private readonly gridValues = new Float64Array(POINTS_PER_CHUNK);

  constructor(private readonly sources: CheckpointSources) {}

  /**
   * Logs the head's points again and deletes the segments before `keepFrom`. Logged in frames of
   * CHECKPOINT_FRAME_POINTS, yielding to ingest and queries every SWEEP_SLICE_MS: a series' head is
   * logged as it is at its turn, and whatever ingest appends meanwhile is logged after it by the
   * engine's append() itself.
   */
  async run(wal: Pick<WriteAheadLog, 'logPoints' | 'syncInPool' | 'removeBefore'>, keepFrom: number): Promise<void> {
    const { index, head, sealer, layoutOf, pause } = this.sources;
    const batch = new PointBatchBuilder(CHECKPOINT_FRAME_POINTS);
    const logFull = (): void => {
      if (batch.length < CHECKPOINT_FRAME_POINTS) return;
      wal.logPoints(batch);
      batch.clear();
    };
    const logSealed = (from: number): void => {
      const unwritten = sealer.unwritten;
      for (let k = from; k < unwritten.length; k++) {
        const { id, value } = unwritten[k];
        const n = decodeChunkInto(value, this.gridTs, this.gridValues);
        for (let i = 0; i < n; i++) batch.push(id, this.gridTs[i], this.gridValues[i]);
        logFull();
      }
    };
    // First (they are older than the head's windows): windows sealed since the last flush (in the engine's apply(), while the sweep awaited) are not in LevelDB yet.
    const sealedBefore = sealer.unwritten.length;
    logSealed(0);
    let sliceStart = performance.now();
    for (let id = 0; id < index.idLimit; id++) {
      if (!index.has(id)) continue;
      const step = layoutOf(id).archives[0].secondsPerPoint;
      for (const parity of [0, 1]) {
        const start = head.windowAt(id, parity);
        if (start < 0) continue;
        const { values, offset, firstSlot, slots } = head.block(id, parity);
        for (let j = 0; j < slots; j++) {
          const v = values[offset + j];
          if (v === v) batch.push(id, start + (firstSlot + j) * step, v);
        }
      }
      logFull();
      if ((id & 63) === 63 && performance.now() - sliceStart > SWEEP_SLICE_MS) {
        await pause(performance.now() - sliceStart);
        sliceStart = performance.now();
      }
    }
    // Windows ingest sealed while this yielded, some before their series' turn: their points left the head unlogged.
    logSealed(sealedBefore);
    wal.logPoints(batch);
    await wal.syncInPool();
    await wal.removeBefore(keepFrom);
  }
}
