export { createHttpApp, GRAPHITE_VERSION, type HttpAppDeps } from './app.js';
