import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Channel } from '../domain/channels.js';
import type { PriceTable } from '../domain/prices.js';
import type { CarrierEvent, Connector, ConnectorEvents, HandoffResult, InboundMessage } from '../connectors/connector.js';
import { IDEMPOTENCY_RETENTION_MS, type ClaimedMessage, type ReportEnvelope, type Store } from '../store/store.js';
import { mapWithLimit } from '../mapWithLimit.js';
import { decideClaimed } from './decideClaimed.js';
import { GroupCommit, type Wait } from './groupCommit.js';
import { recordHandoff } from './recordHandoff.js';

export interface EngineOptions {
  store: Store;
  clock: Clock;
  /** The connector of each channel; one connector may serve several channels. */
  connectors: ReadonlyMap<Channel, Connector>;
  prices: PriceTable;
  /** How long a claim protects a message from other workers; longer than any hand-off. */
  leaseMs: number;
  batchSize: number;
  /** Pause when a round found nothing to do. */
  idleMs: number;
  maxConcurrentHandoffs: number;
  logger?: { error(detail: object, message: string): void; warn(detail: object, message: string): void };
  owner?: string;
}

/** How long a connector that threw waits before the message is tried again. */
const RETRY_AFTER_ERROR_MS = 5_000;
const IDEMPOTENCY_PURGE_EVERY_MS = 60_000;
const EVENT_GATHER_MS = 10;
const ORPHAN_SWEEP_EVERY_MS = 5_000;
/**
 * How long an answered hand-off (or an event) waits for others before the round writes them: a round that ends
 * sooner is written in one transaction; a slower one writes its outcomes in groups this often (groupCommit.ts).
 */
const OUTCOME_LINGER_MS = 50;

/**
 * The delivery engine (DESIGN.md): claims due messages under a lease, hands them to their channel's
 * connector, and records every outcome — hand-off results and late carrier events — through the store,
 * which writes status, money, timeline and callback events in one transaction.
 */
export function createEngine(options: EngineOptions) {
  const { store, clock, connectors } = options;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const distinctConnectors = [...new Set(connectors.values())];
  const pendingEvents: ReportEnvelope[] = [];
  let running = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let eventWake: NodeJS.Timeout | null = null;
  let lastPurge = 0;
  let lastOrphanSweep = 0;
  let connectorsStarted = false;
  /** The outcomes of the round in progress; carrier events that arrive during it are written with them. */
  let round: GroupCommit | null = null;

  const pendingInbound: InboundMessage[] = [];

  const eventsOf = (source: string): ConnectorEvents => ({
    report: (event) => onCarrierEvent(source, event),
    inbound: (message) => {
      pendingInbound.push(message);
      scheduleRound();
    },
  });

  const onCarrierEvent = (source: string, event: CarrierEvent) => {
    // Assigned field by field, not spread: one object per event, thousands a second.
    const envelope: ReportEnvelope = {
      source,
      report:
        event.kind === 'undelivered'
          ? { kind: 'undelivered', at: event.at, errorCode: event.errorCode ?? null }
          : event.kind === 'click'
            ? { kind: 'click', at: event.at, url: event.url ?? '' }
            : { kind: event.kind, at: event.at },
    };
    if (event.uuid !== undefined) envelope.uuid = event.uuid;
    if (event.carrierRefKeys !== undefined) envelope.carrierRef = { connector: source, keys: event.carrierRefKeys };
    if (event.detail !== undefined) envelope.detail = event.detail;
    pendingEvents.push(envelope);
    if (round?.arrived(pendingEvents.length)) return;
    if (pendingEvents.length >= options.batchSize) wake?.();
    else scheduleRound();
  };

  /** Events come one by one; a short pause gathers them into one round (one transaction). */
  const scheduleRound = () => {
    if (!eventWake) eventWake = setTimeout(() => wake?.(), EVENT_GATHER_MS);
  };

  async function handoff(message: ClaimedMessage, outcomes: GroupCommit) {
    const connector = connectors.get(message.channelType);
    if (!connector) {
      outcomes.report({ uuid: message.uuid, source: 'engine', detail: 'no connector for the channel', report: { kind: 'unsent', at: clock.now(), errorCode: 604 } });
      return;
    }
    let result: HandoffResult;
    try {
      result = await connector.send(message);
    } catch (error) {
      connectorFailed(connector, [message], error, outcomes);
      return;
    }
    recordHandoff(outcomes, connector.name, message, result, clock.now(), options.prices);
  }

  /** Messages of one batching connector, handed over in one call. */
  async function handoffBatch(connector: Connector & Required<Pick<Connector, 'sendBatch'>>, messages: ClaimedMessage[], outcomes: GroupCommit) {
    let results: HandoffResult[];
    try {
      results = await connector.sendBatch(messages);
      if (results.length !== messages.length) throw new Error(`answered ${results.length} results for ${messages.length} messages`);
    } catch (error) {
      connectorFailed(connector, messages, error, outcomes);
      return;
    }
    messages.forEach((message, index) => recordHandoff(outcomes, connector.name, message, results[index]!, clock.now(), options.prices));
  }

  function connectorFailed(connector: Connector, messages: ClaimedMessage[], error: unknown, outcomes: GroupCommit) {
    options.logger?.error({ err: error, uuids: messages.slice(0, 10).map((m) => m.uuid), messages: messages.length }, 'connector failed');
    for (const message of messages) outcomes.wait({ uuid: message.uuid, dueAt: clock.now() + RETRY_AFTER_ERROR_MS, note: `${connector.name} failed: ${String(error)}` });
  }

  /**
   * The round's hand-offs as tasks: one per message, except for connectors that take batches, whose messages go
   * in groups of at most their maxBatch (each group one task, one platform request).
   */
  function handoffTasks(sendable: ClaimedMessage[], outcomes: GroupCommit): (() => Promise<void>)[] {
    const tasks: (() => Promise<void>)[] = [];
    const batches = new Map<Connector, ClaimedMessage[]>();
    for (const message of sendable) {
      const connector = connectors.get(message.channelType);
      if (connector?.sendBatch === undefined) tasks.push(() => handoff(message, outcomes));
      else {
        let batch = batches.get(connector);
        if (!batch) batches.set(connector, (batch = []));
        batch.push(message);
      }
    }
    for (const [connector, messages] of batches) {
      const size = Math.max(1, connector.maxBatch ?? messages.length);
      for (let i = 0; i < messages.length; i += size) {
        const group = messages.slice(i, i + size);
        tasks.push(() => handoffBatch(connector as Connector & Required<Pick<Connector, 'sendBatch'>>, group, outcomes));
      }
    }
    return tasks;
  }

  /** One round: expiries, claims, hand-offs, and the carrier events that arrived. Returns the work done. */
  async function runOnce(): Promise<number> {
    const now = clock.now();
    if (eventWake) clearTimeout(eventWake);
    eventWake = null;
    const outcomes = new GroupCommit({
      lingerMs: OUTCOME_LINGER_MS,
      maxGroup: options.batchSize,
      // Events emitted during the hand-offs belong after the outcomes that came before them.
      takeEvents: () => pendingEvents.splice(0),
      write: async (reports: ReportEnvelope[], waits: Wait[]) => {
        if (waits.length > 0) await store.engine.reschedule(owner, waits, clock.now());
        if (reports.length > 0) await store.engine.apply(reports, clock.now());
      },
      onBackgroundFailure: (error) => options.logger?.error({ err: error }, 'engine could not record outcomes: tried again with the next ones'),
    });
    round = outcomes;
    for (const envelope of pendingEvents.splice(0)) outcomes.report(envelope);
    try {
      return await collectAndApply(now, outcomes);
    } catch (error) {
      // Reports exist only in memory until applied: a failed round gives them back for the next one.
      pendingEvents.unshift(...outcomes.takeUnwritten());
      throw error;
    } finally {
      round = null;
    }
  }

  async function collectAndApply(now: number, outcomes: GroupCommit): Promise<number> {
    const expiring = await store.engine.dueForExpiry(now, options.batchSize);
    for (const uuid of expiring) {
      // A call in progress runs to completion (spec §5.7); it is looked at again in the next rounds.
      if (distinctConnectors.some((c) => c.isBusyWith?.(uuid))) continue;
      outcomes.report({ uuid, source: 'engine', detail: 'lifetime ended', report: { kind: 'expired', at: now } });
    }

    const claimed = await store.engine.claimDue(owner, now, options.leaseMs, options.batchSize);
    // A stop answered 202 after the claim must still win if it came before the hand-off (spec §9).
    const stopped = claimed.length > 0 ? await store.engine.stopRequested(claimed.map((m) => m.uuid)) : new Set<string>();
    const sendable: ClaimedMessage[] = [];
    for (const message of claimed) {
      const decision = decideClaimed({ ...message, stopRequested: stopped.has(message.uuid) }, now);
      if (decision.action === 'handoff') sendable.push(message);
      else if (decision.action === 'wait') outcomes.wait({ uuid: message.uuid, dueAt: decision.until, note: decision.reason });
      else outcomes.report({ uuid: message.uuid, source: 'engine', detail: decision.detail, report: decision.report });
    }
    // Each outcome is recorded within OUTCOME_LINGER_MS of its answer, not when the round's slowest hand-off answers.
    await mapWithLimit(handoffTasks(sendable, outcomes), options.maxConcurrentHandoffs, (task) => task());
    const written = await outcomes.finish();
    let stored = 0;
    while (pendingInbound.length > 0) {
      const message = pendingInbound[0]!;
      const uuid = await store.messages.storeInbound(message);
      if (uuid === null) {
        options.logger?.warn(
          { from: message.from, to: message.to, accountName: message.accountName },
          'inbound message with no single owning account: kept in the unmatched list (direct-gateway inbound unmatched)',
        );
      }
      pendingInbound.shift();
      stored++;
    }
    await purgeIdempotencyKeys();
    await adoptOrphans();
    return written + stored;
  }

  /** Messages a dead node handed off to a connector whose outcomes lived in that node (the simulator). */
  async function adoptOrphans() {
    const now = clock.now();
    if (now - lastOrphanSweep < ORPHAN_SWEEP_EVERY_MS) return;
    lastOrphanSweep = now;
    for (const connector of distinctConnectors) {
      if (connector.orphanedAfterMs === undefined || !connector.resume) continue;
      const orphans = await store.engine.inFlight({ connector: connector.name, sentBefore: now - connector.orphanedAfterMs });
      if (orphans.length > 0) connector.resume(orphans);
    }
  }

  async function purgeIdempotencyKeys() {
    const now = clock.now();
    if (now - lastPurge < IDEMPOTENCY_PURGE_EVERY_MS) return;
    lastPurge = now;
    await store.idempotency.purgeOlderThan(now - IDEMPOTENCY_RETENTION_MS);
  }

  async function run() {
    while (running) {
      let worked = 0;
      try {
        worked = await runOnce();
      } catch (error) {
        options.logger?.error({ err: error }, 'engine round failed');
      }
      if (worked > 0) {
        // Store calls may resolve without ever leaving the microtask queue (SQLite is synchronous): without
        // this turn of the event loop, a busy engine would starve the timers and sockets that bring its
        // connectors' reports and the callback sender's answers until the backlog is gone.
        await new Promise<void>((resolve) => setImmediate(resolve));
      } else if (running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.idleMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    }
  }


  return {
    owner,
    runOnce,
    /** Starts the connectors and gives them back their in-flight messages; `start` does it, tests may call it alone. */
    async startConnectors() {
      if (connectorsStarted) return;
      connectorsStarted = true;
      for (const connector of distinctConnectors) await connector.start(eventsOf(connector.name));
      const inFlight = await store.engine.inFlight();
      for (const connector of distinctConnectors) connector.resume?.(inFlight.filter((m) => m.connector === connector.name));
    },
    /** Starts the connectors and runs the loop. */
    async start() {
      await this.startConnectors();
      running = true;
      loop = run();
    },
    /** Nudges an idle loop (e.g. after new messages were accepted). */
    wake() {
      wake?.();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      if (connectorsStarted) for (const connector of distinctConnectors) await connector.stop();
      if (pendingEvents.length > 0) await store.engine.apply(pendingEvents.splice(0), clock.now());
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;
