/**
 * Carbon input parsing throughput, single thread, no sockets:
 * - plaintext: 10k distinct names (a tenth of them tagged), fed in 64 KiB chunks of whole lines;
 * - pickle: decodeCarbonPickle on 500-point protocol 2 frames (what carbon-relay and most clients send).
 */
import { CarbonPlaintextParser, type CarbonSink } from '../src/ingest/carbon-plaintext-parser.js';
import { decodeCarbonPickle } from '../src/ingest/pickle-reader.js';
import { fmt, table } from './bench-lib.js';

const DISTINCT_NAMES = 10_000;
const CHUNK_BYTES = 64 * 1024;
const PLAINTEXT_SECONDS = 2;
const PICKLE_POINTS = 500;
const PICKLE_SECONDS = 2;

function seriesName(i: number): string {
  const base = `servers.dc${i % 4}.host${Math.floor(i / 10)}.cpu.core${i % 10}.user`;
  return i % 10 === 0 ? `${base};role=web;dc=dc${i % 4}` : base;
}

/** Whole-line chunks of at most CHUNK_BYTES, cycling over the names. */
function plaintextChunks(): Uint8Array[] {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let lines: string[] = [];
  let bytes = 0;
  for (let i = 0; i < DISTINCT_NAMES * 5; i++) {
    const line = `${seriesName(i % DISTINCT_NAMES)} ${(i % 997) * 0.25} ${1_700_000_000 + Math.floor(i / DISTINCT_NAMES) * 10}\n`;
    if (bytes + line.length > CHUNK_BYTES) {
      chunks.push(encoder.encode(lines.join('')));
      lines = [];
      bytes = 0;
    }
    lines.push(line);
    bytes += line.length;
  }
  if (lines.length > 0) chunks.push(encoder.encode(lines.join('')));
  return chunks;
}

/** A protocol 2 pickle as Python writes `[(name, (ts, value)), ...]` (memo puts left out). */
function pickleFrame(firstName: number): Uint8Array {
  const out: number[] = [0x80, 0x02, 0x5d, 0x28];
  const encoder = new TextEncoder();
  const float = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < PICKLE_POINTS; i++) {
    const name = encoder.encode(seriesName((firstName + i) % DISTINCT_NAMES));
    out.push(0x58, name.length & 0xff, name.length >> 8, 0, 0, ...name); // BINUNICODE
    const ts = 1_700_000_000 + i;
    out.push(0x4a, ts & 0xff, (ts >> 8) & 0xff, (ts >> 16) & 0xff, ts >>> 24); // BININT
    float.setFloat64(0, i * 0.5, false);
    out.push(0x47, ...new Uint8Array(float.buffer)); // BINFLOAT
    out.push(0x86, 0x86); // TUPLE2, TUPLE2
  }
  out.push(0x65, 0x2e); // APPENDS, STOP
  return Uint8Array.from(out);
}

/**
 * Runs `step` (which returns the points it handled) for `seconds` of wall time. Rates are per CPU
 * second of this process (GC threads included), which shared, busy machines disturb far less than
 * wall time; the wall-clock rate is printed beside it.
 */
function run(seconds: number, step: () => number): { perCpuSecond: number; perWallSecond: number; nsPerItem: number } {
  for (let i = 0; i < 20; i++) step(); // warm-up
  let items = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(seconds * 1e9);
  let now = start;
  while (now < deadline) {
    items += step();
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuNs = (cpu.user + cpu.system) * 1000;
  return { perCpuSecond: (items * 1e9) / cpuNs, perWallSecond: (items * 1e9) / Number(now - start), nsPerItem: cpuNs / items };
}

let checksum = 0;
const handles = new Map<string, number>();
const sink: CarbonSink = {
  epoch: 0,
  newSeries: (name) => sink.seriesOf(name),
  seriesOf(name) {
    let handle = handles.get(name);
    if (handle === undefined) handles.set(name, (handle = handles.size));
    return handle;
  },
  point(series, value, timestamp) {
    checksum += series + value + timestamp;
  },
};

const chunks = plaintextChunks();
const parser = new CarbonPlaintextParser();
const plainCounters = { lines: 0, badLines: 0 };
let chunkIndex = 0;
const plaintext = run(PLAINTEXT_SECONDS, () => {
  const chunk = chunks[chunkIndex++ % chunks.length];
  const before = plainCounters.lines;
  parser.parse(chunk, 0, chunk.length, sink, plainCounters);
  return plainCounters.lines - before;
});
if (plainCounters.badLines !== 0) throw new Error(`${plainCounters.badLines} bad lines in the benchmark input`);

const frames = Array.from({ length: 20 }, (_, i) => pickleFrame(i * PICKLE_POINTS));
const pickleCounters = { lines: 0, badLines: 0 };
let frameIndex = 0;
const pickle = run(PICKLE_SECONDS, () => {
  const before = pickleCounters.lines;
  decodeCarbonPickle(frames[frameIndex++ % frames.length], sink, pickleCounters, () => 0);
  return pickleCounters.lines - before;
});
if (pickleCounters.badLines !== 0) throw new Error(`${pickleCounters.badLines} bad entries in the benchmark input`);

console.log(
  table(
    ['input', 'points/CPU-s', 'CPU ns/point', 'points/wall-s'],
    [
      [`plaintext, ${fmt(DISTINCT_NAMES)} names, 64 KiB chunks`, fmt(plaintext.perCpuSecond), fmt(plaintext.nsPerItem, 1), fmt(plaintext.perWallSecond)],
      [`pickle, ${PICKLE_POINTS}-point frames`, fmt(pickle.perCpuSecond), fmt(pickle.nsPerItem, 1), fmt(pickle.perWallSecond)],
    ],
  ),
);
console.log(`RSS ${fmt(process.memoryUsage().rss / 2 ** 20, 1)} MiB (checksum ${checksum > 0 ? 'ok' : 'zero'})`);
