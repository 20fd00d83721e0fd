/** Loading the settings: see config/load.ts (precedence), config/schema.ts (the settings) and config/errors.ts. */
export { ConfigError } from './config/errors.js';
export { defaultConfig, loadConfig } from './config/load.js';
export { LOG_LEVELS } from './config/schema.js';
export type { ConfigOptions } from './config/sources.js';
