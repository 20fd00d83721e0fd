import type Database from 'better-sqlite3';
import { writeTransaction } from '../writeTransaction.js';
import { decideItem, senderKey, type BusinessContext } from '../../../domain/businessChecks.js';
import type { Channel, TrafficType } from '../../../domain/channels.js';
import { IdempotencyClaimLostError, type AcceptBatch, type AcceptResult } from '../../store.js';
import { COMPLETE_CLAIM } from '../idempotency.js';
import { rowParams, type MessageRowParams } from './messageRowParams.js';
import { sqlitePartIdWrites } from './smppMessages.js';

export const INSERT_MESSAGE = `
  insert into messages (
    uuid, account_id, direction, channel_type, sender_name, destination, content, content_search, ttl, tags,
    external_message_id, callback_url, callback_events, use_local_time, local_send_time, local_completion_time,
    hours, days, short_url, total_parts, traffic_type, traffic_center_id, sending_method, country_code,
    status, error_code, reserved, created_at, status_at, message_time, due_at, expires_at, send_after, complete_by,
    time_zone, smpp_user_id, smpp_receipts
  ) values (
    @uuid, @accountId, 'outbound', @channelType, @senderName, @destination, @content, @contentSearch, @ttl, @tags,
    @externalMessageId, @callbackUrl, @callbackEvents, @useLocalTime, @localSendTime, @localCompletionTime,
    @hours, @days, @shortUrl, @totalParts, @trafficType, @trafficCenterId, @sendingMethod, @countryCode,
    @status, @errorCode, @reserved, @now, @now, @now, @dueAt, @expiresAt, @sendAfter, @completeBy,
    @timeZone, @smppUserId, @smppReceipts
  )`;

/** Business checks and creation of a whole batch in one transaction (spec §5.2 steps 5–6). */
export function sqliteAccept(db: Database.Database) {
  const insert = db.prepare(INSERT_MESSAGE);
  const partIds = sqlitePartIdWrites(db);
  const account = db.prepare<[number], { balance: number; reserved: number; billing_enabled: number; disabled_channels: string }>(
    'select balance, reserved, billing_enabled, disabled_channels from accounts where id = ?',
  );
  const senders = db.prepare<[number, number], { channel: string; name: string; traffic_type: string | null }>(
    'select channel, name, traffic_type from senders where account_id = ? and starts_at <= ?',
  );
  const blocked = db.prepare<[number, string], { destination: string }>(
    `select destination from blocklist where account_id in (0, ?) and destination in (select value from json_each(?))`,
  );
  const link = db.prepare('insert into short_links (slug, message_uuid, short_url, url) values (?, ?, ?, ?)');
  const reserve = db.prepare('update accounts set reserved = reserved + ? where id = ?');
  const remember = db.prepare(COMPLETE_CLAIM);

  const acceptRows = writeTransaction(db, (batch: AcceptBatch, rows: MessageRowParams[], now: number): AcceptResult[] => {
    const state = account.get(batch.accountId);
    if (!state) throw new Error(`No account with id ${batch.accountId}`);
    const destinations = [...new Set(batch.candidates.map((c) => c.draft.destination))];
    const context: BusinessContext = {
      disabledChannels: new Set(JSON.parse(state.disabled_channels) as Channel[]),
      approvedSenders: new Map(
        senders.all(batch.accountId, now).map((s) => [senderKey(s.channel as Channel, s.name), s.traffic_type as TrafficType | null]),
      ),
      blockedDestinations: new Set(blocked.all(batch.accountId, JSON.stringify(destinations)).map((r) => r.destination)),
      billingEnabled: state.billing_enabled === 1,
      available: state.balance - state.reserved,
    };
    let reservedTotal = 0;
    const results = batch.candidates.map(({ draft, price, shortLinks, smpp: origin }, i): AcceptResult => {
      const decision = decideItem(context, draft, price);
      if (!decision.accepted) return decision;
      const row = rows[i]!;
      row.trafficType = decision.trafficType;
      row.reserved = context.billingEnabled ? price : 0;
      reservedTotal += row.reserved;
      insert.run(row);
      if (origin) partIds(row.uuid, origin);
      for (const l of shortLinks) link.run(l.slug, row.uuid, l.shortUrl, l.url);
      return { accepted: true, uuid: row.uuid };
    });
    if (reservedTotal !== 0) reserve.run(reservedTotal, batch.accountId);
    if (batch.idempotency) {
      const { key, token, respond } = batch.idempotency;
      const response = respond(results);
      // A claim taken over meanwhile belongs to another request now: creating these too would create them twice.
      if (remember.run(response.status, response.body, batch.accountId, key, token).changes === 0) throw new IdempotencyClaimLostError(key);
    }
    return results;
  });
  // The rows are made before the write lock is taken: only the checks that read the account and the inserts hold it.
  return (batch: AcceptBatch, now: number): AcceptResult[] => acceptRows(batch, batch.candidates.map((c) => rowParams(batch, c, now)), now);
}
