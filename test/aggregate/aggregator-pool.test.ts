import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAggregatorPool } from '../../src/aggregate/aggregator-pool.js';
import { defaultAggregatorOptions } from '../../src/aggregate/statsd-aggregator.js';
import { createByteRing, createDoorbell } from '../../src/ingest/index.js';

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
