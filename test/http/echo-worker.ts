/** Test support: a pool worker that doubles numbers after a wait, fails or exits when told to. */
import { serveTasks } from '../../src/http/worker-pool.js';

export interface EchoTask {
  value: number;
  waitMs?: number;
  fail?: boolean;
  exit?: boolean;
}

serveTasks<EchoTask, number>(async ({ value, waitMs = 0, fail, exit }) => {
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  if (exit) process.exit(2);
  if (fail) throw new Error(`task ${value} failed`);
  return { result: value * 2 };
});
