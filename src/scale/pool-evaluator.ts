/**
 * Evaluates a pool against the store: renders its targets (qps, instances, health) through the
 * render API's evaluator, then samples and decides with the server-free core.
 *
 * Cooldown without hidden state: the last scale action before a decision at `at` is found by
 * replaying the rule over the three to four cooldowns before it (what a scheduler obeying every
 * decision would have done), so a decision for a given `at` is the same whoever asks and whenever.
 * The replay starts at a multiple of the cooldown: where downs follow each other every cooldown
 * (a scheduler that does not act on them), every replay then puts them at the same times. An
 * action the live evaluation recorded (`lastActionAt`) also counts, when it was for an earlier window.
 *
 * A target that does not render (bad syntax, unknown function) is reported in the decision's
 * reason, and the decision holds: the pool's data is missing, not zero.
 */
import { hasGlob } from '../names/glob.js';
import { parseTarget } from '../query/expression/parser.js';
import { renderTargets } from '../query/render.js';
import type { SeriesRange, SeriesStore } from '../store/series-store.js';
import { backtest, type BacktestResult, lastScaleAction, MAX_BACKTEST_EVALUATIONS } from './backtest.js';
import { type Decision, explain, judge, Judgement, SampleColumns } from './decision.js';
import type { PoolConfig } from '../config/pool-config.js';
import { type PoolSeries, sampleRange, sampleWindowInto, type SeriesValues } from './sampler.js';

/** What a pool's targets rendered to, and the targets that could not be rendered. */
export interface RenderedPool {
  series: PoolSeries;
  /** One line per target that failed: `qps 'sumSeries(x': unbalanced parenthesis`. */
  problems: string[];
}

/** The capacity estimated from history, beside the configured one. */
export interface CapacityEstimate {
  configured: number;
  /** Per-instance qps of the first sample in which health crossed its threshold; null when none did. */
  estimated: number | null;
  /** Start of that sample (Unix seconds). */
  at: number | null;
  /** The health target that crossed. */
  health: string | null;
  from: number;
  until: number;
  reason: string;
}

/**
 * Renders every target of a pool for [from, until). The render API, as Graphite's, starts at the
 * slot after the one holding `from`; asking from `from - 1` keeps the slot that starts at `from`
 * (the oldest sample's first point, where a per-minute aggregate is stamped).
 */
export async function renderPool(store: SeriesStore, config: PoolConfig, from: number, until: number): Promise<RenderedPool> {
  const names = plainNamesOf(config);
  if (names !== null) return readPlainPool(store, config, names, from, until);
  const problems: string[] = [];
  const render = async (what: string, target: string): Promise<SeriesValues[]> => {
    try {
      return await renderTargets(store, [target], from - 1, until);
    } catch (error) {
      problems.push(`${what} '${target}': ${(error as Error).message}`);
      return [];
    }
  };
  const [qps, instances, ...health] = await Promise.all([
    render('qps', config.qps),
    typeof config.instances === 'number' ? Promise.resolve(config.instances) : render('instances', config.instances),
    ...config.health.map((check, i) => render(`health[${i}]`, check.target)),
  ]);
  return { series: { qps: qps as SeriesValues[], instances, health: health as SeriesValues[][] }, problems };
}

/**
 * The series names of a pool whose every target is a plain series name (no glob, no function),
 * as the render evaluator would read them: qps, instances (when a target), then each health check.
 * null when some target is anything else. Parsed once per config, not once per poll.
 */
const plainNames = new WeakMap<PoolConfig, string[] | null>();

function plainNamesOf(config: PoolConfig): string[] | null {
  let names = plainNames.get(config);
  if (names === undefined) {
    const targets = [config.qps, ...(typeof config.instances === 'number' ? [] : [config.instances]), ...config.health.map((check) => check.target)];
    names = [];
    for (const target of targets) {
      const name = plainName(target);
      if (name === null) {
        names = null;
        break;
      }
      names.push(name);
    }
    plainNames.set(config, names);
  }
  return names;
}

function plainName(target: string): string | null {
  if (target.trim() === '') return null;
  try {
    const expression = parseTarget(target);
    return expression.kind === 'path' && !hasGlob(expression.path) ? expression.path : null;
  } catch {
    return null; // the render path reports it
  }
}

/**
 * renderPool() for plain names: what renderTargets gives for a plain name is the store's range of
 * that name (nothing when the store has no such series), so all of them are read in one store call
 * without a render evaluator per target.
 */
async function readPlainPool(store: SeriesStore, config: PoolConfig, names: readonly string[], from: number, until: number): Promise<RenderedPool> {
  let ranges: SeriesRange[];
  try {
    ranges = await store.read(names, from - 1, until);
  } catch (error) {
    // As renderPool words a failed render: each target, its data missing.
    const message = (error as Error).message;
    const problems = [`qps '${config.qps}': ${message}`];
    if (typeof config.instances !== 'number') problems.push(`instances '${config.instances}': ${message}`);
    config.health.forEach((check, i) => problems.push(`health[${i}] '${check.target}': ${message}`));
    return { series: { qps: [], instances: typeof config.instances === 'number' ? config.instances : [], health: config.health.map(() => []) }, problems };
  }
  const of = (name: string): SeriesValues[] => {
    for (const range of ranges) if (range.name === name) return [range];
    return [];
  };
  let next = 0;
  const qps = of(names[next++]);
  const instances = typeof config.instances === 'number' ? config.instances : of(names[next++]);
  const health = config.health.map(() => of(names[next++]));
  return { series: { qps, instances, health }, problems: [] };
}

/** Decisions replayed at most to find the last scale action (a week of minutes). */
const MAX_REPLAY_SAMPLES = 10_080;

/** Start of the sample interval `at` falls in: actions at or after it belong to the current window. */
function windowBoundary(at: number, interval: number): number {
  return Math.floor(at / interval) * interval;
}

/** The pool's decision as of `at` (Unix seconds). */
export async function evaluatePool(
  store: SeriesStore,
  pool: string,
  config: PoolConfig,
  at: number,
  lastActionAt?: number,
): Promise<Decision> {
  const interval = config.sampleIntervalSeconds;
  const boundary = windowBoundary(at, interval);
  const cooldown = config.cooldownSeconds;
  const replayFrom =
    3 * cooldown <= MAX_REPLAY_SAMPLES * interval
      ? Math.floor((boundary - 3 * cooldown) / Math.max(cooldown, 1)) * Math.max(cooldown, 1)
      : boundary - MAX_REPLAY_SAMPLES * interval;
  const { from } = sampleRange(config, replayFrom);
  const { until } = sampleRange(config, at);
  const rendered = await renderPool(store, config, from, until);

  let lastScaleAt = lastActionAt !== undefined && lastActionAt < boundary ? lastActionAt : undefined;
  if (config.cooldownSeconds > 0) {
    const replayed = lastScaleAction({ pool, config, series: rendered.series, from: replayFrom, until: boundary - 1 });
    if (replayed !== undefined && (lastScaleAt === undefined || replayed > lastScaleAt)) lastScaleAt = replayed;
  }
  const window = new SampleColumns(config.window, config.health.length);
  sampleWindowInto(config, rendered.series, at, window);
  const judgement = new Judgement();
  judge(config, window, at, lastScaleAt, judgement);
  return withProblems(explain(pool, config, at, window, judgement, lastScaleAt), rendered.problems);
}

/** Every decision the rule would have made in [from, until]. */
export async function backtestPool(store: SeriesStore, pool: string, config: PoolConfig, from: number, until: number): Promise<BacktestResult> {
  // backtest()'s limit, checked before reading years of data for nothing.
  const evaluations = Math.floor((until - from) / config.sampleIntervalSeconds);
  if (evaluations > MAX_BACKTEST_EVALUATIONS) {
    throw new RangeError(`backtest of about ${evaluations} decisions is too long (at most ${MAX_BACKTEST_EVALUATIONS}); narrow from/until`);
  }
  const rendered = await renderPool(store, config, sampleRange(config, from).from, sampleRange(config, until).until);
  const result = backtest({ pool, config, series: rendered.series, from, until });
  if (rendered.problems.length > 0) result.decisions = result.decisions.map((d) => withProblems(d, rendered.problems));
  return result;
}

/**
 * The per-instance qps at which the pool's health series first crossed its threshold in
 * [from, until): the first sample with some health series above its threshold whose previous
 * sample was not degraded, and whose qps and instance count are known.
 */
export async function estimateCapacity(store: SeriesStore, config: PoolConfig, from: number, until: number): Promise<CapacityEstimate> {
  const none = (reason: string): CapacityEstimate => ({
    configured: config.capacityPerInstance,
    estimated: null,
    at: null,
    health: null,
    from,
    until,
    reason,
  });
  if (config.health.length === 0) return none('the pool has no health series to estimate its capacity from');
  const interval = config.sampleIntervalSeconds;
  const count = Math.floor((until - from) / interval);
  if (count < 2) return none('the range holds fewer than two samples');
  const rendered = await renderPool(store, config, from, until);
  const at = from + count * interval;
  const window = new SampleColumns(count, config.health.length);
  sampleWindowInto(config, rendered.series, at, window);
  const { qps, instances, health } = window;
  const degradedBy = (k: number): number => config.health.findIndex((check, i) => health[i][k] > check.above);

  let wasHealthy = false;
  for (let k = 0; k < count; k++) {
    const crossed = degradedBy(k);
    if (crossed < 0) {
      if (config.health.some((_, i) => !Number.isNaN(health[i][k]))) wasHealthy = true;
      continue;
    }
    if (wasHealthy && qps[k] >= 0 && instances[k] > 0) {
      const check = config.health[crossed];
      const t = from + k * interval;
      return {
        configured: config.capacityPerInstance,
        estimated: qps[k] / instances[k],
        at: t,
        health: check.target,
        from,
        until,
        reason: `${check.target} first crossed ${check.above} at ${new Date(t * 1000).toISOString()} with ${round(qps[k])} qps over ${instances[k]} instances`,
      };
    }
    wasHealthy = false;
  }
  const problems = rendered.problems.length > 0 ? ` (${rendered.problems.join('; ')})` : '';
  return none(`no health series crossed its threshold after a healthy sample in the range${problems}`);
}

function withProblems(decision: Decision, problems: readonly string[]): Decision {
  if (problems.length === 0) return decision;
  return { ...decision, reason: `${decision.reason} (cannot render ${problems.join('; ')})` };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
