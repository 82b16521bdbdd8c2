/**
 * The two halves of carbon plaintext ingest, each on this thread with no sockets, in CPU
 * nanoseconds per point (the end-to-end bench's per-thread figures, without its noise):
 * - worker: 64 KiB reads of the end-to-end bench's lines (10k series) parsed into batches;
 * - main: those batches applied to a real store (WAL in a temp dir) through the pipeline's writer,
 *   each batch's new names cloned first as a message would deliver them (fresh strings).
 * "GC and helpers" is the CPU of this process's other threads meanwhile (V8's GC and compilers).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CarbonBatcher, DEFAULT_BATCHER_LIMITS } from '../src/ingest/carbon-batcher.js';
import { CarbonBatchWriter } from '../src/ingest/carbon-batch-writer.js';
import { SLICE_NEW_NAMES } from '../src/ingest/carbon-listeners.js';
import { CarbonPlaintextParser } from '../src/ingest/carbon-plaintext-parser.js';
import type { CarbonBatchMessage } from '../src/ingest/carbon-protocol.js';
import { AggregatingWriter } from '../src/pipeline/aggregating-writer.js';
import { IngestAggregator } from '../src/scale/ingest-aggregator.js';
import { loadRetentionPolicy } from '../src/store/retention/index.js';
import { StorageEngine } from '../src/store/storage-engine.js';
import { fmt, table } from './bench-lib.js';

/** SERIES=1000000 POINTS=3 is the end-to-end bench's other scenario. */
const SERIES = Number(process.env.SERIES ?? 10_000);
const POINTS = Number(process.env.POINTS ?? 180);
const STEP = 10;
const READ_BYTES = 64 * 1024;
const ROUNDS = Number(process.env.ROUNDS ?? 5);
/** Points per batch; BATCH_POINTS=4096 shows what a larger batch saves. */
const BATCH_POINTS = Number(process.env.BATCH_POINTS ?? DEFAULT_BATCHER_LIMITS.maxPoints);
/** Points main appends per event-loop turn (carbon-listeners.ts). */
const SLICE_POINTS = 1024;

const seriesName = (i: number): string => `cb.host_${String(i % 100).padStart(2, '0')}.metric_${String(i).padStart(6, '0')}`;
const pointValue = (i: number, k: number): number => ((i * 31 + k * 17) % 1000) / 10;

/** Reads as a socket delivers them: READ_BYTES each, cut at the last newline (the worker joins split lines). */
function reads(start: number): Buffer[] {
  const out: Buffer[] = [];
  let parts: string[] = [];
  let size = 0;
  for (let k = 0; k < POINTS; k++) {
    for (let i = 0; i < SERIES; i++) {
      const line = `${seriesName(i)} ${pointValue(i, k)} ${start + k * STEP}\n`;
      if (size + line.length > READ_BYTES) {
        out.push(Buffer.from(parts.join('')));
        parts = [];
        size = 0;
      }
      parts.push(line);
      size += line.length;
    }
  }
  if (parts.length > 0) out.push(Buffer.from(parts.join('')));
  return out;
}

/** CPU seconds of this process: this thread, and all the others. */
function cpu(): { main: number; others: number } {
  let main = 0;
  let others = 0;
  for (const task of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
      if (Number(task) === process.pid) main += seconds;
      else others += seconds;
    } catch {
      // the thread exited meanwhile
    }
  }
  return { main, others };
}

function measure(run: () => number): { ns: number; gcNs: number } {
  const before = cpu();
  const points = run();
  const after = cpu();
  return { ns: (1e9 * (after.main - before.main)) / points, gcNs: (1e9 * (after.others - before.others)) / points };
}

const start = 1_700_000_000;
const input = reads(start);
const counters = { lines: 0, badLines: 0 };

/** Worker stage: every read parsed, batches handed straight back as main would. */
function parseAll(keep: CarbonBatchMessage[] | null): number {
  const parser = new CarbonPlaintextParser();
  const batcher: CarbonBatcher = new CarbonBatcher((batch) => {
    if (keep) keep.push(batch);
    else batcher.recycle(batch.ids, batch.timestamps, batch.values);
  }, { ...DEFAULT_BATCHER_LIMITS, maxPoints: BATCH_POINTS });
  for (const chunk of input) {
    parser.parse(chunk, 0, chunk.length, batcher, counters);
    batcher.flush();
  }
  return batcher.points;
}

const batches: CarbonBatchMessage[] = [];
parseAll(batches);
if (counters.badLines !== 0) throw new Error(`${counters.badLines} bad lines`);

/** Main stage: every batch applied to a fresh store, the clock just past the batch's points. */
async function applyAll(): Promise<{ ns: number; gcNs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-stages-'));
  let now = start + 60;
  const store = await StorageEngine.open({ dataDir: dir, policy: loadRetentionPolicy(), now: () => now, walSyncIntervalMs: 1000 });
  const writer = new CarbonBatchWriter(new AggregatingWriter(store, new IngestAggregator([])));
  const copies = batches.map((b) => ({ ...b, ids: b.ids.slice() }));
  const result = measure(() => {
    let points = 0;
    for (const copy of copies) {
      // Fresh strings, as main gets them from the worker's message (and garbage once the batch is
      // done): what keeping them costs the GC shows.
      const batch = { ...copy, newNames: structuredClone(copy.newNames) };
      now = batch.timestamps[batch.length - 1] + 60;
      while (!writer.appendNext(batch, SLICE_POINTS, SLICE_NEW_NAMES));
      points += batch.length;
    }
    return points;
  });
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return result;
}

/** STAGE=worker or STAGE=main runs that stage alone (for a profile of it). */
const STAGE = process.env.STAGE;
const skipped = { ns: NaN, gcNs: NaN };
const rows: string[][] = [];
for (let round = 0; round < ROUNDS; round++) {
  const worker = STAGE === 'main' ? skipped : measure(() => parseAll(null));
  const main = STAGE === 'worker' ? skipped : await applyAll();
  rows.push([String(round + 1), fmt(worker.ns), fmt(worker.gcNs), fmt(main.ns), fmt(main.gcNs)]);
}
console.log(`carbon ingest stages, ${fmt(SERIES)} series x ${POINTS} points, batches of ${fmt(BATCH_POINTS)}, CPU ns per point`);
console.log(table(['round', 'worker parse', 'GC and helpers', 'main apply', 'GC and helpers'], rows));
