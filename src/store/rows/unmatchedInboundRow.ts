import type { Channel } from '../../domain/channels.js';
import type { UnmatchedInbound, UnmatchedReason } from '../../domain/inboundRouting.js';

/** A row of inbound_unmatched on either store (PostgreSQL returns bigint columns as strings). */
export interface UnmatchedInboundRow {
  id: number | string;
  channel_type: string;
  from_address: string;
  to_address: string;
  text: string;
  received_at: number | string;
  reason: string;
  candidates: string;
}

export function toUnmatchedInbound(row: UnmatchedInboundRow): UnmatchedInbound {
  return {
    id: Number(row.id),
    channelType: row.channel_type as Channel,
    from: row.from_address,
    to: row.to_address,
    text: row.text,
    receivedAt: Number(row.received_at),
    reason: row.reason as UnmatchedReason,
    candidates: JSON.parse(row.candidates) as string[],
  };
}
