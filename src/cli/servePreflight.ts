import type { GatewayConfig } from '../config.js';
import { ConfigError } from '../configLoad.js';
import { openStore } from '../store/openStore.js';
import { mayCreateDatabase } from './databaseCreation.js';

/**
 * What `serve` checks before it starts any thread or binds anything: the database exists (or may be created), opens
 * and has a schema this code knows, and every account a setting names exists. Each failure is one clear message.
 */
export async function preflightServe(config: GatewayConfig, createFlag: boolean): Promise<void> {
  const store = await openStore(config.database, { create: mayCreateDatabase(config.database, createFlag) });
  try {
    for (const [index, smsc] of config.smpp.smscs.entries()) {
      if (smsc.inboundAccount !== null && (await store.accounts.byName(smsc.inboundAccount)) === null) {
        throw new ConfigError(
          `smpp.smscs[${index}].inboundAccount (SMSC "${smsc.name}") names account "${smsc.inboundAccount}", which does not exist: ` +
            `create it (direct-gateway accounts create ${smsc.inboundAccount}) or correct the setting`,
        );
      }
    }
  } finally {
    await store.close();
  }
}
