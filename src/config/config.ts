/**
 * The main configuration: embedded defaults, overridden by the config file, overridden by flags.
 * Every key is validated at start with an error that names the key and the bad value.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MAX_AGGREGATOR_SHARDS } from '../ingest/ring-sink.js';
import { parseDuration } from './duration.js';
import { parsePoolConfig, type PoolConfig, PoolConfigError } from './pool-config.js';
import { poolNameProblem } from './pool-name.js';

export interface StatsdConfig {
  percentThresholds: number[];
  histogram: { metric: string; bins: (number | 'inf')[] }[];
  deleteIdleStats: boolean;
  deleteCounters: boolean;
  deleteTimers: boolean;
  deleteGauges: boolean;
  deleteSets: boolean;
  legacyNamespace: boolean;
  /** Longest accepted series name in bytes, after sanitising. */
  maxNameLength: number;
  /** SO_RCVBUF asked of the kernel for each UDP socket (capped by net.core.rmem_max). */
  recvBufferBytes: number;
}

export interface StorageConfig {
  /** storage-schemas.conf; default config/storage-schemas.conf if present, else embedded. */
  schemasFile: string | undefined;
  /** storage-aggregation.conf; default config/storage-aggregation.conf if present, else embedded. */
  aggregationFile: string | undefined;
  walSyncIntervalMs: number;
  /** Memory for sealed chunks of the finest archive (the in-memory ring). */
  hotBytes: number;
  maxSeries: number;
  /** Delete series with no writes for this long; 0 keeps them forever. */
  expireAfterMs: number;
}

export interface ScaleConfig {
  /** Bearer token of the Scale API's write endpoints; CARBONADO_ADMIN_TOKEN overrides it. */
  adminToken: string | undefined;
  /** aggregation-rules.conf; default config/aggregation-rules.conf if present, else no rules. */
  rulesFile: string | undefined;
  /** Pools loaded at start; they replace saved pools of the same name. */
  pools: Record<string, PoolConfig>;
}

export interface CarbonadoConfig {
  dataDir: string;
  host: string;
  statsdPort: number;
  carbonPort: number;
  picklePort: number;
  httpPort: number;
  flushIntervalMs: number;
  /** Aggregator threads. */
  workers: number;
  /** StatsD receiver threads, each with its own SO_REUSEPORT socket. */
  receivers: number;
  statsd: StatsdConfig;
  storage: StorageConfig;
  /** Longest accepted carbon series name in bytes. */
  carbonMaxNameLength: number;
  scale: ScaleConfig;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const DEFAULT_CONFIG_FILE = 'config/carbonado.json';

export function defaultConfig(): CarbonadoConfig {
  const cpus = availableParallelism();
  return {
    dataDir: './data',
    host: '0.0.0.0',
    statsdPort: 8125,
    carbonPort: 2003,
    picklePort: 2004,
    httpPort: 8080,
    flushIntervalMs: 10_000,
    workers: Math.min(cpus, MAX_AGGREGATOR_SHARDS),
    // More receiver threads than this add rings (receivers x workers) faster than throughput.
    receivers: Math.min(cpus, 8),
    statsd: {
      percentThresholds: [90],
      histogram: [],
      deleteIdleStats: false,
      deleteCounters: false,
      deleteTimers: false,
      deleteGauges: false,
      deleteSets: false,
      legacyNamespace: false,
      maxNameLength: 1024,
      recvBufferBytes: 8 * 1024 * 1024,
    },
    storage: {
      schemasFile: undefined,
      aggregationFile: undefined,
      walSyncIntervalMs: 1000,
      hotBytes: 8 * 1024 ** 3,
      maxSeries: 10_000_000,
      expireAfterMs: 0,
    },
    carbonMaxNameLength: 1024,
    scale: { adminToken: undefined, rulesFile: undefined, pools: {} },
  };
}

type Json = unknown;

function fail(key: string, value: Json, expected: string): never {
  throw new ConfigError(`config key '${key}': ${expected}, got ${JSON.stringify(value)}`);
}

function port(key: string, v: Json): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65535) fail(key, v, 'expected a port number 0-65535');
  return v;
}

function positiveInt(key: string, v: Json, max = 1 << 20): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) fail(key, v, `expected an integer 1-${max}`);
  return v;
}

function str(key: string, v: Json): string {
  if (typeof v !== 'string' || v === '') fail(key, v, 'expected a non-empty string');
  return v;
}

function bool(key: string, v: Json): boolean {
  if (typeof v !== 'boolean') fail(key, v, 'expected true or false');
  return v;
}

function duration(key: string, v: Json): number {
  if (typeof v !== 'string') fail(key, v, "expected a duration string such as '10s'");
  try {
    return parseDuration(v);
  } catch (err) {
    throw new ConfigError(`config key '${key}': ${(err as Error).message}`);
  }
}

function object(key: string, v: Json): Record<string, Json> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(key, v, 'expected an object');
  return v as Record<string, Json>;
}

function applyStatsd(target: StatsdConfig, raw: Record<string, Json>): void {
  for (const [k, v] of Object.entries(raw)) {
    const key = `statsd.${k}`;
    switch (k) {
      case 'percentThresholds':
        if (!Array.isArray(v) || v.some((p) => typeof p !== 'number' || p === 0 || Math.abs(p) > 100)) {
          fail(key, v, 'expected an array of numbers in [-100, 100] without 0');
        }
        target.percentThresholds = v as number[];
        break;
      case 'histogram':
        if (
          !Array.isArray(v) ||
          v.some(
            (h) =>
              typeof h !== 'object' ||
              h === null ||
              typeof h.metric !== 'string' ||
              !Array.isArray(h.bins) ||
              h.bins.some((b: Json) => b !== 'inf' && typeof b !== 'number'),
          )
        ) {
          fail(key, v, "expected [{\"metric\": string, \"bins\": [number | 'inf', ...]}, ...]");
        }
        target.histogram = v as StatsdConfig['histogram'];
        break;
      case 'deleteIdleStats':
      case 'deleteCounters':
      case 'deleteTimers':
      case 'deleteGauges':
      case 'deleteSets':
      case 'legacyNamespace':
        target[k] = bool(key, v);
        break;
      case 'maxNameLength':
        target.maxNameLength = positiveInt(key, v, 16_000);
        break;
      case 'recvBufferBytes':
        target.recvBufferBytes = positiveInt(key, v, 1 << 30);
        break;
      default:
        throw new ConfigError(`unknown config key '${key}'`);
    }
  }
}

function applyStorage(target: StorageConfig, raw: Record<string, Json>): void {
  for (const [k, v] of Object.entries(raw)) {
    const key = `storage.${k}`;
    switch (k) {
      case 'schemasFile':
      case 'aggregationFile':
        target[k] = str(key, v);
        break;
      case 'walSyncInterval':
        target.walSyncIntervalMs = duration(key, v);
        break;
      case 'hotBytes':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1024 * 1024) fail(key, v, 'expected a whole number of bytes >= 1048576');
        target.hotBytes = v;
        break;
      case 'maxSeries':
        target.maxSeries = positiveInt(key, v, 1 << 30);
        break;
      case 'expireAfter':
        target.expireAfterMs = v === '0' || v === 0 ? 0 : duration(key, v);
        break;
      default:
        throw new ConfigError(`unknown config key '${key}'`);
    }
  }
}

function applyScale(target: ScaleConfig, raw: Record<string, Json>): void {
  for (const [k, v] of Object.entries(raw)) {
    const key = `scale.${k}`;
    switch (k) {
      case 'adminToken':
      case 'rulesFile':
        target[k] = str(key, v);
        break;
      case 'pools':
        for (const [name, pool] of Object.entries(object(key, v))) {
          const problem = poolNameProblem(name);
          if (problem !== null) throw new ConfigError(`config key '${key}': ${problem}`);
          try {
            target.pools[name] = parsePoolConfig(pool);
          } catch (err) {
            if (!(err instanceof PoolConfigError)) throw err;
            const field = err.field === '' ? '' : `.${err.field}`;
            throw new ConfigError(`config key '${key}.${name}${field}': ${err.message.slice(err.field === '' ? 0 : err.field.length + 2)}`);
          }
        }
        break;
      default:
        throw new ConfigError(`unknown config key '${key}'`);
    }
  }
}

/** Applies a parsed config file (or flag overrides, which use the same keys) onto `target`. */
export function applyConfig(target: CarbonadoConfig, raw: Record<string, Json>): void {
  for (const [key, v] of Object.entries(raw)) {
    switch (key) {
      case 'dataDir':
      case 'host':
        target[key] = str(key, v);
        break;
      case 'statsdPort':
      case 'carbonPort':
      case 'picklePort':
      case 'httpPort':
        target[key] = port(key, v);
        break;
      case 'flushInterval':
        target.flushIntervalMs = duration(key, v);
        break;
      case 'workers':
        target.workers = positiveInt(key, v, MAX_AGGREGATOR_SHARDS);
        break;
      case 'receivers':
        target.receivers = positiveInt(key, v, 256);
        break;
      case 'statsd':
        applyStatsd(target.statsd, object(key, v));
        break;
      case 'storage':
        applyStorage(target.storage, object(key, v));
        break;
      case 'carbonMaxNameLength':
        target.carbonMaxNameLength = positiveInt(key, v, 16_000);
        break;
      case 'scale':
        applyScale(target.scale, object(key, v));
        break;
      default:
        throw new ConfigError(`unknown config key '${key}'`);
    }
  }
}

/** Reads and validates a JSON config file. */
export function readConfigFile(path: string): Record<string, Json> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  }
  return parsed as Record<string, Json>;
}

/**
 * Builds the effective config: defaults, then the file (`configPath`, or the default path when
 * it exists), then `overrides` from flags.
 */
export function loadConfig(configPath: string | undefined, overrides: Record<string, Json>): CarbonadoConfig {
  const config = defaultConfig();
  const path = configPath ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (path !== undefined) applyConfig(config, readConfigFile(path));
  applyConfig(config, overrides);
  return config;
}
