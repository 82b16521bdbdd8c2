/**
 * Test support: the real render worker, except that a job for a target naming `crash.me` throws an
 * uncaught error in its thread 50 ms in, as a bug in a function's callback would.
 */
import type { RenderJob, RenderJobResult } from '../../src/http/render-job.js';
import renderJob from '../../src/http/render-worker.js';

export default function crashingRenderJob(job: RenderJob): Promise<RenderJobResult> {
  if (!JSON.stringify(job.expressions).includes('crash.me')) return renderJob(job);
  return new Promise(() => setTimeout(() => {
    throw new Error('boom in a render worker');
  }, 50));
}
