import type { Store } from '../store.js';
import { pgAccounts } from './accounts.js';
import { pgBlocklist } from './blocklist.js';
import { pgCallbackOutbox } from './callbackOutbox.js';
import { connectPostgres, type PostgresOptions } from './connection.js';
import { pgEngine } from './engine/index.js';
import { pgIdempotency } from './idempotency.js';
import { pgIdempotencyOwner } from './idempotencyOwner.js';
import { pgKeys } from './keys.js';
import { pgAccept } from './messages/accept.js';
import { pgTimeline } from './messages/timeline.js';
import { pgFlashcallConversion } from './messages/flashcallConversion.js';
import { pgFollowShortLink } from './messages/followShortLink.js';
import { pgList } from './messages/list.js';
import { collectListing } from '../messageListing.js';
import { asUuid, MESSAGE_COLUMNS, toMessage, type MessageRow } from './messages/rows.js';
import { pgStop } from './messages/stop.js';
import { pgStoreInbound, pgUnmatchedInbound } from './messages/storeInbound.js';
import { migratePostgres } from './schema.js';
import { pgSenders } from './senders.js';
import { pgWhatsAppState } from './whatsappState.js';
import { pgVkState } from './vkState.js';
import { pgSmppUsers } from './smppUsers.js';
import { pgSmppDoor } from './smppDoor.js';
import { pgSandboxInbox } from './sandboxInbox.js';

/**
 * The store on PostgreSQL: any number of nodes share one database. Opening it brings the schema up to date
 * (safe when several nodes start at once, see schema.ts). Every commit is durable (synchronous_commit as the
 * server sets it), so a 201 or a stop's 200 survives a crash of the database host.
 */
export async function postgresStore(url: string, options: PostgresOptions = {}): Promise<Store> {
  const sql = connectPostgres(url, options);
  try {
    await migratePostgres(sql);
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }
  const list = pgList(sql);
  // Started on the first claim (or SMPP bind): only nodes that take Idempotency-Keys or binds hold an owner's session.
  const idempotencyOwner = pgIdempotencyOwner(url);
  return {
    accounts: pgAccounts(sql),
    keys: pgKeys(sql),
    senders: pgSenders(sql),
    blocklist: pgBlocklist(sql),
    idempotency: pgIdempotency(sql, idempotencyOwner),
    messages: {
      accept: pgAccept(sql),
      async get(accountId, rawUuid) {
        const uuid = asUuid(rawUuid);
        if (uuid === null) return null;
        const [row] = await sql<MessageRow[]>`
          select ${sql.unsafe(MESSAGE_COLUMNS)} from messages where uuid = ${uuid} and account_id = ${accountId}`;
        return row ? toMessage(row) : null;
      },
      async list(accountId, filter, page, now) {
        return collectListing(await list(accountId, filter, page, now));
      },
      listChunks: list,
      stop: pgStop(sql),
      storeInbound: pgStoreInbound(sql),
      unmatchedInbound: pgUnmatchedInbound(sql),
      followShortLink: pgFollowShortLink(sql),
      recordFlashcallConversion: pgFlashcallConversion(sql),
      timeline: pgTimeline(sql),
    },
    engine: pgEngine(sql),
    callbacks: pgCallbackOutbox(sql),
    whatsapp: pgWhatsAppState(sql),
    vk: pgVkState(sql),
    smppUsers: pgSmppUsers(sql),
    smpp: pgSmppDoor(sql, idempotencyOwner),
    sandboxInbox: pgSandboxInbox(sql),
    async close() {
      await idempotencyOwner.close();
      await sql.end({ timeout: 5 });
    },
  };
}
