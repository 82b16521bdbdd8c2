/**
 * A random workload for the storage engine, checked against an in-memory model: appends in and out
 * of order (repeated slots: last value wins), sweeps, deletes by name and glob (some racing a
 * sweep), writes of deleted names, writers that kept an id across a delete, and close + reopen.
 * Generating the ops and running them are separate, so a failing list can be shrunk op by op.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { PointBatchBuilder } from '../../src/points.js';
import { loadRetentionPolicy } from '../../src/store/retention/index.js';
import { StorageEngine } from '../../src/store/storage-engine.js';
import { seededUniform } from './seeded-random.js';

export const WORKLOAD_NAMES = ['w.a', 'w.b', 'w.c.x', 'w.c.y', 'w.t;k=v'] as const;
const STEP = 10;

/** One point: name index, seconds from the clock (negative: the past), value. */
export type WorkloadPoint = [name: number, offset: number, value: number];

export type WorkloadOp =
  | { op: 'write'; points: WorkloadPoint[] }
  /** Points through the id the writer resolved earlier in this run (as a StatsD flush does), deleted or not. */
  | { op: 'writeHeldId'; points: WorkloadPoint[] }
  | { op: 'advance'; seconds: number }
  | { op: 'sweep' }
  | { op: 'delete'; name: number }
  | { op: 'deleteGlob'; pattern: string }
  /** A delete issued while a sweep is under way. */
  | { op: 'deleteDuringSweep'; name: number }
  | { op: 'reopen' }
  /** kill -9 once queued writes are done: the next engine opens a copy of the files as they are. */
  | { op: 'crash' }
  | { op: 'check' };

export interface WorkloadOptions {
  /** 1: every sealed window is read back from LevelDB rather than the hot ring. */
  hotBudgetBytes?: number;
  sealGraceSeconds?: number;
}

/** A bounded op list from a seed; values are unique, so a point of a deleted series cannot pass for a new one. */
export function generateWorkload(seed: number, length: number): WorkloadOp[] {
  const random = seededUniform(seed);
  const int = (n: number): number => Math.floor(random() * n);
  let value = 0;
  // Integers, decimals and fractions such as timer means, so every chunk encoding is stored and merged.
  const nextValue = (): number => {
    const r = random();
    return r < 0.5 ? ++value : r < 0.75 ? ++value / 10 : ++value / 7;
  };
  const offset = (): number => {
    const r = random();
    if (r < 0.55) return -int(150); // around now, in the open window
    if (r < 0.8) return -int(3600); // the last few windows, sealed or not
    if (r < 0.92) return -3600 - int(3 * 3600); // long sealed: late points
    return int(590); // ahead of the clock, within its tolerance
  };
  const points = (): WorkloadPoint[] => {
    const out: WorkloadPoint[] = [];
    const n = 1 + int(6);
    for (let i = 0; i < n; i++) {
      const p: WorkloadPoint = [int(WORKLOAD_NAMES.length), offset(), nextValue()];
      out.push(p);
      // The same slot again in the batch: the later value must win.
      if (random() < 0.15) out.push([p[0], p[1], nextValue()]);
    }
    return out;
  };
  const ops: WorkloadOp[] = [];
  for (let i = 0; i < length; i++) {
    const r = random();
    if (r < 0.4) ops.push({ op: 'write', points: points() });
    else if (r < 0.46) ops.push({ op: 'writeHeldId', points: points() });
    else if (r < 0.62) ops.push({ op: 'advance', seconds: random() < 0.8 ? int(700) : 1200 + int(3600) });
    else if (r < 0.72) ops.push({ op: 'sweep' });
    else if (r < 0.78) ops.push({ op: 'delete', name: int(WORKLOAD_NAMES.length) });
    else if (r < 0.8) ops.push({ op: 'deleteGlob', pattern: 'w.c.*' });
    else if (r < 0.83) ops.push({ op: 'deleteDuringSweep', name: int(WORKLOAD_NAMES.length) });
    else if (r < 0.9) ops.push({ op: 'reopen' });
    else if (r < 0.93) ops.push({ op: 'crash' });
    else ops.push({ op: 'check' });
  }
  ops.push({ op: 'reopen' });
  return ops;
}

/** The clock starts on a window boundary, far enough in that every offset stays a valid time. */
const START = 1_800_000_000 - (1_800_000_000 % 1200);

/**
 * Runs the ops on a real engine in a temp dir and compares every read with the model after each
 * reopen and check op; returns the first difference (with the op index), or null.
 */
export async function runWorkload(ops: readonly WorkloadOp[], options: WorkloadOptions = {}): Promise<string | null> {
  const dirs = [mkdtempSync(join(tmpdir(), 'carbonado-workload-'))];
  let dir = dirs[0];
  let t = START;
  const open = (): Promise<StorageEngine> =>
    StorageEngine.open({ dataDir: dir, policy: loadRetentionPolicy({}), now: () => t, walSyncIntervalMs: 0, ...options });
  /** name -> slot time -> value, for every live series. */
  const model = new Map<string, Map<number, number>>();
  let heldIds = new Map<string, number>();
  let engine = await open();
  const put = (name: string, offset: number, value: number): void => {
    const ts = t + offset;
    let series = model.get(name);
    if (!series) model.set(name, (series = new Map()));
    series.set(ts - (ts % STEP), value);
  };
  const forget = (name: string): void => void model.delete(name);
  try {
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i];
      switch (o.op) {
        case 'write':
        case 'writeHeldId': {
          const batch = new PointBatchBuilder();
          for (const [n, offset, value] of o.points) {
            const name = WORKLOAD_NAMES[n];
            let id = o.op === 'writeHeldId' ? heldIds.get(name) : undefined;
            if (id === undefined) heldIds.set(name, (id = engine.seriesId(name)));
            batch.push(id, t + offset, value);
            put(name, offset, value);
          }
          engine.append(batch);
          break;
        }
        case 'advance':
          t += o.seconds;
          break;
        case 'sweep':
          await engine.sweep();
          break;
        case 'delete':
          await engine.deleteSeries([WORKLOAD_NAMES[o.name]]);
          forget(WORKLOAD_NAMES[o.name]);
          break;
        case 'deleteGlob': {
          const names = engine.match(o.pattern);
          await engine.deleteSeries(names);
          names.forEach(forget);
          break;
        }
        case 'deleteDuringSweep': {
          const sweeping = engine.sweep();
          await engine.deleteSeries([WORKLOAD_NAMES[o.name]]);
          await sweeping;
          forget(WORKLOAD_NAMES[o.name]);
          break;
        }
        case 'reopen':
          await engine.close();
          engine = await open();
          heldIds = new Map(); // a new process resolves its names again
          break;
        case 'crash': {
          await engine.deleteSeries([]);
          dirs.push(mkdtempSync(join(tmpdir(), 'carbonado-workload-')));
          await copyWhileOpen(dir, dirs[dirs.length - 1]);
          await engine.close(); // writes to the old directory only
          dir = dirs[dirs.length - 1];
          engine = await open();
          heldIds = new Map();
          break;
        }
        case 'check':
          break;
      }
      if (o.op === 'reopen' || o.op === 'crash' || o.op === 'check') {
        // Late points are merged into their chunks by queued writes: an empty delete waits for them.
        await engine.deleteSeries([]);
        const difference = await compare(engine, model, t);
        if (difference) return `after op ${i} (${o.op}): ${difference}`;
      }
    }
    return null;
  } finally {
    await engine.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

/**
 * A copy of an open store's files as kill -9 would leave them. Copying is not atomic: LevelDB may
 * compact while it runs (a file gone, or a manifest naming a file not copied), so a copy whose
 * LevelDB does not open is taken again.
 */
async function copyWhileOpen(from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    rmSync(to, { recursive: true, force: true });
    try {
      cpSync(from, to, { recursive: true });
      const db = new ClassicLevel(join(to, 'db'));
      await db.open();
      await db.close();
      return;
    } catch (err) {
      if (attempt === 10) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Reads every name the workload uses over the whole run and compares points and names with the model. */
async function compare(engine: StorageEngine, model: Map<string, Map<number, number>>, now: number): Promise<string | null> {
  const live = [...model.keys()].sort();
  const names = [...engine.names()].sort();
  if (names.join() !== live.join()) return `names ${JSON.stringify(names)}, expected ${JSON.stringify(live)}`;
  const from = START - 5 * 3600;
  const ranges = await engine.read(WORKLOAD_NAMES, from, now);
  for (const range of ranges) {
    const expected = model.get(range.name);
    if (!expected) return `${range.name} was deleted but reads`;
    if (range.step !== STEP) return `${range.name} read at step ${range.step}`;
    const wrong: string[] = [];
    for (let i = 0; i < range.values.length; i++) {
      const ts = range.start + i * STEP;
      const want = expected.get(ts) ?? NaN;
      const got = range.values[i];
      if (!Object.is(want, got)) wrong.push(`${ts - START}: ${got} (expected ${want})`);
    }
    if (wrong.length > 0) return `${range.name}: ${wrong.slice(0, 6).join(', ')}${wrong.length > 6 ? ` and ${wrong.length - 6} more` : ''}`;
  }
  if (ranges.length !== model.size) return `read ${ranges.length} series, expected ${model.size}`;
  return null;
}
