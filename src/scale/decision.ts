/**
 * The scale decision of one pool, a pure function of the sampled evidence.
 *
 * Redundancy of a sample = capacityPerInstance x instances / qps (qps 0 gives Infinity; a missing
 * qps or instance count gives NaN, a missing sample). Of the last `window` samples:
 * - **fatal**: at least `trigger` below lines.fatal → up at once (no cooldown).
 * - **warning**: at least `trigger` samples below lines.warning *with degraded health in that same
 *   sample* (some health series above its threshold) → up. Pairing the two per sample keeps the
 *   debounce: one slow minute during one busy minute never scales. No health configured, or health
 *   missing, means not degraded: the warning line alone never scales.
 * - **safe**: at least `trigger` above lines.safe, every sample of the window present, and
 *   `cooldown` passed since the last scale action (up or down) → down.
 * - otherwise hold.
 * Fewer than `trigger` valid samples is "hold", with a reason naming what is missing.
 *
 * How many instances: sized for the window's peak qps (the surge is what must be survived, and a
 * dip in the newest sample must not shed capacity the minute before needed):
 * - up: ceil(peak x targetRedundancy / capacity), clamped to [minInstances, maxInstances];
 * - down: ceil(peak x max(targetRedundancy, lines.warning) / capacity), clamped likewise, so a
 *   scale-down never lands the peak below the warning line.
 * An up that would not add instances (already there, or at maxInstances) and a down that would not
 * remove any are "hold"; this also stops a second up while the window still shows the samples from
 * before the last scale-up.
 *
 * The JSON has no Infinity: a redundancy that is infinite (no traffic) or unknown is `null`, and
 * the reason says which.
 */
import type { PoolConfig } from '../config/pool-config.js';

export type LineName = 'fatal' | 'warning' | 'safe';
export type ScaleAction = 'up' | 'down' | 'hold';

/** One sample of the window; NaN where its series had no data. */
export interface DecisionSample {
  /** Start of the sample's interval in seconds; it counts from t + sampleInterval on. */
  t: number;
  qps: number;
  instances: number;
  /** One value per `config.health` entry, in the same order. */
  health: readonly number[];
}

export interface WindowEvidence {
  t: number;
  qps: number | null;
  /** null when unknown or infinite (qps 0). */
  redundancy: number | null;
  /** The most severe line this sample is beyond: below fatal, below warning, or above safe. */
  crossed: LineName | null;
}

/** The contract's decision JSON. */
export interface Decision {
  pool: string;
  at: number;
  action: ScaleAction;
  /** Recommended instance count; null when the current count is unknown. */
  instances: number | null;
  /** instances minus the current count; null when the current count is unknown. */
  delta: number | null;
  /** The line that governed the decision, null when none was crossed `trigger` times. */
  line: LineName | null;
  reason: string;
  /** Redundancy of the newest sample; null when unknown or infinite. */
  redundancy: number | null;
  window: WindowEvidence[];
}

export interface DecisionInput {
  pool: string;
  config: PoolConfig;
  /** Evaluation time, Unix seconds. */
  at: number;
  /** Samples oldest first; only the last `config.window` count, missing ones count as missing. */
  samples: readonly DecisionSample[];
  /** Unix seconds of the last scale action (up or down), for the cooldown; undefined: never. */
  lastScaleAt?: number;
}

/** capacity x instances / qps; Infinity for qps 0; NaN when an input is missing or negative. */
export function redundancyOf(capacityPerInstance: number, instances: number, qps: number): number {
  if (!(qps >= 0) || !(instances >= 0)) return NaN;
  if (qps === 0) return Infinity;
  return (capacityPerInstance * instances) / qps;
}

export function decide(input: DecisionInput): Decision {
  const { config, at } = input;
  const { lines, trigger, window: size } = config;
  const samples = input.samples.slice(-size);
  const redundancy = samples.map((s) => redundancyOf(config.capacityPerInstance, s.instances, s.qps));
  const evidence = samples.map((s, i): WindowEvidence => ({
    t: s.t,
    qps: Number.isFinite(s.qps) ? s.qps : null,
    redundancy: jsonNumber(redundancy[i]),
    crossed: crossedLine(redundancy[i], config),
  }));
  const newest = samples.length > 0 ? redundancy[samples.length - 1] : NaN;
  const current = latestValid(samples.map((s) => s.instances));

  const result = (action: ScaleAction, instances: number | null, line: LineName | null, reason: string): Decision => ({
    pool: input.pool,
    at,
    action,
    instances,
    delta: instances === null || Number.isNaN(current) ? null : instances - current,
    line,
    reason,
    redundancy: jsonNumber(newest),
    window: evidence,
  });
  const holdCurrent = Number.isNaN(current) ? null : current;
  const hold = (line: LineName | null, reason: string): Decision => result('hold', holdCurrent, line, reason);

  // ---- missing data: never guess --------------------------------------------------------------
  const ofWindow = `the last ${size} samples`;
  if (!samples.some((s) => s.qps >= 0)) return hold(null, `no qps data for '${config.qps}' in ${ofWindow}; holding`);
  if (Number.isNaN(current)) return hold(null, `no instance count for '${String(config.instances)}' in ${ofWindow}; holding`);
  const valid = redundancy.filter((r) => !Number.isNaN(r)).length;
  if (valid < trigger) {
    return hold(null, `only ${valid} of ${ofWindow} have both qps and an instance count, a decision needs ${trigger}; holding`);
  }

  const peakQps = Math.max(...samples.map((s) => (s.qps >= 0 ? s.qps : 0)));
  const needed = (redundancyGoal: number): number =>
    Math.min(config.maxInstances, Math.max(config.minInstances, Math.ceil((peakQps * redundancyGoal) / config.capacityPerInstance)));
  const count = (test: (r: number, i: number) => boolean): number => redundancy.reduce((n, r, i) => (test(r, i) ? n + 1 : n), 0);
  const belowFatal = count((r) => r < lines.fatal);
  const belowWarning = count((r) => r < lines.warning);
  const degradedBelowWarning = count((r, i) => r < lines.warning && isDegraded(samples[i], config));
  const aboveSafe = count((r) => r > lines.safe);
  const peak = `peak ${num(peakQps)} qps`;
  const latest = `latest redundancy ${showRedundancy(newest)}`;

  // ---- up ---------------------------------------------------------------------------------------
  const scaleUp = (line: LineName, why: string): Decision => {
    const want = needed(config.targetRedundancy);
    if (want > current) {
      return result('up', want, line, `${why}; ${want} instances bring the window's ${peak} to redundancy ${config.targetRedundancy}`);
    }
    const limit = want === config.maxInstances ? `maxInstances (${config.maxInstances})` : `the ${want} the window's ${peak} needs`;
    return hold(line, `${why}, but ${current} instances already reach ${limit}; holding`);
  };
  if (belowFatal >= trigger) {
    return scaleUp('fatal', `redundancy below the fatal line ${lines.fatal} in ${belowFatal} of ${ofWindow} (${latest})`);
  }
  if (belowWarning >= trigger) {
    const below = `redundancy below the warning line ${lines.warning} in ${belowWarning} of ${ofWindow} (${latest})`;
    if (config.health.length === 0) return hold('warning', `${below}, but the pool has no health series to confirm it; holding`);
    if (degradedBelowWarning >= trigger) {
      return scaleUp('warning', `${below} with degraded health in ${degradedBelowWarning} of them (${healthSummary(samples, config)})`);
    }
    return hold(
      'warning',
      `${below}, but health was degraded in only ${degradedBelowWarning} of them, ${trigger} needed (${healthSummary(samples, config)}); holding`,
    );
  }

  // ---- down -------------------------------------------------------------------------------------
  if (aboveSafe >= trigger) {
    const above = `redundancy above the safe line ${lines.safe} in ${aboveSafe} of ${ofWindow} (${latest})`;
    if (samples.length < size || valid < size) {
      return hold('safe', `${above}, but ${size - valid} samples are missing and a pool never scales down on missing data; holding`);
    }
    if (input.lastScaleAt !== undefined && at - input.lastScaleAt < config.cooldownSeconds) {
      return hold('safe', `${above}, but the last scale action was ${at - input.lastScaleAt}s ago, within the cooldown of ${config.cooldown}; holding`);
    }
    const keep = Math.max(config.targetRedundancy, lines.warning);
    const want = needed(keep);
    if (want < current) {
      return result('down', want, 'safe', `${above}; ${want} instances keep the window's ${peak} at redundancy ${keep} or more`);
    }
    const limit = want === config.minInstances ? `minInstances (${config.minInstances})` : `the ${want} the window's ${peak} needs`;
    return hold('safe', `${above}, but ${current} instances are already at ${limit}; holding`);
  }

  return hold(null, `redundancy between the lines (${latest}; fatal ${lines.fatal}, warning ${lines.warning}, safe ${lines.safe}); holding`);
}

function crossedLine(redundancy: number, config: PoolConfig): LineName | null {
  if (redundancy < config.lines.fatal) return 'fatal';
  if (redundancy < config.lines.warning) return 'warning';
  if (redundancy > config.lines.safe) return 'safe';
  return null;
}

/** Some health series above its threshold in this sample (a missing value is not degraded). */
function isDegraded(sample: DecisionSample, config: PoolConfig): boolean {
  return config.health.some((check, i) => sample.health[i] > check.above);
}

/** The newest value of every health series against its threshold, for the reason. */
function healthSummary(samples: readonly DecisionSample[], config: PoolConfig): string {
  return config.health
    .map((check, i) => {
      const value = latestValid(samples.map((s) => s.health[i] ?? NaN));
      return `${check.target} ${Number.isNaN(value) ? 'has no data' : `at ${num(value)}`} vs ${check.above}`;
    })
    .join(', ');
}

function latestValid(values: readonly number[]): number {
  for (let i = values.length - 1; i >= 0; i--) if (!Number.isNaN(values[i]) && values[i] !== undefined) return values[i];
  return NaN;
}

function jsonNumber(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function showRedundancy(value: number): string {
  if (value === Infinity) return 'infinite (no traffic)';
  if (Number.isNaN(value)) return 'unknown (newest sample missing)';
  return num(value);
}

/** Numbers in reasons: four significant digits, whole numbers from 1000 on. */
function num(value: number): string {
  return String(Math.abs(value) >= 1000 ? Math.round(value) : Number(value.toPrecision(4)));
}
