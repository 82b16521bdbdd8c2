/**
 * StatsD aggregator: records/s through `add` over 10k and 100k distinct metrics of mixed kinds,
 * then the time of one `flush` covering all of them, in thread CPU time. BENCH_METRICS=100000
 * runs one size only.
 */
import { defaultAggregatorOptions, StatsdAggregator } from '../src/aggregate/statsd-aggregator.js';
import { ByteRingReader, createByteRing, createDoorbell } from '../src/ingest/byte-ring.js';
import { RingSink } from '../src/ingest/ring-sink.js';
import { nameHash, MetricKind, RecordFlags } from '../src/ingest/statsd-record.js';

const METRIC_COUNTS = (process.env.BENCH_METRICS ?? '10000,100000').split(',').map(Number);
const RECORDS_PER_PASS = 500_000;
const PASSES = 10; // 5M records per interval
/** Records per `addBatch`, as the aggregator thread hands them over; 0 = one `add` per record. */
const BATCH = Number(process.env.BENCH_BATCH ?? 32);
const encoder = new TextEncoder();
const NO_MEMBER = new Uint8Array(0);

/** 50% counters, 25% timers, 15% gauges, 10% sets. */
function kindOf(metric: number): MetricKind {
  const r = metric % 20;
  if (r < 10) return MetricKind.Counter;
  if (r < 15) return MetricKind.Timer;
  if (r < 18) return MetricKind.Gauge;
  return MetricKind.Set;
}

interface Records {
  view: DataView;
  bytes: Uint8Array;
  offsets: Uint32Array;
}

/**
 * Two passes of records as a receiver writes them (through a RingSink): in the first each
 * metric's first record carries its name, in the second every record is id-only (steady state).
 */
function buildRecords(METRICS: number): { first: Records; steady: Records } {
  const names = Array.from({ length: METRICS }, (_, i) => encoder.encode(`app.svc${i % 97}.host${i}.requests.latency`));
  const hashes = names.map((n) => nameHash(n, 0, n.length));
  const members = Array.from({ length: 64 }, (_, i) => encoder.encode(`user${i}`));
  const ring = createByteRing(64 << 20);
  const sink = new RingSink([ring], [createDoorbell()]);
  const reader = new ByteRingReader(ring);
  const pass = (): Records => {
    for (let r = 0; r < RECORDS_PER_PASS; r++) {
      const metric = (r * 7919) % METRICS; // every metric 5 times per pass, interleaved
      const kind = kindOf(metric);
      const name = names[metric];
      const member = kind === MetricKind.Set ? members[r % members.length] : NO_MEMBER;
      const flags = kind === MetricKind.Gauge && r % 2 ? RecordFlags.GaugeDelta : 0;
      const rate = kind <= MetricKind.Timer && r % 10 === 0 ? 0.5 : 1;
      sink.record(kind, flags, hashes[metric], (r % 1000) / 7, rate, name, 0, name.length, member, 0, member.length);
    }
    sink.publish();
    if (sink.drops > 0) throw new Error('ring too small for the bench records');
    const offsets = new Uint32Array(RECORDS_PER_PASS);
    let n = 0;
    reader.drainBatches((_view, _bytes, batch, count) => {
      offsets.set(batch.subarray(0, count), n);
      n += count;
    });
    return { view: reader.view, bytes: reader.bytes, offsets };
  };
  const first = pass();
  return { first, steady: pass() };
}

/**
 * Milliseconds of this thread's CPU time: on a shared machine wall time mostly measures the
 * neighbours, CPU time only this thread's work (still slowed by their cache traffic).
 */
function clock(): number {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1000;
}

function addPass(aggregator: StatsdAggregator, records: Records): number {
  const { view, bytes, offsets } = records;
  const start = clock();
  if (BATCH === 0) {
    for (let r = 0; r < offsets.length; r++) aggregator.add(view, bytes, offsets[r]);
    return clock() - start;
  }
  for (let r = 0; r < offsets.length; r += BATCH) {
    const batch = offsets.subarray(r, Math.min(r + BATCH, offsets.length));
    aggregator.addBatch(view, bytes, batch, batch.length);
  }
  return clock() - start;
}

function timeFlush(aggregator: StatsdAggregator): { ms: number; points: number; names: number } {
  const start = clock();
  const out = aggregator.flush();
  return { ms: clock() - start, points: out.length, names: out.newNames.length };
}

for (const METRICS of METRIC_COUNTS) {
  console.log(`-- ${METRICS} metrics --`);
  const records = buildRecords(METRICS);
  const aggregator = new StatsdAggregator({ ...defaultAggregatorOptions, percentThresholds: [90, 99] });

  const firstPassMs = addPass(aggregator, records.first);
  let steadyMs = 0;
  for (let pass = 1; pass < PASSES; pass++) steadyMs += addPass(aggregator, records.steady);
  const steadyRecords = RECORDS_PER_PASS * (PASSES - 1);
  const totalMs = firstPassMs + steadyMs;
  console.log(`add, first pass (creates ${METRICS} metrics): ${((RECORDS_PER_PASS / firstPassMs) * 1000 / 1e6).toFixed(2)} M records/s`);
  console.log(`add, known metrics: ${((steadyRecords / steadyMs) * 1000 / 1e6).toFixed(2)} M records/s (${(steadyMs * 1e6 / steadyRecords).toFixed(0)} ns/record)`);
  console.log(`add, all ${RECORDS_PER_PASS * PASSES / 1e6}M records: ${((RECORDS_PER_PASS * PASSES / totalMs) * 1000 / 1e6).toFixed(2)} M records/s`);

  const first = timeFlush(aggregator);
  console.log(`flush of ${METRICS} metrics (${first.points} points, ${first.names} new names, ~${Math.round((RECORDS_PER_PASS * PASSES) / METRICS)} samples per timer): ${first.ms.toFixed(1)} ms`);

  for (let pass = 0; pass < PASSES; pass++) addPass(aggregator, records.steady);
  const steady = timeFlush(aggregator);
  console.log(`flush, second interval (names known): ${steady.ms.toFixed(1)} ms for ${steady.points} points`);

  const idle = timeFlush(aggregator);
  console.log(`flush, idle interval: ${idle.ms.toFixed(1)} ms for ${idle.points} points`);
  console.log(`RSS: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`);
}
