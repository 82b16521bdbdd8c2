/**
 * Turns aggregator flush replies (shard-local output ids) into one PointBatch of store series
 * ids. Each shard's names are resolved once, when they first appear.
 */
import type { AggregatorFlushReply } from '../aggregate/aggregator-worker.js';
import type { PointBatch, PointWriter } from '../points.js';

export class FlushWriter {
  /** localToSeries[shard][localId] = store series id */
  private readonly localToSeries: Uint32Array[];

  constructor(
    private readonly store: PointWriter,
    shards: number,
  ) {
    this.localToSeries = Array.from({ length: shards }, () => new Uint32Array(1024));
  }

  /** Writes one flush of every shard, stamped with `timestamp` (the interval's start). */
  write(replies: AggregatorFlushReply[], timestamp: number): number {
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
    this.store.append(batch);
    return total;
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
