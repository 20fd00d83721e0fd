import type { FoldReads, StoredMessageState } from '../../../domain/reportFold.js';
import type { ReportEnvelope } from '../../../domain/reportEnvelope.js';
import type { PartRef, StoredPart, WaitingReport } from '../../../domain/roundParts.js';
import { isLowercaseUuid } from '../../../domain/messageUuid.js';
import { toStoredMessageState, type AccountBillingRow, type MessageStateRow } from '../../rows/messageStateRow.js';
import type { TransactionSql } from '../connection.js';
import { bucketOf, findParts, findRefs, findWaiting, lockBuckets } from './carrierTables.js';

/** A message as the fold reads it, with the columns a hand-off that changes nothing writes back as they were. */
export type PgMessageState = StoredMessageState & {
  errorCode: number | null;
  statusAt: number;
  messageTime: number;
  dueAt: number | null;
  connector: string | null;
};

/** The fold asked for something the prefetch did not read: read it, then fold the round again. */
export class NeedsRead extends Error {
  constructor(readonly read: () => Promise<void>) {
    super('the fold needs a read that was not prefetched');
  }
}

type StateRow = MessageStateRow &
  AccountBillingRow & { uuid: string; error_code: number | null; status_at: number; message_time: number; due_at: number | null; connector: string | null };

/**
 * The messages the reports are about, with their account's billing, locked in uuid order (two appliers of
 * overlapping batches wait for each other instead of deadlocking; a claim skips them).
 */
const lockAndLoad = (tx: TransactionSql, uuids: string[]) => tx<StateRow[]>`
  select m.uuid, m.account_id, m.channel_type, m.status, m.error_code, m.total_parts, m.reserved, m.price_total,
    m.price_currency, m.price_parts, m.price_final, m.callback_url, m.callback_events, m.short_url, m.created_at,
    m.sent_at, m.status_at, m.message_time, m.expires_at, m.due_at, m.connector, m.smpp_user_id, m.smpp_receipts,
    a.currency, a.billing_enabled
  from messages m join accounts a on a.id = m.account_id
  where m.uuid = any(${uuids}::uuid[])
  order by m.uuid
  for update of m`;

const originalUrls = (tx: TransactionSql, uuids: string[], urls: string[]) => tx<{ message_uuid: string; short_url: string; url: string }[]>`
  select s.message_uuid, s.short_url, s.url
  from unnest(${uuids}::uuid[], ${urls}::text[]) as q (message_uuid, short_url)
  join short_links s on s.message_uuid = q.message_uuid and s.short_url = q.short_url
  where s.message_uuid = any(${uuids}::uuid[])`;

const pairKey = (connector: string, key: string) => `${connector}\u0000${key}`;

function splitPairs(pairs: Iterable<string>): { connectors: string[]; keys: string[] } {
  const connectors: string[] = [];
  const keys: string[] = [];
  for (const pair of pairs) {
    const at = pair.indexOf('\u0000');
    connectors.push(pair.slice(0, at));
    keys.push(pair.slice(at + 1));
  }
  return { connectors, keys };
}

const refPairs = (envelope: ReportEnvelope) =>
  envelope.carrierRef ? envelope.carrierRef.keys.map((key) => pairKey(envelope.carrierRef!.connector, key)) : [];
const handoffPairs = (envelope: ReportEnvelope) =>
  envelope.handoff ? envelope.handoff.carrierRefs.flat().map((key) => pairKey(envelope.handoff!.connector, key)) : [];
const unique = <T>(values: T[]) => [...new Set(values)];

/**
 * What a round of reports reads on PostgreSQL, read up front in a few statements (`prefetch`) so that the fold
 * (domain/reportFold) runs in memory. A read the prefetch did not foresee throws NeedsRead; the caller reads it
 * and folds again (the fold is pure, and what is read stays read).
 */
export class PgFoldReads implements FoldReads<PgMessageState> {
  private readonly rows = new Map<string, PgMessageState | null>();
  /** Known parts by id, as stored (the first found, as SQLite's `limit 1`). */
  private readonly refs = new Map<string, PartRef>();
  /** Ids looked up; `confirmed` when looked up while holding their bucket exclusively. */
  private readonly lookedUp = new Set<string>();
  private readonly confirmed = new Set<string>();
  /** Bucket locks held: true = exclusive. */
  private readonly held = new Map<number, boolean>();
  /** Stored reports waiting per id (read under a lock on the id's bucket). */
  private readonly waitingFor = new Map<string, WaitingReport[]>();
  private readonly envelopes = new Map<number, ReportEnvelope>();
  private readonly partsOf = new Map<string, StoredPart[]>();
  private readonly clickUrls = new Map<string, string | null>();

  constructor(private readonly tx: TransactionSql) {}

  /**
   * Reads and locks what the round will need: carrier ids first (with the bucket locks of misses and hand-offs,
   * and the reports the hand-offs will release), then the messages, then their parts and links.
   */
  async prefetch(reports: readonly ReportEnvelope[]): Promise<void> {
    const byRef = reports.filter((e) => e.uuid === undefined && e.carrierRef);
    await this.lookUp(unique(byRef.flatMap(refPairs)));
    const misses = unique(byRef.filter((e) => this.firstKnown(refPairs(e)) === undefined).flatMap(refPairs));
    const handoffs = unique(reports.flatMap(handoffPairs));
    const wanted = new Map<number, boolean>();
    for (const pair of handoffs) wanted.set(bucketOf(pair), false);
    for (const pair of misses) wanted.set(bucketOf(pair), true);
    await this.lock(wanted);
    await Promise.all([this.lookUp(misses), this.fetchWaiting(handoffs)]);
    const resolved = byRef.flatMap((e) => this.firstKnown(refPairs(e))?.uuid ?? []);
    await this.load([...reports.flatMap((e) => e.uuid ?? []), ...resolved]);
    // A hand-off looks at its message's parts when it is multipart, or when an early report it releases is a part's receipt.
    const early = misses.length > 0 || handoffs.some((pair) => this.waitingFor.get(pair)!.length > 0);
    const handedOff = reports.flatMap((e) => (e.handoff && e.uuid !== undefined && (early || e.handoff.carrierRefs.length > 1) ? [e.uuid] : []));
    const partReports = reports.some((e) => e.uuid === undefined && (e.report.kind === 'delivered' || e.report.kind === 'undelivered'));
    await Promise.all([
      this.loadParts([...handedOff, ...(partReports ? resolved : [])].filter((uuid) => this.rows.get(uuid))),
      this.loadClicks(reports.flatMap((e) => (e.report.kind === 'click' && e.uuid !== undefined ? [{ uuid: e.uuid, url: e.report.url }] : []))),
    ]);
  }

  /** A copy: the fold changes it, and a round folded again must start from the row as read. */
  message(uuid: string): PgMessageState | undefined {
    if (!isLowercaseUuid(uuid)) return undefined;
    const row = this.rows.get(uuid);
    if (row === undefined) throw new NeedsRead(() => this.load([uuid]));
    return row === null ? undefined : { ...row };
  }

  originalUrl(uuid: string, shortUrl: string): string | undefined {
    if (!isLowercaseUuid(uuid)) return undefined;
    const url = this.clickUrls.get(`${uuid} ${shortUrl}`);
    if (url === undefined) throw new NeedsRead(() => this.loadClicks([{ uuid, url: shortUrl }]));
    return url ?? undefined;
  }

  findPart(connector: string, keys: string[]): PartRef | undefined {
    const pairs = keys.map((key) => pairKey(connector, key));
    const unseen = pairs.filter((pair) => !this.lookedUp.has(pair));
    if (unseen.length > 0) throw new NeedsRead(() => this.lookUp(unseen));
    const found = this.firstKnown(pairs);
    if (found) return found;
    // Found nowhere: only an answer once looked up under the buckets' exclusive locks.
    const unconfirmed = pairs.filter((pair) => !this.confirmed.has(pair));
    if (unconfirmed.length > 0) {
      throw new NeedsRead(async () => {
        await this.lock(new Map(unconfirmed.map((pair) => [bucketOf(pair), true])));
        await this.lookUp(unconfirmed);
      });
    }
    return undefined;
  }

  parts(uuid: string): StoredPart[] {
    const parts = this.partsOf.get(uuid);
    if (!parts) throw new NeedsRead(() => this.loadParts([uuid]));
    return parts;
  }

  waiting(connector: string, key: string): WaitingReport[] {
    const pair = pairKey(connector, key);
    const waiting = this.waitingFor.get(pair);
    if (waiting && this.held.has(bucketOf(pair))) return waiting;
    throw new NeedsRead(async () => {
      await this.lock(new Map([[bucketOf(pair), false]]));
      await this.fetchWaiting([pair]);
    });
  }

  private firstKnown(pairs: string[]): PartRef | undefined {
    for (const pair of pairs) {
      const found = this.refs.get(pair);
      if (found) return found;
    }
    return undefined;
  }

  private async load(uuids: string[]): Promise<void> {
    const wanted = unique(uuids).filter((uuid) => isLowercaseUuid(uuid) && !this.rows.has(uuid));
    if (wanted.length === 0) return;
    for (const uuid of wanted) this.rows.set(uuid, null);
    for (const row of await lockAndLoad(this.tx, wanted)) {
      this.rows.set(row.uuid, {
        ...toStoredMessageState(row.uuid, row, row),
        errorCode: row.error_code,
        statusAt: Number(row.status_at),
        messageTime: Number(row.message_time),
        dueAt: row.due_at === null ? null : Number(row.due_at),
        connector: row.connector,
      });
    }
  }

  private async lookUp(pairs: string[]): Promise<void> {
    if (pairs.length === 0) return;
    const { connectors, keys } = splitPairs(pairs);
    for (const row of await findRefs(this.tx, connectors, keys)) {
      const pair = pairKey(row.connector, row.ref_key);
      if (!this.refs.has(pair)) this.refs.set(pair, { uuid: row.message_uuid, part: Number(row.part) });
    }
    for (const pair of pairs) {
      this.lookedUp.add(pair);
      if (this.held.get(bucketOf(pair)) === true) this.confirmed.add(pair);
    }
  }

  /** Takes the buckets' locks not held yet (or held only shared when exclusive is wanted). */
  private async lock(wanted: Map<number, boolean>): Promise<void> {
    const buckets: number[] = [];
    const modes: number[] = [];
    for (const [bucket, exclusive] of wanted) {
      const has = this.held.get(bucket);
      if (has === true || (has === false && !exclusive)) continue;
      buckets.push(bucket);
      modes.push(exclusive ? 1 : 0);
    }
    if (buckets.length === 0) return;
    await lockBuckets(this.tx, buckets, modes);
    buckets.forEach((bucket, i) => this.held.set(bucket, modes[i] === 1 || this.held.get(bucket) === true));
  }

  private async fetchWaiting(pairs: string[]): Promise<void> {
    const missing = pairs.filter((pair) => !this.waitingFor.has(pair));
    if (missing.length === 0) return;
    for (const pair of missing) this.waitingFor.set(pair, []);
    const { connectors, keys } = splitPairs(missing);
    for (const row of await findWaiting(this.tx, connectors, keys)) {
      const id = Number(row.id);
      let envelope = this.envelopes.get(id);
      if (!envelope) this.envelopes.set(id, (envelope = JSON.parse(row.envelope) as ReportEnvelope));
      this.waitingFor.get(pairKey(row.connector, row.ref_key))!.push({ id, envelope });
    }
  }

  private async loadParts(uuids: string[]): Promise<void> {
    const missing = unique(uuids).filter((uuid) => !this.partsOf.has(uuid));
    if (missing.length === 0) return;
    for (const uuid of missing) this.partsOf.set(uuid, []);
    for (const row of await findParts(this.tx, missing)) {
      this.partsOf.get(row.message_uuid)!.push({ part: Number(row.part), outcome: row.outcome, errorCode: row.error_code });
    }
  }

  private async loadClicks(pairs: { uuid: string; url: string }[]): Promise<void> {
    const wanted = pairs.filter((p) => isLowercaseUuid(p.uuid) && !this.clickUrls.has(`${p.uuid} ${p.url}`));
    if (wanted.length === 0) return;
    for (const p of wanted) this.clickUrls.set(`${p.uuid} ${p.url}`, null);
    const found = await originalUrls(this.tx, wanted.map((p) => p.uuid), wanted.map((p) => p.url));
    for (const row of found) this.clickUrls.set(`${row.message_uuid} ${row.short_url}`, row.url);
  }
}
