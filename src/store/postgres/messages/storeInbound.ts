import type { InboundMessage } from '../../../domain/inboundMessage.js';
import { countryOf } from '../../../domain/country.js';
import { inboundOwner, type AccountRef, type InboundOwner, type UnmatchedInbound } from '../../../domain/inboundRouting.js';
import { countSmsParts } from '../../../domain/smsParts.js';
import { newMessageId } from '../../messageIds.js';
import { toUnmatchedInbound, type UnmatchedInboundRow } from '../../rows/unmatchedInboundRow.js';
import type { Sql, TransactionSql } from '../connection.js';

/**
 * Stores a mobile-originated message (direction inbound; spec Open point 2), as sqlite/messages/storeInbound.ts:
 * for the account domain/inboundRouting.ts chooses, or else in inbound_unmatched (then the result is null).
 * senderName is the subscriber's number and destination the address it was sent to; it is final at once.
 * A message with a platform id already stored gives what its first delivery gave, and stores nothing.
 * A new SMS of an account with SMPP users is also put in the SMPP outbox (smppDoor.ts), in the same statement.
 */
export function pgStoreInbound(sql: Sql) {
  return async (message: InboundMessage): Promise<string | null> => {
    const owner = await ownerOf(sql, message);
    const target: Target = 'unmatched' in owner ? owner : { accountId: owner.accountId, uuid: newMessageId() };
    const uuid = 'uuid' in target ? target.uuid : null;
    const { platformId } = message;
    if (platformId === undefined) {
      await write(sql, message, target);
      return uuid;
    }
    return sql.begin(async (tx) => {
      // The primary key decides between nodes given the same message at once: the second insert waits for the
      // first transaction, then does nothing, and reads the uuid it committed.
      const claimed = await tx`
        insert into inbound_platform_ids (channel_type, platform_id, message_uuid, at)
        values (${message.channelType}, ${platformId}, ${uuid}, ${message.at})
        on conflict do nothing returning 1`;
      if (claimed.length === 0) {
        const [seen] = await tx<{ message_uuid: string | null }[]>`
          select message_uuid from inbound_platform_ids where channel_type = ${message.channelType} and platform_id = ${platformId}`;
        return seen!.message_uuid;
      }
      await write(tx, message, target);
      return uuid;
    });
  };
}

/** Where the message goes: a new message of the account, or the unmatched list. */
type Target = { accountId: number; uuid: string } | Extract<InboundOwner, { unmatched: unknown }>;

async function ownerOf(sql: Sql, message: InboundMessage): Promise<InboundOwner> {
  const named =
    message.accountName === null
      ? null
      : { name: message.accountName, found: (await sql<AccountRef[]>`select id, name from accounts where name = ${message.accountName}`)[0] ?? null };
  const senderOwners =
    named === null
      ? await sql<AccountRef[]>`
          select a.id, a.name from senders s join accounts a on a.id = s.account_id
          where s.channel = ${message.channelType} and s.name = ${message.to} order by a.id`
      : [];
  return inboundOwner(named, senderOwners);
}

async function write(sql: Sql | TransactionSql, message: InboundMessage, target: Target): Promise<void> {
  const at = message.at;
  if ('unmatched' in target) {
    await sql`
      insert into inbound_unmatched (channel_type, from_address, to_address, text, received_at, reason, candidates)
      values (${message.channelType}, ${message.from}, ${message.to}, ${message.text}, ${at}, ${target.unmatched}, ${JSON.stringify(target.candidates)})`;
    return;
  }
  // An inbound SMS is owed as deliver_sm to the account's SMPP clients (smpp-interface.md §4), when it has any: in the
  // same statement as the message (atomic without a transaction of its own).
  const owedOverSmpp =
    message.channelType === 'SMS'
      ? sql`, owed as (
          insert into smpp_outbox (kind, account_id, smpp_user_id, message_uuid, created_at, due_at)
          select 'mo', ${target.accountId}, null, ${target.uuid}, ${at}, ${at}
          where exists (select 1 from smpp_users where account_id = ${target.accountId} and revoked_at is null))`
      : sql``;
  await sql`
    with stored as (insert into messages (
      uuid, account_id, direction, channel_type, sender_name, destination, content, content_search, tags,
      total_parts, traffic_type, traffic_center_id, sending_method, country_code, status, created_at, sent_at,
      status_at, message_time, expires_at, time_zone
    ) values (
      ${target.uuid}, ${target.accountId}, 'inbound', ${message.channelType}, ${message.from}, ${message.to},
      ${JSON.stringify(message.text)}, ${message.text.toLowerCase()}, '[]',
      ${countSmsParts(message.text).parts}, 'SERVICE', 1, 'API', ${countryOf(message.from)}, 'delivered',
      ${at}, ${at}, ${at}, ${at}, ${at}, 'Europe/Moscow'
    ) returning 1)${owedOverSmpp}
    select 1`;
}

/** The newest first. */
export function pgUnmatchedInbound(sql: Sql) {
  return async (limit: number): Promise<UnmatchedInbound[]> =>
    (await sql<UnmatchedInboundRow[]>`select * from inbound_unmatched order by id desc limit ${limit}`).map(toUnmatchedInbound);
}
