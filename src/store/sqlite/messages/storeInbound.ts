import type Database from 'better-sqlite3';
import type { InboundMessage } from '../../../domain/inboundMessage.js';
import { countryOf } from '../../../domain/country.js';
import { inboundOwner, type AccountRef, type UnmatchedInbound } from '../../../domain/inboundRouting.js';
import { countSmsParts } from '../../../domain/smsParts.js';
import { newMessageId } from '../../messageIds.js';
import { toUnmatchedInbound, type UnmatchedInboundRow } from '../../rows/unmatchedInboundRow.js';
import { writeTransaction } from '../writeTransaction.js';

/**
 * Stores a mobile-originated message (direction inbound; spec Open point 2) for the account domain/inboundRouting.ts
 * chooses. senderName is the subscriber's number and destination the address it was sent to; it is final at once.
 * A message with no single owner goes to inbound_unmatched instead; then the result is null.
 * A message with a platform id already stored gives what its first delivery gave, and stores nothing.
 * A new SMS of an account with SMPP users is also put in the SMPP outbox (smppDoor.ts), in the same transaction.
 */
export function sqliteStoreInbound(db: Database.Database) {
  const accountByName = db.prepare<[string], AccountRef>('select id, name from accounts where name = ?');
  const accountsBySender = db.prepare<[string, string], AccountRef>(
    `select a.id, a.name from senders s join accounts a on a.id = s.account_id where s.channel = ? and s.name = ? order by a.id`,
  );
  const insert = db.prepare(`
    insert into messages (
      uuid, account_id, direction, channel_type, sender_name, destination, content, content_search, tags,
      total_parts, traffic_type, traffic_center_id, sending_method, country_code, status, created_at, sent_at,
      status_at, message_time, expires_at, time_zone
    ) values (
      @uuid, @accountId, 'inbound', @channel, @from, @to, @content, @search, '[]',
      @parts, 'SERVICE', 1, 'API', @country, 'delivered', @at, @at, @at, @at, @at, 'Europe/Moscow'
    )`);
  const insertUnmatched = db.prepare(`
    insert into inbound_unmatched (channel_type, from_address, to_address, text, received_at, reason, candidates)
    values (?, ?, ?, ?, ?, ?, ?)`);
  const seenPlatformId = db.prepare<[string, string], { message_uuid: string | null }>(
    'select message_uuid from inbound_platform_ids where channel_type = ? and platform_id = ?',
  );
  // An inbound SMS is owed as deliver_sm to the account's SMPP clients (smpp-interface.md §4), when it has any.
  const owedOverSmpp = db.prepare(`
    insert into smpp_outbox (kind, account_id, smpp_user_id, message_uuid, created_at, due_at)
    select 'mo', @accountId, null, @uuid, @at, @at
    where exists (select 1 from smpp_users where account_id = @accountId and revoked_at is null)`);
  const insertPlatformId = db.prepare('insert into inbound_platform_ids (channel_type, platform_id, message_uuid, at) values (?, ?, ?, ?)');

  const store = (message: InboundMessage): string | null => {
    const named = message.accountName === null ? null : { name: message.accountName, found: accountByName.get(message.accountName) ?? null };
    const owner = inboundOwner(named, named === null ? accountsBySender.all(message.channelType, message.to) : []);
    if ('unmatched' in owner) {
      insertUnmatched.run(message.channelType, message.from, message.to, message.text, message.at, owner.unmatched, JSON.stringify(owner.candidates));
      return null;
    }
    const uuid = newMessageId();
    insert.run({
      uuid,
      accountId: owner.accountId,
      channel: message.channelType,
      from: message.from,
      to: message.to,
      content: JSON.stringify(message.text),
      search: message.text.toLowerCase(),
      parts: countSmsParts(message.text).parts,
      country: countryOf(message.from),
      at: message.at,
    });
    if (message.channelType === 'SMS') owedOverSmpp.run({ accountId: owner.accountId, uuid, at: message.at });
    return uuid;
  };

  // One write transaction: the look-up of the platform id and the insert cannot be split by another writer.
  return writeTransaction(db, (message: InboundMessage): string | null => {
    const { platformId } = message;
    if (platformId === undefined) return store(message);
    const seen = seenPlatformId.get(message.channelType, platformId);
    if (seen) return seen.message_uuid;
    const uuid = store(message);
    insertPlatformId.run(message.channelType, platformId, uuid, message.at);
    return uuid;
  });
}

/** The newest first. */
export function sqliteUnmatchedInbound(db: Database.Database) {
  const select = db.prepare<[number], UnmatchedInboundRow>('select * from inbound_unmatched order by id desc limit ?');
  return (limit: number): UnmatchedInbound[] => select.all(limit).map(toUnmatchedInbound);
}
