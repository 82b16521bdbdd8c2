import { existsSync, readFileSync } from 'node:fs';
import type { Archive } from './retention.js';
import { RetentionError } from './retention.js';
import {
  EMBEDDED_STORAGE_AGGREGATION,
  aggregationForName,
  parseStorageAggregation,
  type Aggregation,
} from './storage-aggregation.js';
import { EMBEDDED_STORAGE_SCHEMAS, archivesForName, parseStorageSchemas } from './storage-schemas.js';

export { RetentionError, parseRetentionDef, parseRetentions, validateArchives } from './retention.js';
export type { Archive, ConfigLocation } from './retention.js';
export {
  AGGREGATION_METHODS,
  AGGREGATION_METHOD_CODES,
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

/** What a new series gets: its archives and how they roll up. Answers are cached per name. */
export interface RetentionPolicy {
  /** Finest precision first. The array is shared and frozen: do not modify it. */
  archivesFor(name: string): readonly Archive[];
  aggregationFor(name: string): Aggregation;
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

  // One entry per series name; the values are shared per rule, so the cost is the Map entry.
  const archivesCache = new Map<string, readonly Archive[]>();
  const aggregationCache = new Map<string, Aggregation>();
  return {
    archivesFor(name) {
      let archives = archivesCache.get(name);
      if (archives === undefined) {
        archives = archivesForName(schemas, name);
        archivesCache.set(name, archives);
      }
      return archives;
    },
    aggregationFor(name) {
      let aggregation = aggregationCache.get(name);
      if (aggregation === undefined) {
        aggregation = aggregationForName(rules, name);
        aggregationCache.set(name, aggregation);
      }
      return aggregation;
    },
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
