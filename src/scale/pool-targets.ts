/**
 * A pool's render targets (qps, instances when it is a target, each health check's) must parse
 * and name known functions: a typo would otherwise make a pool that holds forever, its evaluation
 * failing at every tick. Checked where a pool is given: a PUT to the Scale API (400) and the
 * config file's `scale.pools` at start (an error naming the key).
 */
import type { PoolConfig } from '../config/pool-config.js';
import { checkTarget } from '../query/check-target.js';
import { QueryError } from '../query/query-error.js';

export interface PoolTargetProblem {
  /** The target's field in the pool config: `qps`, `instances`, `health[0].target`. */
  field: string;
  message: string;
}

/** The first target of the pool that can never evaluate, or null. */
export function poolTargetProblem(config: PoolConfig): PoolTargetProblem | null {
  const targets: Array<[string, string]> = [['qps', config.qps]];
  if (typeof config.instances === 'string') targets.push(['instances', config.instances]);
  config.health.forEach((check, i) => targets.push([`health[${i}].target`, check.target]));
  for (const [field, target] of targets) {
    try {
      checkTarget(target);
    } catch (error) {
      if (error instanceof QueryError) return { field, message: error.message };
      throw error;
    }
  }
  return null;
}
