import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AggregatingWriter } from '../../src/pipeline/aggregating-writer.js';
import { PointBatchBuilder } from '../../src/points.js';
import { parseAggregationRules } from '../../src/scale/aggregation-rules.js';
import { IngestAggregator } from '../../src/scale/ingest-aggregator.js';
import { loadRetentionPolicy } from '../../src/store/retention/index.js';
import { StorageEngine } from '../../src/store/storage-engine.js';

const T = 1_700_000_040; // a minute boundary

async function withEngine(run: (engine: StorageEngine) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carbonado-aggregating-writer-'));
  const engine = await StorageEngine.open({ dataDir, policy: loadRetentionPolicy({}), now: () => T + 120, walSyncIntervalMs: 0 });
  try {
    await run(engine);
  } finally {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function write(writer: AggregatingWriter, points: [string, number, number][]): void {
  const batch = new PointBatchBuilder(points.length);
  for (const [name, timestamp, value] of points) batch.push(writer.seriesId(name), timestamp, value);
  writer.append(batch);
}

async function valuesOf(engine: StorageEngine, name: string): Promise<number[]> {
  const [range] = await engine.read([name], T - 60, T + 60); // whisper rule: a range starts one step after `from`
  return range ? [...range.values].filter((v) => !Number.isNaN(v)) : [];
}

test('with no rules loaded, points reach the store and are counted, and rules loaded later aggregate what follows', async () => {
  await withEngine(async (engine) => {
    const aggregator = new IngestAggregator([], { lagSeconds: 0 });
    const writer = new AggregatingWriter(engine, aggregator);
    write(writer, [
      ['web.a.h1.qps', T, 10],
      ['web.a.h2.qps', T, 20],
    ]);
    assert.equal(aggregator.stats().pointsIn, 2);
    assert.equal(writer.flushAggregates(T + 60), 0, 'nothing to aggregate without rules');
    assert.deepEqual(await valuesOf(engine, 'web.a.h1.qps'), [10]);

    aggregator.setRules(parseAggregationRules('out.<pool>.qps (60) = sum web.<pool>.*.qps'));
    write(writer, [
      ['web.a.h1.qps', T + 10, 1],
      ['web.a.h2.qps', T + 10, 2],
    ]);
    assert.equal(aggregator.stats().pointsIn, 4);
    assert.equal(writer.flushAggregates(T + 60), 1);
    assert.deepEqual(await valuesOf(engine, 'out.a.qps'), [3], 'only the points written after the rules came');
  });
});

test('outputs kept per series id follow replaced rules', async () => {
  await withEngine(async (engine) => {
    const aggregator = new IngestAggregator(parseAggregationRules('out.<pool>.qps (60) = sum web.<pool>.*.qps'), { lagSeconds: 0 });
    const writer = new AggregatingWriter(engine, aggregator);
    const hosts = (value: number): [string, number, number][] => ['h1', 'h2', 'h3'].map((h) => [`web.a.${h}.qps`, T, value]);
    write(writer, hosts(1));
    assert.equal(writer.flushAggregates(T + 60), 1);
    assert.deepEqual(await valuesOf(engine, 'out.a.qps'), [3]);

    aggregator.setRules(parseAggregationRules('max.<pool>.qps (60) = max web.<pool>.*.qps'));
    write(writer, [...hosts(5), ['web.a.h2.qps', T, 7]]);
    assert.equal(writer.flushAggregates(T + 60), 1);
    assert.deepEqual(await valuesOf(engine, 'max.a.qps'), [7], 'the new rule, not the outputs looked up under the old one');
    assert.equal(aggregator.stats().pointsIn, 7);
  });
});

test('outputs kept per series id follow a name cache that starts over in the middle of a batch', async () => {
  await withEngine(async (engine) => {
    // A cache of two names starts over at the third.
    const aggregator = new IngestAggregator(parseAggregationRules('out.<pool>.qps (60) = sum web.<pool>.*.qps'), { lagSeconds: 0, maxCachedNames: 2 });
    const writer = new AggregatingWriter(engine, aggregator);
    // The cache starts over at c; a comes again after that in the same batch.
    const pools = (value: number): [string, number, number][] => [
      ...['a', 'b', 'c'].map((pool, i): [string, number, number] => [`web.${pool}.h1.qps`, T, value * (i + 1)]),
      ['web.a.h1.qps', T + 10, value / 2],
    ];
    write(writer, pools(1));
    write(writer, pools(10));
    write(writer, pools(100));
    assert.equal(writer.flushAggregates(T + 60), 3);
    assert.deepEqual(await valuesOf(engine, 'out.a.qps'), [166.5]);
    assert.deepEqual(await valuesOf(engine, 'out.b.qps'), [222]);
    assert.deepEqual(await valuesOf(engine, 'out.c.qps'), [333]);
  });
});
