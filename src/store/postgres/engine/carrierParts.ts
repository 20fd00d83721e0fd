import type { Report } from '../../../domain/lifecycle.js';
import { multipartOutcome, type PartOutcome } from '../../../domain/multipart.js';
import type { ReportEnvelope } from '../../store.js';
import type { TransactionSql } from '../connection.js';

type Handoff = NonNullable<ReportEnvelope['handoff']>;

interface RefRow {
  connector: string;
  ref_key: string;
  message_uuid: string;
  part: number;
}

interface WaitingRow {
  connector: string;
  ref_key: string;
  id: number;
  envelope: string;
}

interface PartRow {
  message_uuid: string;
  part: number;
  outcome: string | null;
  error_code: number | null;
}

/** The parts already handed off under these network ids (a part may be known under several notations). */
const findRefs = (tx: TransactionSql, connectors: string[], keys: string[]) => tx<RefRow[]>`
  select c.connector, c.ref_key, c.message_uuid, c.part
  from unnest(${connectors}::text[], ${keys}::text[]) as k (connector, ref_key)
  join carrier_refs c on c.connector = k.connector and c.ref_key = k.ref_key`;

/** Reports kept because they named a part before its hand-off was recorded. */
const findWaiting = (tx: TransactionSql, connectors: string[], keys: string[]) => tx<WaitingRow[]>`
  select k.connector, k.ref_key, r.id, r.envelope
  from unnest(${connectors}::text[], ${keys}::text[]) as q (connector, ref_key)
  join pending_report_keys k on k.connector = q.connector and k.ref_key = q.ref_key
  join pending_reports r on r.id = k.report_id`;

const findParts = (tx: TransactionSql, uuids: string[]) => tx<PartRow[]>`
  select message_uuid, part, outcome, error_code from message_parts
  where message_uuid = any(${uuids}::uuid[])`;

/**
 * A report that finds no part and a hand-off that records parts must not pass each other unseen in two
 * transactions (each would miss the other's uncommitted rows, and the report would wait forever). Both lock the
 * ids' buckets first, in bucket order: a hand-off shares its buckets (hand-offs never wait for each other), a
 * report that found nothing takes them exclusively and looks again once it holds them.
 */
const lockBuckets = (tx: TransactionSql, buckets: number[], exclusive: number[]) => tx`
  select case when x = 1 then pg_advisory_xact_lock(${LOCK_SPACE}::int, b) else pg_advisory_xact_lock_shared(${LOCK_SPACE}::int, b) end
  from (select b, x from unnest(${buckets}::int[], ${exclusive}::int[]) as t (b, x) order by b) as sorted`;

const addRefs = (tx: TransactionSql, refs: RefRow[]) => tx`
  insert into carrier_refs (connector, ref_key, message_uuid, part)
  select * from unnest(${refs.map((r) => r.connector)}::text[], ${refs.map((r) => r.ref_key)}::text[],
    ${refs.map((r) => r.message_uuid)}::uuid[], ${refs.map((r) => r.part)}::int[])
  on conflict do nothing`;

const addParts = (tx: TransactionSql, parts: { uuid: string; part: number }[]) => tx`
  insert into message_parts (message_uuid, part)
  select * from unnest(${parts.map((p) => p.uuid)}::uuid[], ${parts.map((p) => p.part)}::int[])
  on conflict do nothing`;

/** A part's outcome is set once: the first receipt for it counts. */
const settleParts = (tx: TransactionSql, parts: PartRow[]) => tx`
  update message_parts p set outcome = s.outcome, error_code = s.error_code
  from unnest(${parts.map((p) => p.message_uuid)}::uuid[], ${parts.map((p) => p.part)}::int[],
    ${parts.map((p) => p.outcome)}::text[], ${parts.map((p) => p.error_code)}::int[]) as s (message_uuid, part, outcome, error_code)
  where p.message_uuid = s.message_uuid and p.part = s.part and p.outcome is null
    and p.message_uuid = any(${parts.map((p) => p.message_uuid)}::uuid[])`;

const keep = (tx: TransactionSql, envelope: ReportEnvelope, connector: string, keys: string[], now: number) => tx`
  with kept as (insert into pending_reports (envelope, received_at) values (${JSON.stringify(envelope)}, ${now}) returning id)
  insert into pending_report_keys (connector, ref_key, report_id)
  select ${connector}, k, kept.id from kept, unnest(${keys}::text[]) as k
  on conflict do nothing`;

const release = (tx: TransactionSql, ids: number[]) => tx`
  with gone as (delete from pending_reports where id = any(${ids}::bigint[]) returning id)
  delete from pending_report_keys where report_id in (select id from gone)`;

/** Advisory lock class of the carrier-id buckets ("dgcr"); the second key is the bucket. */
const LOCK_SPACE = 0x64676372;
/** Few enough that a batch holds few locks; misses (early receipts) are rare, so contention is too. */
const BUCKETS = 64;

const pairKey = (connector: string, key: string) => `${connector}\u0000${key}`;

function bucketOf(pair: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < pair.length; i++) hash = Math.imul(hash ^ pair.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % BUCKETS;
}

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

interface Kept {
  envelope: ReportEnvelope;
  pairs: string[];
  released: boolean;
}

/**
 * Network ids of handed-off parts: how a late report that names a part (an SMPP receipt's message_id) finds its
 * message, how a multipart message's parts add up to its delivery, and where a report waits when it arrives before
 * the hand-off it belongs to was recorded. One instance per applyReports transaction: `prefetch` reads what a batch
 * needs in a few statements, the reports are then worked out in order in memory (exactly as SQLite does them one by
 * one), and `flush` writes the result back, each kind of row with one statement.
 */
export function pgCarrierParts(tx: TransactionSql, now: number) {
  /** Known parts by id (the first found, as SQLite's `limit 1`). */
  const refs = new Map<string, { uuid: string; part: number }>();
  /** Ids looked up in the database; `confirmed` when looked up while holding their bucket exclusively. */
  const lookedUp = new Set<string>();
  const confirmed = new Set<string>();
  /** Bucket locks held: true = exclusive. */
  const held = new Map<number, boolean>();
  /** Stored reports waiting per id (read under a lock on the id's bucket). */
  const waiting = new Map<string, number[]>();
  const stored = new Map<number, ReportEnvelope>();
  const released = new Set<number>();
  /** Reports of this batch that found no part, in order; written at flush unless a hand-off of the batch took them. */
  const kept: Kept[] = [];
  const parts = new Map<string, Map<number, PartRow>>();
  const newRefs: RefRow[] = [];
  const newParts: { uuid: string; part: number }[] = [];
  const settled: PartRow[] = [];

  const lookUp = async (pairs: string[]) => {
    if (pairs.length === 0) return;
    const { connectors, keys } = splitPairs(pairs);
    for (const row of await findRefs(tx, connectors, keys)) {
      const pair = pairKey(row.connector, row.ref_key);
      if (!refs.has(pair)) refs.set(pair, { uuid: row.message_uuid, part: Number(row.part) });
    }
    for (const pair of pairs) {
      lookedUp.add(pair);
      if (held.get(bucketOf(pair)) === true) confirmed.add(pair);
    }
  };

  /** Takes the buckets' locks not held yet (or held only shared when exclusive is wanted). */
  const lock = async (wanted: Map<number, boolean>) => {
    const buckets: number[] = [];
    const modes: number[] = [];
    for (const [bucket, exclusive] of wanted) {
      const has = held.get(bucket);
      if (has === true || (has === false && !exclusive)) continue;
      buckets.push(bucket);
      modes.push(exclusive ? 1 : 0);
    }
    if (buckets.length === 0) return;
    await lockBuckets(tx, buckets, modes);
    buckets.forEach((bucket, i) => held.set(bucket, modes[i] === 1 || held.get(bucket) === true));
  };

  const fetchWaiting = async (pairs: string[]) => {
    const missing = pairs.filter((pair) => !waiting.has(pair));
    if (missing.length === 0) return;
    for (const pair of missing) waiting.set(pair, []);
    const { connectors, keys } = splitPairs(missing);
    for (const row of await findWaiting(tx, connectors, keys)) {
      const id = Number(row.id);
      waiting.get(pairKey(row.connector, row.ref_key))!.push(id);
      if (!stored.has(id)) stored.set(id, JSON.parse(row.envelope) as ReportEnvelope);
    }
  };

  const loadParts = async (uuids: string[]) => {
    const missing = [...new Set(uuids)].filter((uuid) => !parts.has(uuid));
    if (missing.length === 0) return;
    for (const uuid of missing) parts.set(uuid, new Map());
    for (const row of await findParts(tx, missing)) {
      parts.get(row.message_uuid)!.set(Number(row.part), { ...row, part: Number(row.part) });
    }
  };

  const firstKnown = (pairs: string[]) => {
    for (const pair of pairs) {
      const found = refs.get(pair);
      if (found) return found;
    }
    return undefined;
  };

  const refPairs = (envelope: ReportEnvelope) =>
    envelope.carrierRef ? envelope.carrierRef.keys.map((key) => pairKey(envelope.carrierRef!.connector, key)) : [];
  const handoffPairs = (handoff: Handoff) => handoff.carrierRefs.flat().map((key) => pairKey(handoff.connector, key));

  return {
    /**
     * Reads what the batch will need: the parts its reports name, the bucket locks of its misses and hand-offs,
     * and the stored reports its hand-offs will release. Returns the messages the reports resolved to.
     */
    async prefetch(reports: ReportEnvelope[]): Promise<string[]> {
      const byRef = reports.filter((e) => e.uuid === undefined && e.carrierRef);
      await lookUp([...new Set(byRef.flatMap(refPairs))]);
      const misses = byRef.filter((e) => firstKnown(refPairs(e)) === undefined).flatMap(refPairs);
      const handoffs = [...new Set(reports.flatMap((e) => (e.handoff ? handoffPairs(e.handoff) : [])))];
      const wanted = new Map<number, boolean>();
      for (const pair of handoffs) wanted.set(bucketOf(pair), false);
      for (const pair of misses) wanted.set(bucketOf(pair), true);
      await lock(wanted);
      await Promise.all([lookUp([...new Set(misses)]), fetchWaiting(handoffs)]);
      const resolved = byRef.map((e) => firstKnown(refPairs(e))?.uuid).filter((uuid): uuid is string => uuid !== undefined);
      return resolved;
    },

    /** Loads the parts of these messages (multipart hand-offs and receipts of the batch) in one statement. */
    loadParts,

    /** The message (and part) a report is about; a report naming an unknown part is kept for later. */
    async resolve(envelope: ReportEnvelope): Promise<{ uuid: string; part?: number } | null> {
      if (envelope.uuid !== undefined) return { uuid: envelope.uuid };
      const ref = envelope.carrierRef;
      if (!ref) return null;
      const pairs = refPairs(envelope);
      await lookUp(pairs.filter((pair) => !lookedUp.has(pair) && !refs.has(pair)));
      let found = firstKnown(pairs);
      if (!found) {
        // Not prefetched as a miss (a report released by a hand-off): confirm it under the buckets' locks.
        const unconfirmed = pairs.filter((pair) => !confirmed.has(pair));
        if (unconfirmed.length > 0) {
          await lock(new Map(unconfirmed.map((pair) => [bucketOf(pair), true])));
          await lookUp(unconfirmed);
          found = firstKnown(pairs);
        }
      }
      if (found) return { uuid: found.uuid, part: found.part };
      kept.push({ envelope, pairs, released: false });
      return null;
    },

    /** The report for the whole message: a part's delivery counts only when it settles the message. */
    async messageReport(uuid: string, part: number | undefined, report: Report): Promise<Report | null> {
      if (part === undefined || (report.kind !== 'delivered' && report.kind !== 'undelivered')) return report;
      await loadParts([uuid]);
      const known = parts.get(uuid)!;
      if (known.size <= 1) return report;
      const row = known.get(part);
      if (row && row.outcome === null) {
        row.outcome = report.kind;
        row.error_code = report.kind === 'undelivered' ? report.errorCode : null;
        settled.push({ ...row });
      }
      const outcomes = [...known.values()]
        .sort((a, b) => a.part - b.part)
        .map(
          (p): PartOutcome =>
            p.outcome === 'delivered' ? { outcome: 'delivered' } : p.outcome === 'undelivered' ? { outcome: 'undelivered', errorCode: p.error_code } : null,
        );
      const outcome = multipartOutcome(outcomes);
      return outcome === null ? null : { ...outcome, at: report.at };
    },

    /** Records the parts of a hand-off; returns the reports that were waiting for them, oldest first. */
    async recordHandoff(uuid: string, handoff: Handoff): Promise<ReportEnvelope[]> {
      const pairs = handoffPairs(handoff);
      await lock(new Map(pairs.map((pair) => [bucketOf(pair), false])));
      await fetchWaiting(pairs);
      if (handoff.carrierRefs.length > 1) await loadParts([uuid]);
      const earlyStored = new Set<number>();
      const earlyKept = new Set<Kept>();
      handoff.carrierRefs.forEach((keys, part) => {
        if (handoff.carrierRefs.length > 1) {
          const known = parts.get(uuid)!;
          if (!known.has(part)) {
            known.set(part, { message_uuid: uuid, part, outcome: null, error_code: null });
            newParts.push({ uuid, part });
          }
        }
        for (const key of keys) {
          const pair = pairKey(handoff.connector, key);
          newRefs.push({ connector: handoff.connector, ref_key: key, message_uuid: uuid, part });
          if (!refs.has(pair)) refs.set(pair, { uuid, part });
          for (const id of waiting.get(pair)!) if (!released.has(id)) earlyStored.add(id);
          for (const report of kept) if (!report.released && report.pairs.includes(pair)) earlyKept.add(report);
        }
      });
      const ids = [...earlyStored].sort((a, b) => a - b);
      for (const id of ids) released.add(id);
      // Reports kept by this batch came after every stored one, in batch order.
      const local = kept.filter((report) => earlyKept.has(report));
      for (const report of local) report.released = true;
      return [...ids.map((id) => stored.get(id)!), ...local.map((report) => report.envelope)];
    },

    /** Writes the batch's new parts, outcomes and kept reports, and removes the released ones. */
    flush(): Promise<unknown>[] {
      const writes: Promise<unknown>[] = [];
      if (newRefs.length > 0) writes.push(addRefs(tx, newRefs));
      if (newParts.length > 0) writes.push(addParts(tx, newParts));
      if (settled.length > 0) writes.push(settleParts(tx, settled));
      if (released.size > 0) writes.push(release(tx, [...released]));
      for (const report of kept) {
        if (report.released) continue;
        const ref = report.envelope.carrierRef!;
        writes.push(keep(tx, report.envelope, ref.connector, ref.keys, now));
      }
      return writes;
    },
  };
}
