/** The settings' type; the schema it comes from, with every setting's default and meaning, is config/schema.ts. */
export { CONNECTOR_NAMES, type ConnectorName, type GatewayConfig } from './config/schema.js';
