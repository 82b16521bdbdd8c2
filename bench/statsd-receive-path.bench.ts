/**
 * CPU per StatsD line along the receive path, in one process and without sockets: the load
 * generator's own datagrams (bench/statsd-load-pool.ts, 10k and 100k names) go through what a
 * receiver thread does per datagram (parse into the aggregator rings, publish), then through what
 * the aggregator threads do (drain the rings into StatsdAggregator). Each stage is timed in
 * thread CPU time, so neighbours on a shared machine barely move the figures, and the two add up
 * to the per-line CPU the pipeline spends past the kernel (reading the socket, ~0.6 us a datagram,
 * is not included). Flushes run once per pass over the pool and are reported apart.
 *
 * BENCH_NAMES=100000 runs one size; BENCH_SHARDS sets the number of aggregators (default: the
 * configured default).
 */
import { StatsdAggregator, defaultAggregatorOptions } from '../src/aggregate/statsd-aggregator.js';
import { defaultConfig } from '../src/config/config.js';
import { ByteRingReader, createByteRing, createDoorbell } from '../src/ingest/byte-ring.js';
import { RingSink } from '../src/ingest/ring-sink.js';
import { StatsdParser, type ParseCounters } from '../src/ingest/statsd-parser.js';
import { buildPool } from './statsd-load-pool.js';

const NAME_COUNTS = (process.env.BENCH_NAMES ?? '10000,100000').split(',').map(Number);
const SHARDS = Number(process.env.BENCH_SHARDS ?? defaultConfig().workers);
const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 3000);
const ROUNDS = 3;
/** Datagrams parsed before the aggregators drain: about what the rings hold between drains. */
const CHUNK = 256;
const RING_BYTES = 32 << 20;

function clock(): number {
  const { user, system } = process.threadCpuUsage();
  return user + system; // µs
}

interface Round {
  lines: number;
  receiveUs: number;
  aggregateUs: number;
  flushUs: number;
  flushes: number;
}

function runRound(packets: Buffer[], runMs: number, state: Stage): Round {
  const { parser, sink, readers, aggregators, counters, apply } = state;
  const linesBefore = counters.lines;
  let receiveUs = 0;
  let aggregateUs = 0;
  let flushUs = 0;
  let flushes = 0;
  const deadline = performance.now() + runMs;
  while (performance.now() < deadline) {
    for (let from = 0; from < packets.length; from += CHUNK) {
      const to = Math.min(from + CHUNK, packets.length);
      let t = clock();
      for (let p = from; p < to; p++) {
        const d = packets[p];
        parser.parse(d, 0, d.length, sink, counters);
        sink.publish();
      }
      let u = clock();
      receiveUs += u - t;
      t = u;
      for (let a = 0; a < readers.length; a++) {
        state.current = aggregators[a];
        readers[a].drainBatches(apply);
      }
      u = clock();
      aggregateUs += u - t;
    }
    const t = clock();
    for (const a of aggregators) a.flush();
    flushUs += clock() - t;
    flushes++;
  }
  if (counters.badLines !== 0) throw new Error(`${counters.badLines} bad lines in generated input`);
  if (sink.drops !== 0) throw new Error(`${sink.drops} records dropped: rings too small`);
  return { lines: counters.lines - linesBefore, receiveUs, aggregateUs, flushUs, flushes };
}

interface Stage {
  parser: StatsdParser;
  sink: RingSink;
  readers: ByteRingReader[];
  aggregators: StatsdAggregator[];
  counters: ParseCounters;
  current: StatsdAggregator;
  apply: (view: DataView, bytes: Uint8Array, offsets: Uint32Array, count: number) => void;
}

function stage(): Stage {
  const rings = Array.from({ length: SHARDS }, () => createByteRing(RING_BYTES));
  const aggregators = rings.map(() => new StatsdAggregator({ ...defaultAggregatorOptions }));
  const state: Stage = {
    parser: new StatsdParser(),
    sink: new RingSink(rings, rings.map(() => createDoorbell())),
    readers: rings.map((r) => new ByteRingReader(r)),
    aggregators,
    counters: { lines: 0, badLines: 0 },
    current: aggregators[0],
    apply: (view, bytes, offsets, count) => state.current.addBatch(view, bytes, offsets, count),
  };
  return state;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`statsd receive path: generator datagrams, ${SHARDS} aggregator shard(s), thread CPU ns per line`);
for (const names of NAME_COUNTS) {
  const pool = buildPool({ names, packetBytes: 1400, prefix: 'bench', seed: 1 });
  const lines = pool.lines.reduce((n, l) => n + l, 0);
  const state = stage();
  runRound(pool.packets, 1000, state); // warm-up: optimised code, every name known
  const receive: number[] = [];
  const aggregate: number[] = [];
  const total: number[] = [];
  let flushMs = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const round = runRound(pool.packets, RUN_MS, state);
    receive.push((round.receiveUs * 1000) / round.lines);
    aggregate.push((round.aggregateUs * 1000) / round.lines);
    total.push(((round.receiveUs + round.aggregateUs) * 1000) / round.lines);
    flushMs = round.flushUs / round.flushes / 1000;
  }
  const fmt = (xs: number[]): string =>
    `${median(xs).toFixed(0).padStart(4)} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
  console.log(
    `${String(names).padStart(6)} names, ${(lines / pool.packets.length).toFixed(1)} lines/datagram: ` +
      `receive ${fmt(receive)}  aggregate ${fmt(aggregate)}  total ${fmt(total)} ns/line  ` +
      `flush ${flushMs.toFixed(1)} ms per pool pass`,
  );
}
