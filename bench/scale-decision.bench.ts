/**
 * The server-free cost of scale decisions: sampling a pool's window and deciding, for 100 pools
 * (the store read and HTTP are not included), and the ingest aggregator's throughput with 10k hosts
 * feeding 100 pool aggregates (with the rules, and with no rules at all: the cost of the lookup).
 */
import { parseAggregationRules } from '../src/scale/aggregation-rules.js';
import { decide } from '../src/scale/decision.js';
import { IngestAggregator } from '../src/scale/ingest-aggregator.js';
import { parsePoolConfig } from '../src/config/pool-config.js';
import { type PoolSeries, sampleWindow } from '../src/scale/sampler.js';

const POOLS = 100;
const HOSTS_PER_POOL = 100;

function percentile(sorted: Float64Array, fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

function decisionLatency(): void {
  const step = 10;
  const slots = 360; // an hour of 10 s points
  const now = slots * step;
  const pools = Array.from({ length: POOLS }, (_, p) => {
    const config = parsePoolConfig({
      qps: `out.pool${p}.qps`,
      instances: `out.pool${p}.instances`,
      capacityPerInstance: 100,
      health: [{ target: `out.pool${p}.slow_ratio`, above: 0.01 }],
    });
    const qps = Float64Array.from({ length: slots }, (_, i) => 3000 + 2000 * Math.sin((i + p * 7) / 40));
    const series: PoolSeries = {
      qps: [{ start: 0, step, values: qps }],
      instances: [{ start: 0, step, values: new Float64Array(slots).fill(20) }],
      health: [[{ start: 0, step, values: Float64Array.from({ length: slots }, (_, i) => (i % 17 === 0 ? 0.02 : 0.004)) }]],
    };
    return { name: `pool${p}`, config, series };
  });

  const warmup = 200;
  for (let poll = 0; poll < warmup; poll++) {
    for (const pool of pools) decide({ pool: pool.name, config: pool.config, at: now, samples: sampleWindow(pool.config, pool.series, now) });
  }
  const polls = 2000;
  const perPool = new Float64Array(polls * POOLS);
  const perPoll = new Float64Array(polls);
  let actions = 0;
  for (let poll = 0; poll < polls; poll++) {
    const at = now - (poll % 60) * step;
    const pollStart = process.hrtime.bigint();
    for (let p = 0; p < POOLS; p++) {
      const pool = pools[p];
      const start = process.hrtime.bigint();
      const decision = decide({ pool: pool.name, config: pool.config, at, samples: sampleWindow(pool.config, pool.series, at) });
      JSON.stringify(decision);
      perPool[poll * POOLS + p] = Number(process.hrtime.bigint() - start) / 1e3;
      if (decision.action !== 'hold') actions++;
    }
    perPoll[poll] = Number(process.hrtime.bigint() - pollStart) / 1e3;
  }
  perPool.sort();
  perPoll.sort();
  console.log(`decide: sampleWindow + decide + JSON.stringify, ${POOLS} pools x ${polls} polls after ${warmup} warm-up (${actions} non-hold decisions)`);
  console.log(`  per pool:        p50 ${percentile(perPool, 0.5).toFixed(1)} us, p99 ${percentile(perPool, 0.99).toFixed(1)} us`);
  console.log(`  per ${POOLS}-pool poll: p50 ${(percentile(perPoll, 0.5) / 1000).toFixed(3)} ms, p99 ${(percentile(perPoll, 0.99) / 1000).toFixed(3)} ms`);
}

function ingestThroughput(): void {
  const metrics = ['qps', 'slow_ratio', 'latency', 'cpu', 'mem']; // the last two match no rule
  const names: string[] = [];
  for (let p = 0; p < POOLS; p++) {
    for (let h = 0; h < HOSTS_PER_POOL; h++) for (const metric of metrics) names.push(`web.pool${p}.host${p * HOSTS_PER_POOL + h}.${metric}`);
  }
  const rulesText = [
    'out.<pool>.qps (60) = sum web.<pool>.*.qps',
    'out.<pool>.slow_ratio (60) = avg web.<pool>.*.slow_ratio',
    'out.<pool>.latency_p99 (60) = p99 web.<pool>.*.latency',
  ].join('\n');

  const run = (label: string, aggregator: IngestAggregator): void => {
    const rounds = 120; // 20 minutes of 10 s flushes
    let emitted = 0;
    const sink = (): void => {
      emitted++;
    };
    // First round resolves every name (the cold cost); then the steady state.
    const coldStart = process.hrtime.bigint();
    for (let i = 0; i < names.length; i++) aggregator.add(names[i], 0, i & 1023);
    const coldMs = Number(process.hrtime.bigint() - coldStart) / 1e6;
    let flushNs = 0n;
    const start = process.hrtime.bigint();
    for (let round = 1; round <= rounds; round++) {
      const t = round * 10;
      for (let i = 0; i < names.length; i++) aggregator.add(names[i], t, (i + round) & 1023);
      const flushStart = process.hrtime.bigint();
      aggregator.flush(t, sink);
      flushNs += process.hrtime.bigint() - flushStart;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const points = rounds * names.length;
    console.log(
      `  ${label.padEnd(22)} ${(points / seconds / 1e6).toFixed(2)} M points/s (incl. flush; flush total ${(Number(flushNs) / 1e6).toFixed(1)} ms, ` +
        `${emitted} buckets emitted), first round resolving ${names.length} names: ${coldMs.toFixed(1)} ms`,
    );
  };

  console.log(`ingest aggregator: ${POOLS * HOSTS_PER_POOL} hosts x ${metrics.length} metrics -> ${POOLS} pools x 3 rules (sum, avg, p99)`);
  run('no rules (lookup only)', new IngestAggregator([]));
  run('3 rules', new IngestAggregator(parseAggregationRules(rulesText)));
  console.log(`  RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
}

decisionLatency();
ingestThroughput();
