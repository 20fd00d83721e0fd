import type Database from 'better-sqlite3';
import type { InboundMessage } from '../../../connectors/connector.js';
import { countryOf } from '../../../domain/country.js';
import { countSmsParts } from '../../../domain/smsParts.js';
import { newMessageId } from '../../messageIds.js';

/**
 * Stores a mobile-originated message (direction inbound; spec Open point 2). It belongs to the account the
 * connector names, or else to the account whose approved SMS sender is the address it was sent to.
 * senderName is the subscriber's number and destination the address it was sent to; it is final at once.
 */
export function sqliteStoreInbound(db: Database.Database) {
  const accountByName = db.prepare<[string], { id: number }>('select id from accounts where name = ?');
  const accountBySender = db.prepare<[string, string], { account_id: number }>(
    `select account_id from senders where channel = ? and name = ? order by account_id limit 1`,
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
  return (message: InboundMessage): string | null => {
    const accountId =
      message.accountName !== null ? accountByName.get(message.accountName)?.id : accountBySender.get(message.channelType, message.to)?.account_id;
    if (accountId === undefined) return null;
    const uuid = newMessageId();
    insert.run({
      uuid,
      accountId,
      channel: message.channelType,
      from: message.from,
      to: message.to,
      content: JSON.stringify(message.text),
      search: message.text.toLowerCase(),
      parts: countSmsParts(message.text).parts,
      country: countryOf(message.from),
      at: message.at,
    });
    return uuid;
  };
}
