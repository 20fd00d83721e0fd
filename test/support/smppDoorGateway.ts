/**
 * A test gateway with the SMPP door for clients on any free port (short session timers), an account with `sms_promo`
 * approved, and an SMPP user of that account. The engine runs only when the test settles it (ManualClock time).
 */
import { hashSmppPassword } from '../../src/auth/smppPasswords.js';
import type { GatewayConfig } from '../../src/config.js';
import { SMPP_USER_DEFAULTS, type SmppUser, type SmppUserLimits } from '../../src/domain/smppUser.js';
import type { SmppDoor } from '../../src/smppDoor/startSmppDoor.js';
import { toGsm7Septets } from '../../src/smpp/gsm7.js';
import type { DoorClient, DoorPdu } from './smppDoorClient.js';
import { describe } from 'node:test';
import { createTestDatabase, SKIP_WITHOUT_POSTGRES } from './postgresDatabase.js';
import { startGateway, type AccountOptions, type TestGateway } from './gateway.js';
import { uniqueName } from './http.js';

export const SENDER = 'sms_promo';

export interface DoorGateway {
  gateway: TestGateway;
  door: SmppDoor;
  accountId: number;
  auth: string;
  /** Creates another SMPP user of the account (password `pass1234` unless given). */
  user(limits?: Partial<SmppUserLimits>, password?: string): Promise<SmppUser & { password: string }>;
  close(): Promise<void>;
}

export async function startDoorGateway(
  options: { database?: string; account?: AccountOptions; configure?: (config: GatewayConfig) => void } = {},
): Promise<DoorGateway> {
  const gateway = await startGateway((config) => {
    if (options.database) config.database = options.database;
    config.smppServer = { ...config.smppServer, enabled: true, port: 0, bindTimeoutMs: 2_000, enquireLinkMs: 60_000, responseTimeoutMs: 2_000 };
    options.configure?.(config);
  });
  const { auth, accountId } = await gateway.account(uniqueName('smppdoor'), {
    senders: [{ channel: 'SMS', name: SENDER }],
    ...options.account,
  });
  let count = 0;
  return {
    gateway,
    door: gateway.smpp!,
    accountId,
    auth,
    async user(limits = {}, password = 'pass1234') {
      const systemId = `esme${process.pid % 1000}x${++count}`.slice(0, 15);
      const user = await gateway.store.smppUsers.create(
        { systemId, accountId, allowList: [], callbackUrl: null, ...SMPP_USER_DEFAULTS, ...limits },
        await hashSmppPassword(password),
        gateway.clock.now(),
      );
      if (!user) throw new Error(`system id ${systemId} taken`);
      return { ...user, password };
    },
    close: () => gateway.close(),
  };
}

/** GSM text as a submit's short_message (data_coding 0: GSM 03.38, one septet per octet). */
export function gsm(text: string): Buffer {
  return toGsm7Septets(text);
}

/** Settles the engine until `on` has received the receipts of `ids` (at least one each), up to `timeoutMs`. */
export async function receiptsOf(door: DoorGateway, on: DoorClient, ids: string[], timeoutMs = 10_000): Promise<DoorPdu[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await door.gateway.settle();
    const found = on.delivers.filter((d) => ids.includes(String(d.receipted_message_id)));
    if (found.length >= ids.length) return found;
    if (Date.now() > deadline) throw new Error(`${found.length} of ${ids.length} receipts`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Runs `suite` twice: on a door gateway on SQLite, and on one on a fresh PostgreSQL database (`prefix` names it) when
 * DGW_TEST_POSTGRES_URL is set, skipped saying so otherwise. `open` starts the block's gateway (closing it drops the
 * PostgreSQL database).
 */
export function describeDoorOnEachStore(title: string, prefix: string, suite: (open: (options?: Parameters<typeof startDoorGateway>[0]) => Promise<DoorGateway>) => void): void {
  describe(`${title} on SQLite`, () => suite((options = {}) => startDoorGateway(options)));
  describe(`${title} on PostgreSQL`, { skip: SKIP_WITHOUT_POSTGRES }, () =>
    suite(async (options = {}) => {
      const database = await createTestDatabase(prefix);
      const door = await startDoorGateway({ ...options, database: database.url });
      return {
        ...door,
        async close() {
          await door.close();
          await database.drop();
        },
      };
    }),
  );
}
