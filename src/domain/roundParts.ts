import type { Report } from './lifecycle.js';
import { multipartOutcome, type PartOutcome } from './multipart.js';
import type { Handoff, ReportEnvelope } from './reportEnvelope.js';

/** Where a network id points: a part of a handed-off message. */
export interface PartRef {
  uuid: string;
  part: number;
}

/** A part of a multipart message as stored: its outcome once a receipt settled it. */
export interface StoredPart {
  part: number;
  outcome: 'delivered' | 'undelivered' | null;
  errorCode: number | null;
}

/** A report kept earlier because it named a part whose hand-off was not recorded yet (an early receipt). */
export interface WaitingReport {
  id: number;
  envelope: ReportEnvelope;
}

/** What the parts of a round need to read; each store answers from its own tables. */
export interface PartReads {
  /** The part handed off under one of these keys, the first key that names one; undefined only when none does. */
  findPart(connector: string, keys: string[]): PartRef | undefined;
  /** The stored parts of a message (none for a message sent in one part). */
  parts(uuid: string): StoredPart[];
  /** The kept reports that wait for this network id. */
  waiting(connector: string, key: string): WaitingReport[];
}

/** What a round changes in the carrier tables, for the store to write with the rest. */
export interface CarrierWrites {
  refs: { connector: string; key: string; uuid: string; part: number }[];
  /** The parts of multipart hand-offs. */
  parts: PartRef[];
  /** A part's outcome is set once: the first receipt for it counts. */
  settled: { uuid: string; part: number; outcome: 'delivered' | 'undelivered'; errorCode: number | null }[];
  /** Reports naming a part not known yet, kept until its hand-off is recorded. */
  kept: ReportEnvelope[];
  /** Kept reports this round applied, to forget. */
  released: number[];
}

interface KeptHere {
  envelope: ReportEnvelope;
  pairs: string[];
  released: boolean;
}

const pairKey = (connector: string, key: string) => `${connector}\u0000${key}`;

/**
 * The network ids and parts of messages during one round of reports: how a late report that names a part (an
 * SMPP receipt's message_id) finds its message, how a multipart message's parts add up to its delivery, and
 * where a report waits when it arrives before the hand-off it belongs to was recorded. What the round adds is
 * held here over what the store read, so later reports of the same round see it; nothing is written here.
 */
export class RoundParts {
  readonly writes: CarrierWrites = { refs: [], parts: [], settled: [], kept: [], released: [] };
  /** Ids recorded by this round's hand-offs: they win over stored ones (a reused id names the newest message). */
  private readonly ownRefs = new Map<string, PartRef>();
  private readonly partsOf = new Map<string, Map<number, StoredPart>>();
  private readonly keptHere: KeptHere[] = [];
  private readonly released = new Set<number>();

  constructor(private readonly reads: PartReads) {}

  /** The message (and part) a report is about; a report naming an unknown part is kept for later. */
  resolve(envelope: ReportEnvelope): { uuid: string; part?: number } | null {
    if (envelope.uuid !== undefined) return { uuid: envelope.uuid };
    const ref = envelope.carrierRef;
    if (!ref) return null;
    const pairs = ref.keys.map((key) => pairKey(ref.connector, key));
    // Key by key, best first: this round's hand-off under a key, else the stored one under it. An exact id stored
    // earlier beats a numeric reading of another message's id recorded this round.
    for (const [i, key] of ref.keys.entries()) {
      const found = this.ownRefs.get(pairs[i]!) ?? this.reads.findPart(ref.connector, [key]);
      if (found) return { uuid: found.uuid, part: found.part };
    }
    this.keptHere.push({ envelope, pairs, released: false });
    return null;
  }

  /** The report for the whole message: a part's delivery counts only when it settles the message. */
  messageReport(uuid: string, part: number | undefined, report: Report): Report | null {
    if (part === undefined || (report.kind !== 'delivered' && report.kind !== 'undelivered')) return report;
    const known = this.partsOfMessage(uuid);
    if (known.size <= 1) return report;
    const row = known.get(part);
    if (row && row.outcome === null) {
      row.outcome = report.kind;
      row.errorCode = report.kind === 'undelivered' ? report.errorCode : null;
      this.writes.settled.push({ uuid, part, outcome: row.outcome, errorCode: row.errorCode });
    }
    const outcomes = [...known.values()]
      .sort((a, b) => a.part - b.part)
      .map((p): PartOutcome =>
        p.outcome === 'delivered' ? { outcome: 'delivered' } : p.outcome === 'undelivered' ? { outcome: 'undelivered', errorCode: p.errorCode } : null,
      );
    const settled = multipartOutcome(outcomes);
    return settled === null ? null : { ...settled, at: report.at };
  }

  /** Records the parts of a hand-off; returns the reports that were waiting for them, oldest first. */
  recordHandoff(uuid: string, handoff: Handoff): ReportEnvelope[] {
    const known = handoff.carrierRefs.length > 1 ? this.partsOfMessage(uuid) : undefined;
    const earlyStored = new Map<number, ReportEnvelope>();
    const earlyHere = new Set<KeptHere>();
    handoff.carrierRefs.forEach((keys, part) => {
      if (known && !known.has(part)) {
        known.set(part, { part, outcome: null, errorCode: null });
        this.writes.parts.push({ uuid, part });
      }
      for (const key of keys) {
        const pair = pairKey(handoff.connector, key);
        this.writes.refs.push({ connector: handoff.connector, key, uuid, part });
        if (!this.ownRefs.has(pair)) this.ownRefs.set(pair, { uuid, part });
        for (const waiting of this.reads.waiting(handoff.connector, key)) {
          if (!this.released.has(waiting.id)) earlyStored.set(waiting.id, waiting.envelope);
        }
        for (const kept of this.keptHere) if (!kept.released && kept.pairs.includes(pair)) earlyHere.add(kept);
      }
    });
    const ids = [...earlyStored.keys()].sort((a, b) => a - b);
    for (const id of ids) this.released.add(id);
    this.writes.released.push(...ids);
    // Reports kept by this round came after every stored one, in the round's order.
    const here = this.keptHere.filter((kept) => earlyHere.has(kept));
    for (const kept of here) kept.released = true;
    return [...ids.map((id) => earlyStored.get(id)!), ...here.map((kept) => kept.envelope)];
  }

  /** Ends the round: what it changes in the carrier tables. */
  finish(): CarrierWrites {
    this.writes.kept = this.keptHere.filter((kept) => !kept.released).map((kept) => kept.envelope);
    return this.writes;
  }

  private partsOfMessage(uuid: string): Map<number, StoredPart> {
    let known = this.partsOf.get(uuid);
    if (!known) {
      known = new Map(this.reads.parts(uuid).map((p) => [p.part, { ...p }]));
      this.partsOf.set(uuid, known);
    }
    return known;
  }
}
