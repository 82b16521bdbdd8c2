export { startPipeline } from './pipeline.js';
export type { RunningPipeline } from './pipeline.js';
