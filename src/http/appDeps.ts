import type { Clock } from '../clock.js';
import type { GatewayConfig } from '../config.js';
import type { Store } from '../store/store.js';

/** What the HTTP door is built from: app.ts takes it, and hands it to every route plugin in routes/. */
export interface AppDeps {
  store: Store;
  config: GatewayConfig;
  clock: Clock;
}
