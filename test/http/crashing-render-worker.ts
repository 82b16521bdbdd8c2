/**
 * Test support: the real render worker, except that a job for a target naming `crash.me` throws an
 * uncaught error in its thread, as a bug in a function would.
 */
import { parentPort } from 'node:worker_threads';
import '../../src/http/render-worker.js';
import type { RenderJob } from '../../src/http/render-job.js';

parentPort!.on('message', (job: RenderJob) => {
  if (JSON.stringify(job.expressions).includes('crash.me')) throw new Error('boom in a render worker');
});
