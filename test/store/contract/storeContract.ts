/**
 * The store contract (DESIGN.md: "one interface, two implementations, one contract test suite run against both"):
 * every operation of the Store port and the rules behind it, written against the port only. A backend's test file
 * calls `storeContract` with a function that opens a fresh, empty store of that backend.
 */
import { describe } from 'node:test';
import { acceptContract } from './accept.js';
import { accountContract } from './accounts.js';
import { callbackOutboxContract } from './callbackOutbox.js';
import { concurrencyContract } from './concurrency.js';
import { engineContract } from './engine.js';
import { listingContract } from './listing.js';
import { stopContract } from './stop.js';
import { sandboxInboxContract } from './sandboxInbox.js';
import { smppUsersContract } from './smppUsers.js';
import { smppDoorContract } from './smppDoor.js';
import { vkStateContract } from './vkState.js';
import { whatsappStateContract } from './whatsappState.js';
import { storeForBlock, type OpenStore } from './support.js';

export type { OpenStore, OpenedStore } from './support.js';

/** A hung operation (a lock wait, a lost connection) fails the suite instead of stalling the run. */
const SUITE_TIMEOUT_MS = 120_000;

/**
 * Two stores per backend (a fresh database costs about a second on PostgreSQL). The blocks sharing one never see
 * each other's data:
 * - accounts, acceptance, reading, stopping, WhatsApp and VK state, SMPP users: times from T0 on; every test works on accounts
 *   (and WABAs, sender names, platform ids, VK groups and phones) of its own, and the claims they make only check
 *   their own messages;
 * - engine, outbox, concurrency: operations that see the whole store (claims, expiries, the outbox); every test
 *   takes a time window from `earlierWindow()`, earlier than every window before it, so earlier tests' messages,
 *   events and deliveries are never due in it; outbox counts are read as changes.
 * The SMPP door has a third store: its purge drops every old row of the deliver_sm outbox.
 */
export function storeContract(name: string, open: OpenStore): void {
  describe(name, { timeout: SUITE_TIMEOUT_MS }, () => {
    describe('accounts and messages', () => {
      const ctx = storeForBlock(open);
      accountContract(ctx);
      acceptContract(ctx);
      listingContract(ctx);
      stopContract(ctx);
      whatsappStateContract(ctx);
      vkStateContract(ctx);
      smppUsersContract(ctx);
      sandboxInboxContract(ctx);
    });
    describe('engine and callback outbox', () => {
      const ctx = storeForBlock(open);
      engineContract(ctx);
      callbackOutboxContract(ctx);
      concurrencyContract(ctx);
    });
    describe('SMPP door', () => {
      smppDoorContract(storeForBlock(open));
    });
  });
}
