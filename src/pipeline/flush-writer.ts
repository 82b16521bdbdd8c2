/**
 * Turns aggregator flush replies (shard-local output ids) into PointBatches of store series ids.
 * Each shard's names are resolved once, when they first appear.
 *
 * A flush of 100k StatsD metrics is about half a million points, a quarter of a second of the
 * main thread's CPU in the store. Written in one go, that burst takes a core from the receiver
 * threads on a small machine, and at millions of lines/s their kernel buffers (tens of ms) run
 * over; it also holds up every HTTP request. So the points go in chunks, each followed by a pause
 * as long as the chunk took: main uses at most about half a core for the flush, and requests
 * interleave with it.
 */
import type { AggregatorFlushReply } from '../aggregate/aggregator-worker.js';
import type { PointBatch, PointWriter } from '../points.js';

/** Points appended to the store per chunk. */
const CHUNK_POINTS = 16384;
/** Longest pause after a chunk (a slow chunk must not stretch the flush past its interval). */
const MAX_PAUSE_MS = 20;

export class FlushWriter {
  /** localToSeries[shard][localId] = store series id */
  private readonly localToSeries: Uint32Array[];

  constructor(
    private readonly store: PointWriter,
    shards: number,
  ) {
    this.localToSeries = Array.from({ length: shards }, () => new Uint32Array(1024));
  }

  /**
   * Writes one flush of every shard, stamped with `timestamp` (the interval's start), and returns
   * the milliseconds spent writing (pauses not counted). `paced` false writes at once (shutdown).
   */
  async write(replies: AggregatorFlushReply[], timestamp: number, paced = true): Promise<number> {
    const started = performance.now();
    const batch = this.batchOf(replies, timestamp);
    let busyMs = performance.now() - started;
    for (let from = 0; from < batch.length; from += CHUNK_POINTS) {
      const to = Math.min(batch.length, from + CHUNK_POINTS);
      const chunkStarted = performance.now();
      this.store.append({
        length: to - from,
        seriesIds: batch.seriesIds.subarray(from, to),
        timestamps: batch.timestamps.subarray(from, to),
        values: batch.values.subarray(from, to),
      });
      const chunkMs = performance.now() - chunkStarted;
      busyMs += chunkMs;
      if (paced && to < batch.length) await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_PAUSE_MS, chunkMs)));
    }
    return busyMs;
  }

  private batchOf(replies: AggregatorFlushReply[], timestamp: number): PointBatch {
    let total = 0;
    for (const reply of replies) total += reply.length;
    const batch: PointBatch = {
      length: total,
      seriesIds: new Uint32Array(total),
      timestamps: new Uint32Array(total).fill(timestamp),
      values: new Float64Array(total),
    };
    let at = 0;
    replies.forEach((reply, shard) => {
      const map = this.resolveNewNames(shard, reply);
      const ids = reply.ids;
      for (let i = 0; i < reply.length; i++) batch.seriesIds[at + i] = map[ids[i]];
      batch.values.set(reply.values.subarray(0, reply.length), at);
      at += reply.length;
    });
    return batch;
  }

  private resolveNewNames(shard: number, reply: AggregatorFlushReply): Uint32Array {
    let map = this.localToSeries[shard];
    const needed = reply.firstNewId + reply.newNames.length;
    if (needed > map.length) {
      let capacity = map.length;
      while (capacity < needed) capacity *= 2;
      const grown = new Uint32Array(capacity);
      grown.set(map);
      map = this.localToSeries[shard] = grown;
    }
    reply.newNames.forEach((name, k) => {
      map[reply.firstNewId + k] = this.store.seriesId(name);
    });
    return map;
  }
}
