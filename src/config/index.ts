export { ConfigError, defaultConfig, loadConfig, applyConfig, DEFAULT_CONFIG_FILE } from './config.js';
export type { CarbonadoConfig, StatsdConfig, StorageConfig } from './config.js';
export { parseDuration } from './duration.js';
