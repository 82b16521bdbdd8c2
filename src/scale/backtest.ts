/**
 * Replays the decision rule over history: a decision at every sampleInterval boundary in
 * [from, until], each seeing only the samples that had ended by then, exactly as a live poll
 * would. The cooldown follows the rule's own up/down decisions (what a scheduler obeying it would
 * have done); the instance counts stay the recorded ones.
 */
import { decide, type Decision } from './decision.js';
import type { PoolConfig } from '../config/pool-config.js';
import { type PoolSeries, sampleWindow } from './sampler.js';

/** More evaluations than this is a request to narrow the range (a year of minutes fits). */
export const MAX_BACKTEST_EVALUATIONS = 600_000;

export interface BacktestInput {
  pool: string;
  config: PoolConfig;
  /** Series covering [from - window x sampleInterval, until]; see sampleRange. */
  series: PoolSeries;
  /** Unix seconds, inclusive. */
  from: number;
  until: number;
  /** Last scale action before `from`, for the cooldown; undefined: none. */
  lastScaleAt?: number;
}

export interface BacktestResult {
  pool: string;
  from: number;
  until: number;
  /** Decisions evaluated. */
  evaluations: number;
  /** The first decision, every change of action or line, and every up and down. */
  decisions: Decision[];
}

export function backtest(input: BacktestInput): BacktestResult {
  const { config } = input;
  const interval = config.sampleIntervalSeconds;
  const first = Math.ceil(input.from / interval) * interval;
  const evaluations = input.until >= first ? Math.floor((input.until - first) / interval) + 1 : 0;
  if (evaluations > MAX_BACKTEST_EVALUATIONS) {
    throw new RangeError(
      `backtest of ${evaluations} decisions is too long (at most ${MAX_BACKTEST_EVALUATIONS}); narrow from/until or use a longer sampleInterval`,
    );
  }
  const decisions: Decision[] = [];
  let lastScaleAt = input.lastScaleAt;
  let previous: Decision | undefined;
  for (let k = 0; k < evaluations; k++) {
    const at = first + k * interval;
    const decision = decide({ pool: input.pool, config, at, samples: sampleWindow(config, input.series, at), lastScaleAt });
    const changed = previous === undefined || decision.action !== previous.action || decision.line !== previous.line;
    if (changed || decision.action !== 'hold') decisions.push(decision);
    if (decision.action !== 'hold') lastScaleAt = at;
    previous = decision;
  }
  return { pool: input.pool, from: input.from, until: input.until, evaluations, decisions };
}
