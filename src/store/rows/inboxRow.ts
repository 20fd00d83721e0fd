import type { InboxEntry, InboxHeader, InboxSignature } from '../sandboxInbox.js';

/** A sandbox inbox row as either database returns it (store/sandboxInbox.ts). */
export interface InboxRow {
  id: number;
  received_at: number;
  headers: string;
  body: Buffer;
  signature: InboxSignature;
  webhook_id: string | null;
}

/** Header lines are kept as a JSON array of [name, value] pairs: every line, in order. */
export const headersText = (headers: InboxHeader[]): string => JSON.stringify(headers.map(({ name, value }) => [name, value]));

export const toInboxEntry = (row: InboxRow): InboxEntry => ({
  id: row.id,
  receivedAt: row.received_at,
  headers: (JSON.parse(row.headers) as [string, string][]).map(([name, value]) => ({ name, value })),
  body: row.body,
  signature: row.signature,
  webhookId: row.webhook_id,
});
