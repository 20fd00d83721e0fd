import type { CarrierWrites, PartRef, StoredPart, WaitingReport } from '../../../domain/roundParts.js';
import type { ReportEnvelope } from '../../../domain/reportEnvelope.js';
import type { TransactionSql } from '../connection.js';

/**
 * The carrier tables on PostgreSQL, each read and write in one statement for a whole round: network ids of
 * handed-off parts, multipart parts and their outcomes, and reports kept until their part is known
 * (domain/roundParts says what they mean).
 */

/** The parts already handed off under these network ids (a part may be known under several notations). */
export const findRefs = (tx: TransactionSql, connectors: string[], keys: string[]) => tx<
  { connector: string; ref_key: string; message_uuid: string; part: number }[]
>`
  select c.connector, c.ref_key, c.message_uuid, c.part
  from unnest(${connectors}::text[], ${keys}::text[]) as k (connector, ref_key)
  join carrier_refs c on c.connector = k.connector and c.ref_key = k.ref_key`;

/** Reports kept because they named a part before its hand-off was recorded. */
export const findWaiting = (tx: TransactionSql, connectors: string[], keys: string[]) => tx<
  { connector: string; ref_key: string; id: number; envelope: string }[]
>`
  select k.connector, k.ref_key, r.id, r.envelope
  from unnest(${connectors}::text[], ${keys}::text[]) as q (connector, ref_key)
  join pending_report_keys k on k.connector = q.connector and k.ref_key = q.ref_key
  join pending_reports r on r.id = k.report_id`;

export const findParts = (tx: TransactionSql, uuids: string[]) => tx<
  { message_uuid: string; part: number; outcome: StoredPart['outcome']; error_code: number | null }[]
>`
  select message_uuid, part, outcome, error_code from message_parts
  where message_uuid = any(${uuids}::uuid[])`;

/**
 * A report that finds no part and a hand-off that records parts must not pass each other unseen in two
 * transactions (each would miss the other's uncommitted rows, and the report would wait forever). Both lock the
 * ids' buckets first, in bucket order: a hand-off shares its buckets (hand-offs never wait for each other), a
 * report that found nothing takes them exclusively and looks again once it holds them.
 */
export const lockBuckets = (tx: TransactionSql, buckets: number[], exclusive: number[]) => tx`
  select case when x = 1 then pg_advisory_xact_lock(${LOCK_SPACE}::int, b) else pg_advisory_xact_lock_shared(${LOCK_SPACE}::int, b) end
  from (select b, x from unnest(${buckets}::int[], ${exclusive}::int[]) as t (b, x) order by b) as sorted`;

/** Advisory lock class of the carrier-id buckets ("dgcr"); the second key is the bucket. */
const LOCK_SPACE = 0x64676372;
/** Few enough that a batch holds few locks; misses (early receipts) are rare, so contention is too. */
const BUCKETS = 64;

export function bucketOf(pair: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < pair.length; i++) hash = Math.imul(hash ^ pair.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % BUCKETS;
}

const addRefs = (tx: TransactionSql, refs: CarrierWrites['refs']) => tx`
  insert into carrier_refs (connector, ref_key, message_uuid, part)
  select * from unnest(${refs.map((r) => r.connector)}::text[], ${refs.map((r) => r.key)}::text[],
    ${refs.map((r) => r.uuid)}::uuid[], ${refs.map((r) => r.part)}::int[])
  on conflict do nothing`;

const addParts = (tx: TransactionSql, parts: PartRef[]) => tx`
  insert into message_parts (message_uuid, part)
  select * from unnest(${parts.map((p) => p.uuid)}::uuid[], ${parts.map((p) => p.part)}::int[])
  on conflict do nothing`;

/** A part's outcome is set once: the first receipt for it counts. */
const settleParts = (tx: TransactionSql, parts: CarrierWrites['settled']) => tx`
  update message_parts p set outcome = s.outcome, error_code = s.error_code
  from unnest(${parts.map((p) => p.uuid)}::uuid[], ${parts.map((p) => p.part)}::int[],
    ${parts.map((p) => p.outcome)}::text[], ${parts.map((p) => p.errorCode)}::int[]) as s (message_uuid, part, outcome, error_code)
  where p.message_uuid = s.message_uuid and p.part = s.part and p.outcome is null
    and p.message_uuid = any(${parts.map((p) => p.uuid)}::uuid[])`;

const keep = (tx: TransactionSql, envelope: ReportEnvelope, connector: string, keys: string[], now: number) => tx`
  with kept as (insert into pending_reports (envelope, received_at) values (${JSON.stringify(envelope)}, ${now}) returning id)
  insert into pending_report_keys (connector, ref_key, report_id)
  select ${connector}, k, kept.id from kept, unnest(${keys}::text[]) as k
  on conflict do nothing`;

const release = (tx: TransactionSql, ids: number[]) => tx`
  with gone as (delete from pending_reports where id = any(${ids}::bigint[]) returning id)
  delete from pending_report_keys where report_id in (select id from gone)`;

/** Writes a round's carrier changes, each kind of row with one statement (pipelined on the transaction). */
export function writeCarrier(tx: TransactionSql, { refs, parts, settled, kept, released }: CarrierWrites, now: number): Promise<unknown>[] {
  const writes: Promise<unknown>[] = [];
  if (refs.length > 0) writes.push(addRefs(tx, refs));
  if (parts.length > 0) writes.push(addParts(tx, parts));
  if (settled.length > 0) writes.push(settleParts(tx, settled));
  if (released.length > 0) writes.push(release(tx, released));
  for (const envelope of kept) {
    const ref = envelope.carrierRef!;
    writes.push(keep(tx, envelope, ref.connector, ref.keys, now));
  }
  return writes;
}

export type { WaitingReport };
