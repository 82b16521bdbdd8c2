/**
 * A pool of the Scale API: the JSON a scheduler PUTs (CONTRACT.md, section Scale API), validated
 * strictly so that a typo is an error naming the field instead of a silent default, and completed
 * with the contract's defaults. It lives in config because the config file's `scale.pools` holds
 * the same JSON, and config sits below every stage that reads it.
 */
import { parseDuration } from './duration.js';

export interface HealthCheck {
  /** Render target of one health series (slow-request ratio, 5xx rate, ...). */
  target: string;
  /** The pool's health is degraded while the series is above this value. */
  above: number;
}

/** Redundancy watermarks: below fatal scale up, below warning scale up if health degrades, above safe scale down. */
export interface WatermarkLines {
  fatal: number;
  warning: number;
  safe: number;
}

/** The pool JSON exactly as the contract shows it, every default filled in. */
export interface PoolConfigJson {
  qps: string;
  /** A fixed instance count, or a render target for the instance-count series. */
  instances: number | string;
  capacityPerInstance: number;
  health: HealthCheck[];
  lines: WatermarkLines;
  targetRedundancy: number;
  sampleInterval: string;
  window: number;
  trigger: number;
  minInstances: number;
  maxInstances: number;
  cooldown: string;
}

/** A validated pool: the JSON plus its durations in seconds, the unit of every timestamp here. */
export interface PoolConfig extends PoolConfigJson {
  sampleIntervalSeconds: number;
  cooldownSeconds: number;
}

/** A bad pool config; `field` is the dotted path of the offending key (`lines.fatal`, `health[0].above`). */
export class PoolConfigError extends Error {
  override name = 'PoolConfigError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(field === '' ? problem : `${field}: ${problem}`);
  }
}

export const POOL_DEFAULTS = {
  lines: { fatal: 1.6, warning: 2.0, safe: 3.0 },
  targetRedundancy: 2.0,
  sampleInterval: '1m',
  window: 5,
  trigger: 3,
  minInstances: 1,
  maxInstances: 1000,
  cooldown: '10m',
} as const;

const POOL_KEYS = [
  'qps',
  'instances',
  'capacityPerInstance',
  'health',
  'lines',
  'targetRedundancy',
  'sampleInterval',
  'window',
  'trigger',
  'minInstances',
  'maxInstances',
  'cooldown',
] as const;
const LINE_KEYS = ['fatal', 'warning', 'safe'] as const;
const HEALTH_KEYS = ['target', 'above'] as const;

/** Validates a pool JSON body (already JSON-parsed) and fills in the defaults. */
export function parsePoolConfig(body: unknown): PoolConfig {
  const pool = objectAt(body, '', 'the pool config');
  checkKeys(pool, POOL_KEYS, '');

  const qps = targetAt(pool.qps, 'qps');
  const instances = instancesAt(pool.instances);
  const capacityPerInstance = positiveAt(pool.capacityPerInstance, 'capacityPerInstance');
  const health = healthAt(pool.health);
  const lines = linesAt(pool.lines);
  const targetRedundancy = pool.targetRedundancy === undefined ? POOL_DEFAULTS.targetRedundancy : positiveAt(pool.targetRedundancy, 'targetRedundancy');
  if (!(targetRedundancy > lines.fatal && targetRedundancy < lines.safe)) {
    // A target outside the lines would make every scale action trigger the opposite one.
    throw new PoolConfigError(
      'targetRedundancy',
      `must lie above lines.fatal (${lines.fatal}) and below lines.safe (${lines.safe}), got ${targetRedundancy}`,
    );
  }
  const sampleInterval = pool.sampleInterval === undefined ? POOL_DEFAULTS.sampleInterval : durationTextAt(pool.sampleInterval, 'sampleInterval');
  const sampleIntervalSeconds = parseDuration(sampleInterval) / 1000;
  if (!Number.isInteger(sampleIntervalSeconds)) {
    throw new PoolConfigError('sampleInterval', `expected whole seconds (series are stamped in seconds), got ${show(sampleInterval)}`);
  }
  const cooldown = pool.cooldown === undefined ? POOL_DEFAULTS.cooldown : durationTextAt(pool.cooldown, 'cooldown');
  const window = pool.window === undefined ? POOL_DEFAULTS.window : wholeAt(pool.window, 'window', 1);
  const trigger = pool.trigger === undefined ? POOL_DEFAULTS.trigger : wholeAt(pool.trigger, 'trigger', 1);
  if (trigger > window) throw new PoolConfigError('trigger', `must not exceed window (${window}), got ${trigger}`);
  const minInstances = pool.minInstances === undefined ? POOL_DEFAULTS.minInstances : wholeAt(pool.minInstances, 'minInstances', 1);
  const maxInstances = pool.maxInstances === undefined ? POOL_DEFAULTS.maxInstances : wholeAt(pool.maxInstances, 'maxInstances', 1);
  if (maxInstances < minInstances) {
    throw new PoolConfigError('maxInstances', `must be >= minInstances (${minInstances}), got ${maxInstances}`);
  }

  return {
    qps,
    instances,
    capacityPerInstance,
    health,
    lines,
    targetRedundancy,
    sampleInterval,
    window,
    trigger,
    minInstances,
    maxInstances,
    cooldown,
    sampleIntervalSeconds,
    cooldownSeconds: parseDuration(cooldown) / 1000,
  };
}

/** The contract's JSON form of a validated pool (what `GET /scale/pools/{pool}` shows). */
export function poolConfigJson(config: PoolConfig): PoolConfigJson {
  return {
    qps: config.qps,
    instances: config.instances,
    capacityPerInstance: config.capacityPerInstance,
    health: config.health.map((h) => ({ target: h.target, above: h.above })),
    lines: { ...config.lines },
    targetRedundancy: config.targetRedundancy,
    sampleInterval: config.sampleInterval,
    window: config.window,
    trigger: config.trigger,
    minInstances: config.minInstances,
    maxInstances: config.maxInstances,
    cooldown: config.cooldown,
  };
}

// ---- field checks ----------------------------------------------------------------------------

/** A value as the user wrote it, JSON style: `"x"`, `-1`, `null`, `[1]`. */
function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return show(value);
}

function objectAt(value: unknown, field: string, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PoolConfigError(field, `expected ${what} as a JSON object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

function checkKeys(object: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      throw new PoolConfigError(`${prefix}${key}`, `unknown key (expected one of ${allowed.join(', ')})`);
    }
  }
}

function targetAt(value: unknown, field: string): string {
  if (value === undefined) throw new PoolConfigError(field, 'required: a render target');
  if (typeof value !== 'string' || value.trim() === '') {
    throw new PoolConfigError(field, `expected a render target (a non-empty string), got ${show(value)}`);
  }
  return value.trim();
}

function positiveAt(value: unknown, field: string): number {
  if (value === undefined) throw new PoolConfigError(field, 'required: a number > 0');
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new PoolConfigError(field, `expected a number > 0, got ${show(value)}`);
  }
  return value;
}

function wholeAt(value: unknown, field: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new PoolConfigError(field, `expected a whole number >= ${min}, got ${show(value)}`);
  }
  return value;
}

function durationTextAt(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new PoolConfigError(field, `expected a duration such as "1m", got ${show(value)}`);
  try {
    parseDuration(value);
  } catch (err) {
    throw new PoolConfigError(field, (err as Error).message);
  }
  return value.trim();
}

function instancesAt(value: unknown): number | string {
  if (value === undefined) throw new PoolConfigError('instances', 'required: a whole number >= 0 or a render target');
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  throw new PoolConfigError('instances', `expected a whole number >= 0 or a render target, got ${show(value)}`);
}

function linesAt(value: unknown): WatermarkLines {
  if (value === undefined) return { ...POOL_DEFAULTS.lines };
  const given = objectAt(value, 'lines', '{fatal, warning, safe}');
  checkKeys(given, LINE_KEYS, 'lines.');
  const lines = { ...POOL_DEFAULTS.lines } as WatermarkLines;
  for (const key of LINE_KEYS) if (given[key] !== undefined) lines[key] = positiveAt(given[key], `lines.${key}`);
  if (!(lines.fatal < lines.warning && lines.warning < lines.safe)) {
    throw new PoolConfigError(
      'lines',
      `expected fatal < warning < safe, got fatal ${lines.fatal}, warning ${lines.warning}, safe ${lines.safe}`,
    );
  }
  return lines;
}

function healthAt(value: unknown): HealthCheck[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new PoolConfigError('health', `expected an array of {target, above}, got ${describe(value)}`);
  return value.map((entry, i) => {
    const field = `health[${i}]`;
    const check = objectAt(entry, field, '{target, above}');
    checkKeys(check, HEALTH_KEYS, `${field}.`);
    const target = targetAt(check.target, `${field}.target`);
    if (typeof check.above !== 'number' || !Number.isFinite(check.above)) {
      throw new PoolConfigError(`${field}.above`, `expected a number, got ${show(check.above)}`);
    }
    return { target, above: check.above };
  });
}
