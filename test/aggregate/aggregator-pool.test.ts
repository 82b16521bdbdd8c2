import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAggregatorPool } from '../../src/aggregate/aggregator-pool.js';
import { defaultAggregatorOptions } from '../../src/aggregate/statsd-aggregator.js';
import { createByteRing, createDoorbell, nameHash, MetricKind } from '../../src/ingest/index.js';
import { RingSink } from '../../src/ingest/ring-sink.js';

test('a flush and a stop still complete when an aggregator thread has died', { timeout: 20_000 }, async () => {
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    // Invalid options make the thread throw at start, standing in for any crash.
    const pool = startAggregatorPool([[createByteRing(1024)]], [createDoorbell()], { ...defaultAggregatorOptions, flushIntervalMs: -1 });
    const replies = await pool.flush();
    assert.equal(replies.length, 1);
    assert.equal(replies[0].length, 0);
    assert.equal((await pool.stop()).length, 1);
  } finally {
    console.error = original;
  }
  assert.ok(errors.length > 0, 'the crash is logged');
});

test('an aggregator thread keeps the record ids of each receiver ring apart', { timeout: 20_000 }, async () => {
  const rings = [createByteRing(1 << 16), createByteRing(1 << 16)];
  const doorbell = createDoorbell();
  // Two receivers meeting the same names in opposite order: each numbers them its own way.
  const first = new RingSink([rings[0]], [doorbell]);
  const second = new RingSink([rings[1]], [doorbell]);
  const send = (sink: RingSink, name: string, value: number): void => {
    const bytes = Buffer.from(name, 'latin1');
    sink.record(MetricKind.Counter, 0, nameHash(bytes, 0, bytes.length), value, 1, bytes, 0, bytes.length, bytes, 0, 0);
  };
  const round = (): void => {
    send(first, 'x', 1);
    send(first, 'y', 10);
    send(second, 'y', 100);
    send(second, 'x', 1000);
    first.publish();
    second.publish();
  };
  const pool = startAggregatorPool([rings], [doorbell], { ...defaultAggregatorOptions });
  try {
    const names: string[] = [];
    const flush = async (): Promise<Map<string, number>> => {
      const [reply] = await pool.flush();
      names.push(...reply.newNames);
      return new Map(Array.from(reply.ids.subarray(0, reply.length), (id, i) => [names[id], reply.values[i]]));
    };
    round(); // names go down both rings
    assert.equal((await flush()).get('stats.counters.x.count'), 1001);
    round(); // ids only, numbered differently on each ring
    const points = await flush();
    assert.equal(points.get('stats.counters.x.count'), 1001);
    assert.equal(points.get('stats.counters.y.count'), 110);
  } finally {
    await pool.stop();
  }
});
