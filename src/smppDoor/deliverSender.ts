/**
 * Sends the deliver_sm this node's sessions are owed (`smpp-interface.md` §4): receipts to the user who submitted,
 * inbound SMS to any user of the account. It claims from the SMPP outbox only for users bound here as receiver or
 * transceiver, only as many rows as their sessions have free window, so on PostgreSQL the node that holds a session
 * is the node that sends to it. Each deliver_sm goes to the user's sessions in turn. A row is done once every PDU
 * it makes is answered ESME_ROK; a PDU unanswered in time, lost with its connection or refused makes the row due
 * again with the same content (at least once: the client may see a receipt twice, never zero times). What no
 * session took within 72 h is dropped.
 */
import type { SmppUser } from '../domain/smppUser.js';
import { canReceive } from '../smpp/server/smscCommands.js';
import type { SmscSession } from '../smpp/server/smscSession.js';
import type { DeliverOutcome } from '../smpp/server/smscTypes.js';
import type { SmppLogger } from '../smpp/session.js';
import type { ClaimedDeliver, DeliverDemand } from '../store/smppDoor.js';
import type { Store } from '../store/store.js';
import { deliverPdus } from './deliverPdus.js';
import { encodeDeliverSm } from '../smpp/server/fastPdus.js';

/** Spec §4: kept this long while no session of the user is bound. */
export const DELIVER_KEEP_MS = 72 * 3600 * 1000;
/** A refused deliver_sm (the client answered an error) is tried again after this. */
const REFUSED_RETRY_MS = 10_000;
const PURGE_EVERY_MS = 10 * 60 * 1000;

export interface DeliverSenderOptions {
  store: Store;
  now: () => number;
  /** How often the outbox is read when nothing woke the sender. */
  pollMs: number;
  /** How long a claimed row is this node's: beyond the sessions' answer timeout. */
  leaseMs: number;
  logger?: SmppLogger;
}

interface Bound {
  user: SmppUser;
  sessions: SmscSession[];
  turn: number;
}

export interface DeliverCounters {
  rowsDone: number;
  rowsRetried: number;
  purged: number;
}

export class DeliverSender {
  readonly counters: DeliverCounters = { rowsDone: 0, rowsRetried: 0, purged: 0 };
  private readonly bound = new Map<number, Bound>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private lastPurge = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private done: { id: string; leaseUntil: number }[] = [];
  private retries: { id: string; leaseUntil: number; dueAt: number }[] = [];
  private settling: Promise<void> | null = null;

  constructor(private readonly options: DeliverSenderOptions) {}

  start(): void {
    this.schedule(0);
  }

  /** A session bound as receiver or transceiver: its user's rows may be claimed here. */
  add(user: SmppUser, session: SmscSession): void {
    if (!session.bindType || !canReceive(session.bindType)) return;
    let entry = this.bound.get(user.id);
    if (!entry) this.bound.set(user.id, (entry = { user, sessions: [], turn: 0 }));
    entry.sessions.push(session);
    this.wake();
  }

  remove(session: SmscSession): void {
    for (const [id, entry] of this.bound) {
      entry.sessions = entry.sessions.filter((s) => s !== session);
      if (entry.sessions.length === 0) this.bound.delete(id);
    }
  }

  /** Something may be owed now (a receipt written on this node, a session freed window): read soon. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    // What is in flight resolves as its sessions close (lost): the rows are released for the next start.
    await Promise.all(this.inFlight);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.round()
        .catch((error: unknown) => this.options.logger?.warn({ err: String(error) }, 'SMPP deliver round failed'))
        .finally(() => {
          this.running = null;
          if (this.stopped) return;
          const soon = this.again;
          this.again = false;
          this.schedule(soon ? 0 : this.options.pollMs);
        });
    }, ms);
    this.timer.unref();
  }

  private demand(): DeliverDemand[] {
    const demand: DeliverDemand[] = [];
    for (const { user, sessions } of this.bound.values()) {
      let free = 0;
      for (const session of sessions) if (session.bound) free += Math.max(0, session.window - session.deliversInFlight - session.deliversQueued);
      if (free > 0) demand.push({ smppUserId: user.id, accountId: user.accountId, limit: free });
    }
    return demand;
  }

  private async round(): Promise<void> {
    const { store, now, leaseMs } = this.options;
    if (now() - this.lastPurge >= PURGE_EVERY_MS) {
      this.lastPurge = now();
      const purged = await store.smpp.purgeDelivers(now() - DELIVER_KEEP_MS);
      if (purged > 0) {
        this.counters.purged += purged;
        this.options.logger?.warn({ purged }, 'SMPP deliver_sm dropped: no session of their user took them within 72 h');
      }
    }
    const demand = this.demand();
    if (demand.length === 0) return;
    const rows = await store.smpp.claimDelivers(demand, now(), leaseMs);
    for (const row of rows) this.track(this.send(row));
    // A full claim means more may be waiting.
    if (rows.length > 0 && rows.length >= demand.reduce((sum, d) => sum + d.limit, 0)) this.again = true;
  }

  private track(sending: Promise<void>): void {
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  private sessionFor(row: ClaimedDeliver): SmscSession | null {
    const candidates =
      row.smppUserId !== null
        ? [this.bound.get(row.smppUserId)].filter((b): b is Bound => b !== undefined)
        : [...this.bound.values()].filter((b) => b.user.accountId === row.accountId);
    for (const entry of candidates) {
      const live = entry.sessions.filter((s) => s.bound);
      if (live.length === 0) continue;
      entry.turn = (entry.turn + 1) % live.length;
      return live[entry.turn]!;
    }
    return null;
  }

  private async send(row: ClaimedDeliver): Promise<void> {
    const { now } = this.options;
    let outcomes: DeliverOutcome[];
    try {
      const pdus = deliverPdus(row);
      outcomes = await Promise.all(
        pdus.map((fields) => {
          const session = this.sessionFor(row);
          return session ? session.deliver(encodeDeliverSm(fields)) : Promise.resolve<DeliverOutcome>({ lost: true });
        }),
      );
    } catch (error) {
      this.options.logger?.warn({ err: String(error), outboxId: row.id }, 'SMPP deliver_sm could not be sent');
      outcomes = [{ lost: true }];
    }
    if (outcomes.every((o) => 'status' in o && o.status === 0)) {
      this.done.push({ id: row.id, leaseUntil: row.leaseUntil });
      this.counters.rowsDone += 1;
    } else {
      const refused = outcomes.some((o) => 'status' in o && o.status !== 0);
      this.retries.push({ id: row.id, leaseUntil: row.leaseUntil, dueAt: now() + (refused ? REFUSED_RETRY_MS : 0) });
      this.counters.rowsRetried += 1;
    }
    await this.settleSoon();
    this.wake();
  }

  /** Outcomes of one turn of the event loop are written together: one transaction for a window's answers. */
  private settleSoon(): Promise<void> {
    this.settling ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      this.settling = null;
      const done = this.done.splice(0);
      const retries = this.retries.splice(0);
      try {
        if (done.length > 0) await this.options.store.smpp.completeDelivers(done);
        if (retries.length > 0) await this.options.store.smpp.retryDelivers(retries);
      } catch (error) {
        // Their leases run out and the rows are claimed again: sent twice at worst.
        this.options.logger?.warn({ err: String(error), rows: done.length + retries.length }, 'SMPP deliver_sm outcomes not recorded');
      }
    });
    return this.settling;
  }
}
