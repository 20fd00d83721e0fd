import type { InboundMessage } from '../../../domain/inboundMessage.js';
import { countryOf } from '../../../domain/country.js';
import { inboundOwner, type AccountRef, type UnmatchedInbound } from '../../../domain/inboundRouting.js';
import { countSmsParts } from '../../../domain/smsParts.js';
import { newMessageId } from '../../messageIds.js';
import { toUnmatchedInbound, type UnmatchedInboundRow } from '../../rows/unmatchedInboundRow.js';
import type { Sql } from '../connection.js';

/**
 * Stores a mobile-originated message (direction inbound; spec Open point 2), as sqlite/messages/storeInbound.ts:
 * for the account domain/inboundRouting.ts chooses, or else in inbound_unmatched (then the result is null).
 * senderName is the subscriber's number and destination the address it was sent to; it is final at once.
 */
export function pgStoreInbound(sql: Sql) {
  return async (message: InboundMessage): Promise<string | null> => {
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
    const owner = inboundOwner(named, senderOwners);
    const at = message.at;
    if ('unmatched' in owner) {
      await sql`
        insert into inbound_unmatched (channel_type, from_address, to_address, text, received_at, reason, candidates)
        values (${message.channelType}, ${message.from}, ${message.to}, ${message.text}, ${at}, ${owner.unmatched}, ${JSON.stringify(owner.candidates)})`;
      return null;
    }
    const uuid = newMessageId();
    await sql`
      insert into messages (
        uuid, account_id, direction, channel_type, sender_name, destination, content, content_search, tags,
        total_parts, traffic_type, traffic_center_id, sending_method, country_code, status, created_at, sent_at,
        status_at, message_time, expires_at, time_zone
      ) values (
        ${uuid}, ${owner.accountId}, 'inbound', ${message.channelType}, ${message.from}, ${message.to},
        ${JSON.stringify(message.text)}, ${message.text.toLowerCase()}, '[]',
        ${countSmsParts(message.text).parts}, 'SERVICE', 1, 'API', ${countryOf(message.from)}, 'delivered',
        ${at}, ${at}, ${at}, ${at}, ${at}, 'Europe/Moscow'
      )`;
    return uuid;
  };
}

/** The newest first. */
export function pgUnmatchedInbound(sql: Sql) {
  return async (limit: number): Promise<UnmatchedInbound[]> =>
    (await sql<UnmatchedInboundRow[]>`select * from inbound_unmatched order by id desc limit ${limit}`).map(toUnmatchedInbound);
}
