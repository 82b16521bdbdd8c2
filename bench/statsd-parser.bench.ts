/**
 * StatsD parser throughput on realistic 1400-byte datagrams, single-threaded, into a sink that
 * only sums values (so the figures are the parser's own cost). Two mixes: plain names, and
 * names with Graphite or DogStatsD tags (the slow, normalising path). Then plain names into two
 * aggregator rings as a receiver thread writes them (parse + numbering + record write + publish per datagram;
 * the rings are emptied after each pass, on the same clock: a small part of the figure).
 */
import { ByteRingReader, createByteRing, createDoorbell } from '../src/ingest/byte-ring.js';
import { RingSink } from '../src/ingest/ring-sink.js';
import { StatsdParser, type ParseCounters, type StatsdSink } from '../src/ingest/statsd-parser.js';

const DATAGRAM_BYTES = 1400;
const DATAGRAM_COUNT = 512;
const RUN_MS = 2000;

/** What the aggregator threads' side needs here: empty the rings, look at nothing. */
interface Target {
  sink: StatsdSink;
  /** After each datagram, as a receiver does. */
  publish(): void;
  /** After each pass over the datagrams. */
  drain(): void;
  checksum(): number;
}

function summing(): Target {
  const sink = new SummingSink();
  return { sink, publish() {}, drain() {}, checksum: () => sink.sum };
}

/** A RingSink over two rings (two aggregator threads), as big as the pipeline makes them. */
function rings(): Target {
  const handles = [createByteRing(32 << 20), createByteRing(32 << 20)];
  const sink = new RingSink(handles, [createDoorbell(), createDoorbell()]);
  const readers = handles.map((h) => new ByteRingReader(h));
  let records = 0;
  const count = (_view: DataView, _bytes: Uint8Array, _offsets: Uint32Array, n: number): void => {
    records += n;
  };
  return {
    sink,
    publish: () => sink.publish(),
    drain() {
      for (const r of readers) r.drainBatches(count);
      if (sink.drops > 0) throw new Error(`${sink.drops} records dropped: rings too small for one pass`);
    },
    checksum: () => records,
  };
}

class SummingSink implements StatsdSink {
  sum = 0;
  records = 0;
  record(_kind: number, _flags: number, hash: number, value: number, sampleRate: number): void {
    this.sum += value / sampleRate + (hash & 1);
    this.records++;
  }
}

/** Deterministic pseudo-random numbers, so every run measures the same input. */
function lcg(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
}

/** `app.web-042.requests.endpoint_17.latency`: ~45 bytes, like real service metrics. */
function plainName(random: (n: number) => number): string {
  const host = String(random(200)).padStart(3, '0');
  const what = ['requests', 'responses', 'db_calls', 'cache_ops'][random(4)];
  const stat = ['latency', 'count', 'errors', 'bytes_out'][random(4)];
  return `app.web-${host}.${what}.endpoint_${random(40)}.${stat}`;
}

/** 50% counters, 25% timers, 15% gauges, 10% sets; 20% of counters and timers sampled. */
function sampleLine(random: (n: number) => number, name: string, tagSection: string): string {
  const pick = random(100);
  const rate = random(5) === 0 ? (random(2) === 0 ? '|@0.5' : '|@0.1') : '';
  if (pick < 50) return `${name}:${1 + random(10)}|c${rate}${tagSection}`;
  if (pick < 75) return `${name}:${random(2000)}.${random(100)}|ms${rate}${tagSection}`;
  if (pick < 90) return `${name}:${random(3) === 0 ? '+' : ''}${random(100000)}|g${tagSection}`;
  return `${name}:user${random(100000)}|s${tagSection}`;
}

function taggedLine(random: (n: number) => number): string {
  const base = `app.${['requests', 'responses', 'db_calls'][random(3)]}.${['latency', 'count'][random(2)]}`;
  const host = `web-${String(random(200)).padStart(3, '0')}`;
  if (random(2) === 0) return sampleLine(random, `${base};region=eu-west;host=${host};env=prod`, '');
  return sampleLine(random, base, `|#host:${host},env:prod,region:eu-west`);
}

/** Datagrams of whole lines, each filled up to DATAGRAM_BYTES, as clients pack them. */
function makeDatagrams(makeLine: (random: (n: number) => number) => string, seed: number): Buffer[] {
  const random = lcg(seed);
  const datagrams: Buffer[] = [];
  let pending = makeLine(random);
  for (let d = 0; d < DATAGRAM_COUNT; d++) {
    const lines: string[] = [];
    let size = 0;
    while (size + pending.length + 1 <= DATAGRAM_BYTES) {
      lines.push(pending);
      size += pending.length + 1;
      pending = makeLine(random);
    }
    datagrams.push(Buffer.from(lines.join('\n')));
  }
  return datagrams;
}

function run(label: string, datagrams: Buffer[], target: Target = summing()): void {
  const parser = new StatsdParser();
  const sink = target.sink;
  const counters: ParseCounters = { lines: 0, badLines: 0 };
  const bytesPerPass = datagrams.reduce((n, d) => n + d.length, 0);

  // Warm-up, so the figures are for optimised code.
  for (let i = 0; i < 20; i++) {
    for (const d of datagrams) {
      parser.parse(d, 0, d.length, sink, counters);
      target.publish();
    }
    target.drain();
  }
  counters.lines = 0;
  counters.badLines = 0;

  const heapBefore = process.memoryUsage().heapUsed;
  const cpuBefore = process.cpuUsage();
  let passes = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(RUN_MS) * 1_000_000n;
  let now = started;
  while (now < deadline) {
    for (const d of datagrams) {
      parser.parse(d, 0, d.length, sink, counters);
      target.publish();
    }
    target.drain();
    passes++;
    now = process.hrtime.bigint();
  }
  const wallSeconds = Number(now - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  // CPU time rather than wall time: other processes on a shared machine do not slow the figure.
  const seconds = (cpu.user + cpu.system) / 1e6;
  const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;

  if (counters.badLines !== 0) throw new Error(`${label}: ${counters.badLines} bad lines in generated input`);
  const linesPerSecond = counters.lines / seconds;
  const linesPerDatagram = counters.lines / passes / datagrams.length;
  console.log(
    `${label.padEnd(14)} ${(linesPerSecond / 1e6).toFixed(2).padStart(6)} M lines/s  ` +
      `${((seconds * 1e9) / counters.lines).toFixed(0).padStart(4)} ns/line  ` +
      `${((bytesPerPass * passes) / seconds / 1e6).toFixed(0).padStart(4)} MB/s  ` +
      `${linesPerDatagram.toFixed(1)} lines/datagram  heap +${heapGrowthMb.toFixed(1)} MB  ` +
      `(wall ${(counters.lines / wallSeconds / 1e6).toFixed(2)} M lines/s) ` +
      `(checksum ${target.checksum().toExponential(3)})`,
  );
}

console.log(`statsd parser: ${DATAGRAM_BYTES}-byte datagrams, ${RUN_MS / 1000} s per mix, one thread, per CPU second`);
run('plain names', makeDatagrams((random) => sampleLine(random, plainName(random), ''), 1));
run('tagged names', makeDatagrams(taggedLine, 2));
run('plain -> rings', makeDatagrams((random) => sampleLine(random, plainName(random), ''), 1), rings());
console.log(`RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
