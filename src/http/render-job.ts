/**
 * What the main thread and a render worker say to each other: the job (fetched data, the parsed
 * targets, how to answer), the worker's answer, the worker's requests for more data over the job's
 * port, and errors as plain data that become the same errors, with the same status, on the other side.
 */
import type { MessagePort } from 'node:worker_threads';
import type { EvaluateOptions, FetchedRanges, FetchedTargets, FetchPlan } from '../query/evaluator.js';
import { QueryError } from '../query/query-error.js';
import type { Reduction } from '../query/reducing-read.js';
import type { Series } from '../query/series.js';
import { NamePatternError } from '../names/name-pattern-error.js';
import { concatBytes } from './concat-bytes.js';
import { RequestLimitError, type RenderLimits } from './limits.js';
import type { BodyOptions } from './render-body.js';

export interface RenderJob {
  targets: FetchedTargets;
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

export type SourceReply = { id: number; fetched: FetchedRanges } | { id: number; reduced: Series[] | undefined } | { id: number; error: WireError };

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
 * Fetched ranges made ready to move to another thread with few buffers. The store's reads put
 * every series of a read in one buffer, which moves as it is (the arrays are views into it, and
 * stay views on the other side). Only when there are too many buffers (a store with one per
 * series) are the series of the smaller ones copied into one. Moved buffers are unusable here after.
 */
export function movableRanges(fetched: FetchedRanges): { fetched: FetchedRanges; transfer: ArrayBuffer[] } {
  const sizes = new Map<ArrayBuffer, number>();
  for (const ranges of fetched.values()) for (const { values } of ranges) sizes.set(values.buffer as ArrayBuffer, values.buffer.byteLength);
  if (sizes.size <= MAX_MOVED_BUFFERS) return { fetched, transfer: [...sizes.keys()] };
  const moved = new Set([...sizes].sort((a, b) => b[1] - a[1]).slice(0, MAX_MOVED_BUFFERS - 1).map(([buffer]) => buffer));
  const copies = new Map<Float64Array, Float64Array>();
  let packedPoints = 0;
  for (const ranges of fetched.values()) {
    for (const { values } of ranges) {
      if (moved.has(values.buffer as ArrayBuffer) || copies.has(values)) continue;
      copies.set(values, values);
      packedPoints += values.length;
    }
  }
  const packed = new Float64Array(packedPoints);
  let at = 0;
  for (const values of copies.keys()) {
    packed.set(values, at);
    copies.set(values, packed.subarray(at, (at += values.length)));
  }
  const result: FetchedRanges = new Map();
  for (const [key, ranges] of fetched) result.set(key, ranges.map((range) => (copies.has(range.values) ? { ...range, values: copies.get(range.values)! } : range)));
  return { fetched: result, transfer: [packed.buffer, ...moved] };
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
