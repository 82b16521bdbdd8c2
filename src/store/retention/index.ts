import { existsSync, readFileSync } from 'node:fs';
import type { Archive } from './retention.js';
import { RetentionError } from './retention.js';
import {
  EMBEDDED_STORAGE_AGGREGATION,
  aggregationForName,
  aggregationForPlainName,
  parseStorageAggregation,
  type Aggregation,
} from './storage-aggregation.js';
import { FirstMatch } from './first-match.js';
import { EMBEDDED_STORAGE_SCHEMAS, archivesForName, archivesForPlainName, parseStorageSchemas } from './storage-schemas.js';

export { RetentionError, parseRetentionDef, parseRetentions, validateArchives } from './retention.js';
export type { Archive, ConfigLocation } from './retention.js';
export {
  AGGREGATION_METHODS,
  AGGREGATION_METHOD_CODES,
  aggregateRuns,
  aggregateValues,
  isAggregationMethod,
} from './aggregate-method.js';
export type { AggregationMethod } from './aggregate-method.js';
export { DEFAULT_ARCHIVES, DEFAULT_RETENTIONS, EMBEDDED_STORAGE_SCHEMAS, parseStorageSchemas } from './storage-schemas.js';
export type { StorageSchema } from './storage-schemas.js';
export { DEFAULT_AGGREGATION, EMBEDDED_STORAGE_AGGREGATION, parseStorageAggregation } from './storage-aggregation.js';
export type { Aggregation, AggregationRule } from './storage-aggregation.js';

/** Where the files are looked for when no path is given (relative to the working directory). */
export const DEFAULT_SCHEMAS_PATH = 'config/storage-schemas.conf';
export const DEFAULT_AGGREGATION_PATH = 'config/storage-aggregation.conf';

/** What a new series gets: its archives and how they roll up; the same objects for every name a rule matches. */
export interface RetentionPolicy {
  /** Finest precision first. The array is shared and frozen: do not modify it. */
  archivesFor(name: string): readonly Archive[];
  aggregationFor(name: string): Aggregation;
  /** archivesFor() of a plain (ASCII, untagged) name given as bytes[start, end): no string made. */
  archivesForPlain?(bytes: Uint8Array, start: number, end: number): readonly Archive[];
  /** aggregationFor() of a plain name given as bytes[start, end). */
  aggregationForPlain?(bytes: Uint8Array, start: number, end: number): Aggregation;
  /** The files actually read, or 'embedded' for the built-in defaults. */
  readonly sources: { readonly schemas: string; readonly aggregation: string };
}

export interface RetentionPolicyOptions {
  /** Must exist when given; otherwise DEFAULT_SCHEMAS_PATH if present, else the embedded default. */
  schemasPath?: string;
  /** Must exist when given; otherwise DEFAULT_AGGREGATION_PATH if present, else the embedded rules. */
  aggregationPath?: string;
}

/** Reads (or falls back to the embedded) storage-schemas.conf and storage-aggregation.conf; throws RetentionError. */
export function loadRetentionPolicy(options: RetentionPolicyOptions = {}): RetentionPolicy {
  const schemasSource = chooseFile(options.schemasPath, DEFAULT_SCHEMAS_PATH, 'storage schemas');
  const aggregationSource = chooseFile(options.aggregationPath, DEFAULT_AGGREGATION_PATH, 'storage aggregation');
  const schemas = parseStorageSchemas(
    schemasSource ? readText(schemasSource) : EMBEDDED_STORAGE_SCHEMAS,
    schemasSource ?? 'embedded storage-schemas.conf',
  );
  const rules = parseStorageAggregation(
    aggregationSource ? readText(aggregationSource) : EMBEDDED_STORAGE_AGGREGATION,
    aggregationSource ?? 'embedded storage-aggregation.conf',
  );

  const schemaMatch = new FirstMatch(schemas.map((schema) => schema.pattern));
  const ruleMatch = new FirstMatch(rules.map((rule) => rule.pattern));
  // No per-name cache: callers keep what they need per series (the engine keeps a layout index),
  // and a cache here would hold every series name twice more.
  return {
    archivesFor: (name) => archivesForName(schemas, name),
    aggregationFor: (name) => aggregationForName(rules, name),
    archivesForPlain: (bytes, start, end) => archivesForPlainName(schemas, schemaMatch, bytes, start, end),
    aggregationForPlain: (bytes, start, end) => aggregationForPlainName(rules, ruleMatch, bytes, start, end),
    sources: { schemas: schemasSource ?? 'embedded', aggregation: aggregationSource ?? 'embedded' },
  };
}

/** The explicit path (which must exist), else the default path if it exists, else undefined for embedded. */
function chooseFile(explicit: string | undefined, fallback: string, what: string): string | undefined {
  if (explicit !== undefined) {
    if (!existsSync(explicit)) throw new RetentionError(`${what} file '${explicit}' does not exist`);
    return explicit;
  }
  return existsSync(fallback) ? fallback : undefined;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RetentionError(`cannot read '${path}': ${reason}`);
  }
}
