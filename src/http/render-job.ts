/**
 * What the main thread and a render worker say to each other: the job (fetched data, the parsed
 * targets, how to answer), the worker's answer, the worker's requests for more data over the job's
 * port, and errors as plain data that become the same errors, with the same status, on the other side.
 */
import type { MessagePort } from 'node:worker_threads';
import type { EvaluateOptions, FetchedRanges, FetchPlan } from '../query/evaluator.js';
import type { Expression } from '../query/expression/ast.js';
import { QueryError } from '../query/query-error.js';
import type { Reduction } from '../query/reducing-read.js';
import type { Series } from '../query/series.js';
import type { SeriesRange } from '../store/series-store.js';
import { NamePatternError } from '../names/name-pattern-error.js';
import { concatBytes } from './concat-bytes.js';
import { RequestLimitError, type RenderLimits } from './limits.js';
import type { BodyOptions } from './render-body.js';

export interface RenderJob {
  expressions: Expression[];
  fetched: RangeColumns;
  evaluate: EvaluateOptions;
  body: BodyOptions;
  limits: RenderLimits;
  /** Whether the store computes reductions while reading (SeriesSource.reduces). */
  reduces: boolean;
  /** Where the worker asks the main thread for data the fetch did not bring. */
  port: MessagePort;
}

export type RenderJobResult = { contentType: string; pieces: Uint8Array[] } | { error: WireError };

/** The worker asking for data: a fetch plan, or a reduction. */
export type SourceRequest =
  | { id: number; plan: FetchPlan }
  | { id: number; reduction: Reduction; from: number; until: number; xFilesFactor: number };

export type SourceReply = { id: number; fetched: RangeColumns } | { id: number; reduced: Series[] | undefined } | { id: number; error: WireError };

/** An error as data: a user's query error (400), a limit (its status), or anything else (500). */
export type WireError =
  | { kind: 'query'; message: string }
  | { kind: 'limit'; message: string; status: 422 | 503; limit: string }
  | { kind: 'internal'; message: string };

export function errorToWire(error: unknown): WireError {
  if (error instanceof QueryError || error instanceof NamePatternError) return { kind: 'query', message: error.message };
  if (error instanceof RequestLimitError) return { kind: 'limit', message: error.message, status: error.status, limit: error.limit };
  return { kind: 'internal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}

export function errorFromWire(wire: WireError): Error {
  switch (wire.kind) {
    case 'query':
      return new QueryError(wire.message);
    case 'limit':
      return new RequestLimitError(wire.message, wire.status, wire.limit);
    case 'internal':
      return new Error(wire.message);
  }
}

/**
 * Moving a buffer costs more the more there are in one message (1,000: ~1-3 ms, 3,000: ~10 ms,
 * 10,000: ~100 ms), so past this many the smaller series are copied into one buffer instead.
 */
const MAX_MOVED_BUFFERS = 1_024;

/**
 * Fetched ranges as columns, what crosses between the threads: cloning 10,000 range objects took
 * 10-30 ms of the main thread, these columns ~1.5 ms. Range r's values are `lengths[r]` doubles
 * at `offsets[r]` (in doubles) of `buffers[bufferOf[r]]`; the first `counts[0]` ranges are under
 * `keys[0]`, and so on.
 */
export interface RangeColumns {
  keys: string[];
  counts: Int32Array;
  names: string[];
  starts: Float64Array;
  ends: Float64Array;
  steps: Float64Array;
  xFilesFactors: Float64Array;
  methods: string[];
  methodOf: Uint8Array;
  buffers: ArrayBuffer[];
  bufferOf: Int32Array;
  offsets: Float64Array;
  lengths: Float64Array;
}

/**
 * Fetched ranges as columns to move to another thread, with the buffers to move. The store's
 * reads put short series in shared buffers and give long ones their own, so there are few, and
 * they move as they are; only past MAX_MOVED_BUFFERS (a store with one per short series) are the
 * smaller ones copied into one. Moved buffers are unusable here after.
 */
export function rangeColumns(fetched: FetchedRanges): { columns: RangeColumns; transfer: ArrayBuffer[] } {
  let count = 0;
  const sizes = new Map<ArrayBuffer, number>();
  for (const ranges of fetched.values()) {
    count += ranges.length;
    for (const { values } of ranges) sizes.set(values.buffer as ArrayBuffer, values.buffer.byteLength);
  }
  const copied = sizes.size <= MAX_MOVED_BUFFERS ? undefined : copySmallest(fetched, sizes);
  const buffers = [...sizes.keys()];
  const bufferIndex = new Map(buffers.map((buffer, i) => [buffer, i]));
  const methodIndex = new Map<string, number>();
  const columns: RangeColumns = {
    keys: [...fetched.keys()],
    counts: new Int32Array(fetched.size),
    names: new Array<string>(count),
    starts: new Float64Array(count),
    ends: new Float64Array(count),
    steps: new Float64Array(count),
    xFilesFactors: new Float64Array(count),
    methods: [],
    methodOf: new Uint8Array(count),
    buffers,
    bufferOf: new Int32Array(count),
    offsets: new Float64Array(count),
    lengths: new Float64Array(count),
  };
  let k = 0;
  let r = 0;
  for (const ranges of fetched.values()) {
    columns.counts[k++] = ranges.length;
    for (const range of ranges) {
      const values = copied?.get(range.values.buffer as ArrayBuffer)?.get(range.values) ?? range.values;
      let method = methodIndex.get(range.aggregationMethod);
      if (method === undefined) methodIndex.set(range.aggregationMethod, (method = columns.methods.push(range.aggregationMethod) - 1));
      columns.names[r] = range.name;
      columns.starts[r] = range.start;
      columns.ends[r] = range.end;
      columns.steps[r] = range.step;
      columns.xFilesFactors[r] = range.xFilesFactor;
      columns.methodOf[r] = method;
      columns.bufferOf[r] = bufferIndex.get(values.buffer as ArrayBuffer)!;
      columns.offsets[r] = values.byteOffset / Float64Array.BYTES_PER_ELEMENT;
      columns.lengths[r++] = values.length;
    }
  }
  return { columns, transfer: buffers };
}

/**
 * Copies the values in all but the MAX_MOVED_BUFFERS - 1 biggest buffers into one new buffer, which
 * `sizes` then lists instead of them; returns, per buffer left out, where each array now is.
 */
function copySmallest(fetched: FetchedRanges, sizes: Map<ArrayBuffer, number>): Map<ArrayBuffer, Map<Float64Array, Float64Array>> {
  const kept = new Set([...sizes].sort((a, b) => b[1] - a[1]).slice(0, MAX_MOVED_BUFFERS - 1).map(([buffer]) => buffer));
  const copies = new Map<ArrayBuffer, Map<Float64Array, Float64Array>>();
  let points = 0;
  for (const ranges of fetched.values()) {
    for (const { values } of ranges) {
      const buffer = values.buffer as ArrayBuffer;
      if (kept.has(buffer)) continue;
      let arrays = copies.get(buffer);
      if (!arrays) copies.set(buffer, (arrays = new Map()));
      if (arrays.has(values)) continue;
      arrays.set(values, values);
      points += values.length;
    }
  }
  const packed = new Float64Array(points);
  let at = 0;
  for (const [buffer, arrays] of copies) {
    sizes.delete(buffer);
    for (const values of arrays.keys()) {
      packed.set(values, at);
      arrays.set(values, packed.subarray(at, (at += values.length)));
    }
  }
  sizes.set(packed.buffer, packed.buffer.byteLength);
  return copies;
}

/** The ranges back from their columns; arrays are views into the moved buffers. */
export function rangesFromColumns(columns: RangeColumns): FetchedRanges {
  const fetched: FetchedRanges = new Map();
  let r = 0;
  for (let k = 0; k < columns.keys.length; k++) {
    const ranges: SeriesRange[] = new Array(columns.counts[k]);
    for (let i = 0; i < ranges.length; i++, r++) {
      ranges[i] = {
        name: columns.names[r],
        start: columns.starts[r],
        end: columns.ends[r],
        step: columns.steps[r],
        values: new Float64Array(columns.buffers[columns.bufferOf[r]], columns.offsets[r] * Float64Array.BYTES_PER_ELEMENT, columns.lengths[r]),
        aggregationMethod: columns.methods[columns.methodOf[r]],
        xFilesFactor: columns.xFilesFactors[r],
      };
    }
    fetched.set(columns.keys[k], ranges);
  }
  return fetched;
}

/** Pieces of an answer joined into pieces of at least this size: fewer buffers to move. */
const MOVED_PIECE_BYTES = 1 << 20;

/** An answer's pieces as few buffers of their own, ready to move to another thread. */
export function movablePieces(pieces: Iterator<Uint8Array>): { pieces: Uint8Array[]; transfer: ArrayBuffer[] } {
  const joined: Uint8Array[] = [];
  let run: Uint8Array[] = [];
  let runBytes = 0;
  const flush = () => {
    if (runBytes > 0) joined.push(run.length === 1 && run[0].byteLength === run[0].buffer.byteLength ? run[0] : concatBytes(run));
    run = [];
    runBytes = 0;
  };
  for (let next = pieces.next(); !next.done; next = pieces.next()) {
    run.push(next.value);
    runBytes += next.value.byteLength;
    if (runBytes >= MOVED_PIECE_BYTES) flush();
  }
  flush();
  return { pieces: joined, transfer: joined.map((piece) => piece.buffer as ArrayBuffer) };
}
