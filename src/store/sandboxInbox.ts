/**
 * The sandbox's callback inbox (issue #15, the callback inspector): the requests that reached an account's built-in
 * receiver (`POST /sandbox/inbox/{account}`), as received, with what their signature check found. Only the newest
 * `keep` of an account are kept: each recording drops the older ones in its own transaction, so an inbox that is
 * never read stays bounded. Times are epoch ms; ids grow with every recording (newest = highest).
 */

/** What the Standard Webhooks check (spec §11.3) found: no secret or no signature header is `unsigned`. */
export type InboxSignature = 'verified' | 'invalid' | 'unsigned';

/** One header line as received: its name as written, its value. */
export interface InboxHeader {
  name: string;
  value: string;
}

export interface NewInboxEntry {
  accountId: number;
  receivedAt: number;
  /** Every header line, in order, repeated ones apart. */
  headers: InboxHeader[];
  /** The exact bytes received. */
  body: Buffer;
  signature: InboxSignature;
  /** The `webhook-id` header, when there was one. */
  webhookId: string | null;
}

export interface InboxEntry extends Omit<NewInboxEntry, 'accountId'> {
  id: number;
}

export interface InboxPage {
  /** At most this many entries. */
  limit: number;
  /** Only entries older than this id (the last id of the page before). */
  before?: number;
}

/** The account an inbox path names, with what its signature check needs. */
export interface InboxAccount {
  accountId: number;
  /** `whsec_…`, or null when the account's callbacks are not signed. */
  signingSecret: string | null;
}

export interface SandboxInboxRepository {
  /** The account of this name; null when there is none. */
  account(name: string): Promise<InboxAccount | null>;
  /** Records one request and keeps only the account's newest `keep` entries; returns the new entry's id. */
  record(entry: NewInboxEntry, keep: number): Promise<number>;
  /** The account's entries, newest first. */
  list(accountId: number, page: InboxPage): Promise<InboxEntry[]>;
  /** Empties the account's inbox; returns how many entries went. */
  clear(accountId: number): Promise<number>;
}
