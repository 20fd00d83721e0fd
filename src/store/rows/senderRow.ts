import type { ApprovedSender } from '../../domain/account.js';
import type { Channel, TrafficType } from '../../domain/channels.js';

/** A senders row, the same in SQLite and PostgreSQL. */
export interface SenderRow {
  account_id: number;
  channel: string;
  name: string;
  traffic_type: string | null;
  starts_at: number;
}

export function toSender(row: SenderRow): ApprovedSender {
  return {
    accountId: row.account_id,
    channel: row.channel as Channel,
    name: row.name,
    trafficType: row.traffic_type as TrafficType | null,
    startsAt: row.starts_at,
  };
}
