/**
 * Replays the decision rule over history: a decision at every sampleInterval boundary in
 * [from, until], each seeing only the samples that had ended by then, exactly as a live poll
 * would. The cooldown follows the rule's own up/down decisions (what a scheduler obeying it would
 * have done); the instance counts stay the recorded ones.
 */
import { type Decision, explain, judge, Judgement, type LineName, SampleColumns, type ScaleAction } from './decision.js';
import type { PoolConfig } from '../config/pool-config.js';
import { type PoolSeries, sampleWindowInto } from './sampler.js';

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
  const decisions: Decision[] = [];
  let previousAction: ScaleAction | undefined;
  let previousLine: LineName | null = null;
  const evaluations = replay(input, (at, window, judgement, lastScaleAt) => {
    const changed = previousAction === undefined || judgement.action !== previousAction || judgement.line !== previousLine;
    if (changed || judgement.action !== 'hold') decisions.push(explain(input.pool, input.config, at, window, judgement, lastScaleAt));
    previousAction = judgement.action;
    previousLine = judgement.line;
  });
  return { pool: input.pool, from: input.from, until: input.until, evaluations, decisions };
}

/**
 * The time of the last up or down the rule would have made in [from, until]; undefined: none.
 * backtest() without putting a single decision into words: a live decision replays its cooldown
 * this way on every poll.
 */
export function lastScaleAction(input: BacktestInput): number | undefined {
  let last: number | undefined;
  replay(input, (at, _window, judgement) => {
    if (judgement.action !== 'hold') last = at;
  });
  return last;
}

/** Judges every evaluation of the input in turn, one window and one judgement reused throughout; returns how many. */
function replay(
  input: BacktestInput,
  visit: (at: number, window: SampleColumns, judgement: Judgement, lastScaleAt: number | undefined) => void,
): number {
  const { config } = input;
  const interval = config.sampleIntervalSeconds;
  const first = Math.ceil(input.from / interval) * interval;
  const evaluations = input.until >= first ? Math.floor((input.until - first) / interval) + 1 : 0;
  if (evaluations > MAX_BACKTEST_EVALUATIONS) {
    throw new RangeError(
      `backtest of ${evaluations} decisions is too long (at most ${MAX_BACKTEST_EVALUATIONS}); narrow from/until or use a longer sampleInterval`,
    );
  }
  const window = new SampleColumns(config.window, config.health.length);
  const judgement = new Judgement();
  let lastScaleAt = input.lastScaleAt;
  for (let k = 0; k < evaluations; k++) {
    const at = first + k * interval;
    sampleWindowInto(config, input.series, at, window);
    judge(config, window, at, lastScaleAt, judgement);
    visit(at, window, judgement, lastScaleAt);
    if (judgement.action !== 'hold') lastScaleAt = at;
  }
  return evaluations;
}
