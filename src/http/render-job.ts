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

/** The buffers behind fetched ranges, each once: moved, not copied, to the other thread. */
export function rangeBuffers(fetched: FetchedRanges): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const ranges of fetched.values()) for (const range of ranges) buffers.add(range.values.buffer as ArrayBuffer);
  return [...buffers];
}
