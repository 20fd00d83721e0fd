/** The SMSC settings' old home: their schema, type and defaults now live in smppSettings.ts. */
export { SMPP_DEFAULTS, parseSmscConfig, type BindMode, type SmscConfig } from './smppSettings.js';
