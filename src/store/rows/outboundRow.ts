import type { Channel } from '../../domain/channels.js';
import type { MessageContent } from '../../domain/message.js';
import type { InFlightMessage, OutboundMessage } from '../../domain/outboundMessage.js';

/** The columns of a message a connector needs, as either database returns them (int8 maybe as text). */
export interface OutboundRow {
  uuid: string;
  account_id: number;
  channel_type: string;
  sender_name: string;
  destination: string;
  content: string;
  total_parts: number;
  expires_at: number;
}

export function toOutboundMessage(row: OutboundRow): OutboundMessage {
  return {
    uuid: row.uuid,
    accountId: Number(row.account_id),
    channelType: row.channel_type as Channel,
    senderName: row.sender_name,
    destination: row.destination,
    content: JSON.parse(row.content) as MessageContent,
    totalParts: row.total_parts,
    expiresAt: Number(row.expires_at),
  };
}

/** A handed-off message given back to its connector after a restart (EngineRepository.inFlight). */
export interface InFlightRow extends OutboundRow {
  sent_at: number;
  status: 'sent' | 'delivered';
  connector: string | null;
}

export function toInFlightMessage(row: InFlightRow): InFlightMessage & { connector: string | null } {
  // Added to the mapped object rather than spread into a new one.
  const message = toOutboundMessage(row) as InFlightMessage & { connector: string | null };
  message.sentAt = Number(row.sent_at);
  message.status = row.status;
  message.connector = row.connector;
  return message;
}
