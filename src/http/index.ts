export { createHttpApp, GRAPHITE_VERSION, type HttpAppDeps } from './app.js';
export { RenderPool, type RenderPoolOptions } from './render-pool.js';
