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
  const { config } = input;
  const samples = input.samples.slice(-config.window);
  const window = new SampleColumns(samples.length, config.health.length);
  for (let k = 0; k < samples.length; k++) {
    const s = samples[k];
    window.t[k] = s.t;
    window.qps[k] = s.qps;
    window.instances[k] = s.instances;
    for (let i = 0; i < window.health.length; i++) window.health[i][k] = s.health[i] ?? NaN;
  }
  const judgement = new Judgement();
  judge(config, window, input.at, input.lastScaleAt, judgement);
  return explain(input.pool, config, input.at, window, judgement, input.lastScaleAt);
}

/**
 * A window as columns, oldest first: what the rule reads. The sampler fills one in place, so a
 * replay of dozens of decisions allocates nothing per decision.
 */
export class SampleColumns {
  /** Start of each sample's interval. */
  readonly t: Float64Array;
  /** NaN: no data. */
  readonly qps: Float64Array;
  readonly instances: Float64Array;
  /** health[i][k]: check i of `config.health` in sample k. */
  readonly health: Float64Array[];

  constructor(
    readonly length: number,
    healthChecks: number,
  ) {
    this.t = new Float64Array(length);
    this.qps = new Float64Array(length);
    this.instances = new Float64Array(length);
    this.health = Array.from({ length: healthChecks }, () => new Float64Array(length));
  }
}

/** Which branch of the rule a window took; explain() words each one. */
type Outcome =
  | 'no qps'
  | 'no instances'
  | 'too few valid'
  | 'fatal'
  | 'warning without health'
  | 'warning'
  | 'warning not degraded'
  | 'safe with missing samples'
  | 'safe within cooldown'
  | 'safe'
  | 'between';

/** The rule's verdict in numbers, no strings: a replay only needs `action`; explain() needs the rest. */
export class Judgement {
  redundancy = new Float64Array(0);
  outcome: Outcome = 'between';
  action: ScaleAction = 'hold';
  line: LineName | null = null;
  /** Recommended instance count; NaN when the current count is unknown. */
  instances = NaN;
  /** Newest known instance count; NaN: none. */
  current = NaN;
  /** Redundancy of the newest sample. */
  newest = NaN;
  /** Samples with both qps and an instance count. */
  valid = 0;
  peakQps = 0;
  belowFatal = 0;
  belowWarning = 0;
  degradedBelowWarning = 0;
  aboveSafe = 0;
  /** The count an up or down wanted, also when it held at a limit. */
  want = 0;
}

/** The rule applied to `window` (its newest `config.window` samples at most) into `out`. */
export function judge(config: PoolConfig, window: SampleColumns, at: number, lastScaleAt: number | undefined, out: Judgement): void {
  const { lines, trigger, window: size, health } = config;
  const n = window.length;
  if (out.redundancy.length !== n) out.redundancy = new Float64Array(n);
  const redundancy = out.redundancy;
  let anyQps = false;
  let valid = 0;
  let current = NaN;
  let peakQps = -Infinity;
  let belowFatal = 0;
  let belowWarning = 0;
  let degradedBelowWarning = 0;
  let aboveSafe = 0;
  for (let k = 0; k < n; k++) {
    const qps = window.qps[k];
    const instances = window.instances[k];
    const r = redundancyOf(config.capacityPerInstance, instances, qps);
    redundancy[k] = r;
    if (qps >= 0) anyQps = true;
    if (!Number.isNaN(instances)) current = instances;
    if (!Number.isNaN(r)) valid++;
    peakQps = Math.max(peakQps, qps >= 0 ? qps : 0);
    if (r < lines.fatal) belowFatal++;
    if (r < lines.warning) {
      belowWarning++;
      if (isDegraded(window, k, config)) degradedBelowWarning++;
    }
    if (r > lines.safe) aboveSafe++;
  }
  out.newest = n > 0 ? redundancy[n - 1] : NaN;
  out.current = current;
  out.valid = valid;
  out.peakQps = peakQps;
  out.belowFatal = belowFatal;
  out.belowWarning = belowWarning;
  out.degradedBelowWarning = degradedBelowWarning;
  out.aboveSafe = aboveSafe;
  out.want = 0;
  // No closures here: a replay judges dozens of windows per poll.
  // ---- missing data: never guess --------------------------------------------------------------
  if (!anyQps) return settle(out, 'no qps', 'hold', null, current);
  if (Number.isNaN(current)) return settle(out, 'no instances', 'hold', null, current);
  if (valid < trigger) return settle(out, 'too few valid', 'hold', null, current);
  // ---- up ---------------------------------------------------------------------------------------
  if (belowFatal >= trigger) return scaleUp(out, config, 'fatal', current);
  if (belowWarning >= trigger) {
    if (health.length === 0) return settle(out, 'warning without health', 'hold', 'warning', current);
    if (degradedBelowWarning >= trigger) return scaleUp(out, config, 'warning', current);
    return settle(out, 'warning not degraded', 'hold', 'warning', current);
  }
  // ---- down -------------------------------------------------------------------------------------
  if (aboveSafe >= trigger) {
    if (n < size || valid < size) return settle(out, 'safe with missing samples', 'hold', 'safe', current);
    if (lastScaleAt !== undefined && at - lastScaleAt < config.cooldownSeconds) return settle(out, 'safe within cooldown', 'hold', 'safe', current);
    out.want = needed(config, peakQps, Math.max(config.targetRedundancy, lines.warning));
    if (out.want < current) return settle(out, 'safe', 'down', 'safe', out.want);
    return settle(out, 'safe', 'hold', 'safe', current);
  }
  settle(out, 'between', 'hold', null, current);
}

function settle(out: Judgement, outcome: Outcome, action: ScaleAction, line: LineName | null, instances: number): void {
  out.outcome = outcome;
  out.action = action;
  out.line = line;
  out.instances = instances;
}

/** Instances that bring the window's peak qps to `redundancyGoal`, within [minInstances, maxInstances]. */
function needed(config: PoolConfig, peakQps: number, redundancyGoal: number): number {
  return Math.min(config.maxInstances, Math.max(config.minInstances, Math.ceil((peakQps * redundancyGoal) / config.capacityPerInstance)));
}

/** Up to the count the target redundancy needs, or hold when that adds none. */
function scaleUp(out: Judgement, config: PoolConfig, line: 'fatal' | 'warning', current: number): void {
  out.want = needed(config, out.peakQps, config.targetRedundancy);
  if (out.want > current) settle(out, line, 'up', line, out.want);
  else settle(out, line, 'hold', line, current);
}

/** The contract's decision JSON for a judged window, its reason in words. */
export function explain(
  pool: string,
  config: PoolConfig,
  at: number,
  window: SampleColumns,
  j: Judgement,
  lastScaleAt: number | undefined,
): Decision {
  const { lines, trigger, window: size } = config;
  const { current, newest, valid, want } = j;
  const evidence: WindowEvidence[] = [];
  for (let k = 0; k < window.length; k++) {
    const qps = window.qps[k];
    evidence.push({
      t: window.t[k],
      qps: Number.isFinite(qps) ? qps : null,
      redundancy: jsonNumber(j.redundancy[k]),
      crossed: crossedLine(j.redundancy[k], config),
    });
  }
  const ofWindow = `the last ${size} samples`;
  const peak = `peak ${num(j.peakQps)} qps`;
  const latest = `latest redundancy ${showRedundancy(newest)}`;
  const upReason = (why: string): string => {
    if (j.action === 'up') return `${why}; ${want} instances bring the window's ${peak} to redundancy ${config.targetRedundancy}`;
    const limit = want === config.maxInstances ? `maxInstances (${config.maxInstances})` : `the ${want} the window's ${peak} needs`;
    return `${why}, but ${current} instances already reach ${limit}; holding`;
  };
  const belowWarning = `redundancy below the warning line ${lines.warning} in ${j.belowWarning} of ${ofWindow} (${latest})`;
  const aboveSafe = `redundancy above the safe line ${lines.safe} in ${j.aboveSafe} of ${ofWindow} (${latest})`;
  let reason: string;
  switch (j.outcome) {
    case 'no qps':
      reason = `no qps data for '${config.qps}' in ${ofWindow}; holding`;
      break;
    case 'no instances':
      reason = `no instance count for '${String(config.instances)}' in ${ofWindow}; holding`;
      break;
    case 'too few valid':
      reason = `only ${valid} of ${ofWindow} have both qps and an instance count, a decision needs ${trigger}; holding`;
      break;
    case 'fatal':
      reason = upReason(`redundancy below the fatal line ${lines.fatal} in ${j.belowFatal} of ${ofWindow} (${latest})`);
      break;
    case 'warning without health':
      reason = `${belowWarning}, but the pool has no health series to confirm it; holding`;
      break;
    case 'warning':
      reason = upReason(`${belowWarning} with degraded health in ${j.degradedBelowWarning} of them (${healthSummary(window, config)})`);
      break;
    case 'warning not degraded':
      reason = `${belowWarning}, but health was degraded in only ${j.degradedBelowWarning} of them, ${trigger} needed (${healthSummary(window, config)}); holding`;
      break;
    case 'safe with missing samples':
      reason = `${aboveSafe}, but ${size - valid} samples are missing and a pool never scales down on missing data; holding`;
      break;
    case 'safe within cooldown':
      reason = `${aboveSafe}, but the last scale action was ${at - lastScaleAt!}s ago, within the cooldown of ${config.cooldown}; holding`;
      break;
    case 'safe': {
      const keep = Math.max(config.targetRedundancy, lines.warning);
      if (j.action === 'down') {
        reason = `${aboveSafe}; ${want} instances keep the window's ${peak} at redundancy ${keep} or more`;
      } else {
        const limit = want === config.minInstances ? `minInstances (${config.minInstances})` : `the ${want} the window's ${peak} needs`;
        reason = `${aboveSafe}, but ${current} instances are already at ${limit}; holding`;
      }
      break;
    }
    case 'between':
      reason = `redundancy between the lines (${latest}; fatal ${lines.fatal}, warning ${lines.warning}, safe ${lines.safe}); holding`;
      break;
  }
  const instances = Number.isNaN(j.instances) ? null : j.instances;
  return {
    pool,
    at,
    action: j.action,
    instances,
    delta: instances === null || Number.isNaN(current) ? null : instances - current,
    line: j.line,
    reason,
    redundancy: jsonNumber(newest),
    window: evidence,
  };
}

function crossedLine(redundancy: number, config: PoolConfig): LineName | null {
  if (redundancy < config.lines.fatal) return 'fatal';
  if (redundancy < config.lines.warning) return 'warning';
  if (redundancy > config.lines.safe) return 'safe';
  return null;
}

/** Some health series above its threshold in sample k (a missing value is not degraded). */
function isDegraded(window: SampleColumns, k: number, config: PoolConfig): boolean {
  const { health } = config;
  for (let i = 0; i < health.length; i++) if (window.health[i][k] > health[i].above) return true;
  return false;
}

/** The newest value of every health series against its threshold, for the reason. */
function healthSummary(window: SampleColumns, config: PoolConfig): string {
  return config.health
    .map((check, i) => {
      const value = latestValid(window.health[i]);
      return `${check.target} ${Number.isNaN(value) ? 'has no data' : `at ${num(value)}`} vs ${check.above}`;
    })
    .join(', ');
}

function latestValid(values: Float64Array): number {
  for (let i = values.length - 1; i >= 0; i--) if (!Number.isNaN(values[i])) return values[i];
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
