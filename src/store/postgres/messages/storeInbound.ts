import type { InboundMessage } from '../../../connectors/connector.js';
import { countryOf } from '../../../domain/country.js';
import { countSmsParts } from '../../../domain/smsParts.js';
import { newMessageId } from '../../messageIds.js';
import type { Sql } from '../connection.js';

/**
 * Stores a mobile-originated message (direction inbound; spec Open point 2), as sqlite/messages/storeInbound.ts.
 * It belongs to the account the connector names, or else to the account whose approved SMS sender is the address
 * it was sent to. senderName is the subscriber's number and destination the address it was sent to; it is final at once.
 */
export function pgStoreInbound(sql: Sql) {
  return async (message: InboundMessage): Promise<string | null> => {
    const owners =
      message.accountName !== null
        ? await sql<{ id: number }[]>`select id from accounts where name = ${message.accountName}`
        : await sql<{ id: number }[]>`
            select account_id as id from senders where channel = ${message.channelType} and name = ${message.to}
            order by account_id limit 1`;
    const accountId = owners[0]?.id;
    if (accountId === undefined) return null;
    const uuid = newMessageId();
    const at = message.at;
    await sql`
      insert into messages (
        uuid, account_id, direction, channel_type, sender_name, destination, content, content_search, tags,
        total_parts, traffic_type, traffic_center_id, sending_method, country_code, status, created_at, sent_at,
        status_at, message_time, expires_at, time_zone
      ) values (
        ${uuid}, ${accountId}, 'inbound', ${message.channelType}, ${message.from}, ${message.to},
        ${JSON.stringify(message.text)}, ${message.text.toLowerCase()}, '[]',
        ${countSmsParts(message.text).parts}, 'SERVICE', 1, 'API', ${countryOf(message.from)}, 'delivered',
        ${at}, ${at}, ${at}, ${at}, ${at}, 'Europe/Moscow'
      )`;
    return uuid;
  };
}
