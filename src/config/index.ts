export { ConfigError, defaultConfig, loadConfig, applyConfig, DEFAULT_CONFIG_FILE } from './config.js';
export type { CarbonadoConfig, StatsdConfig, StorageConfig } from './config.js';
export { parseDuration } from './duration.js';
export {
  type HealthCheck,
  parsePoolConfig,
  POOL_DEFAULTS,
  type PoolConfig,
  PoolConfigError,
  type PoolConfigJson,
  poolConfigJson,
  type WatermarkLines,
} from './pool-config.js';
export { poolNameProblem } from './pool-name.js';
