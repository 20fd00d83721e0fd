/**
 * The callback outbox port: what the callback sender needs from a store (spec §11.1). The engine writes
 * `callback_events` in the same transaction as the status change that causes them; the sender groups them into
 * deliveries (one POST body each, its id the `webhook-id`) and records every attempt.
 *
 * Every operation is one small method whose ownership guard sits inside its statement (as graphile-worker does):
 * a delivery is claimed under a lease, and an attempt is recorded only while that lease is still the one the caller
 * holds. `leaseUntil` is the lease token: a new claim can only happen once the old lease has expired, so it always
 * sets a later `leaseUntil` and the old holder's writes match nothing. Times are epoch ms.
 */
/** Events per POST (spec §11.1). */
export const MAX_EVENTS_PER_DELIVERY = 100;

export interface CallbackOutbox {
  /**
   * Groups unbatched events per (account, url), oldest group first, into deliveries of at most `maxEvents` events in
   * event order. A delivery is formed when it is full or its first event is at least `fillWaitMs` old.
   * Returns the number of deliveries formed.
   */
  formDeliveries(now: number, options: FormDeliveriesOptions): Promise<number>;
  /** Leases up to `limit` pending deliveries that are due (`next_attempt_at <= now`) and not leased. */
  claimDue(now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]>;
  /**
   * The due, unleased deliveries a scheduler chooses from, without taking them: first attempts before retries;
   * within each, the accounts taken in turn (every account's oldest, then every account's second oldest…); at most
   * `look.perAccount` of one account and `look.total` in all.
   */
  dueDeliveries(now: number, look: DueLook): Promise<DueDelivery[]>;
  /** Leases those of `ids` that are still due and unleased, in the order of `ids`. */
  claimChosen(ids: readonly string[], now: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  /**
   * Moves due, unleased deliveries to a later attempt without making one (their host is backed off): the attempt
   * count stays, and a delivery never tried starts its 24 h now. Returns how many moved.
   */
  defer(deferrals: readonly Deferral[], now: number): Promise<number>;
  /**
   * Records finished attempts in one transaction: the delivery's state, and one `callback_attempt` row per message
   * of the batch in `message_events`. An attempt whose lease is no longer held is ignored. Returns how many were recorded.
   */
  recordAttempts(attempts: CallbackAttemptRecord[]): Promise<number>;
  /**
   * A sender's round in one call (one transaction on SQLite, where every transaction waits its turn for the
   * write lock): records `attempts`, then claims up to `limit` due deliveries, forming deliveries first
   * when fewer than that are due.
   */
  exchange(attempts: CallbackAttemptRecord[], now: number, options: ExchangeOptions): Promise<ClaimedDelivery[]>;
  /** What is still to send, for tests and benchmarks. */
  pendingCount(): Promise<PendingCallbacks>;
}

export interface FormDeliveriesOptions {
  /** Events per POST: 100 (spec §11.1). */
  maxEvents: number;
  /** How long an incomplete batch may wait to fill: up to 1 s (spec §11.1). */
  fillWaitMs: number;
  /** Stops after about this many events, so one round does not hold the event loop for long. */
  limitEvents?: number;
}

export interface ExchangeOptions {
  leaseMs: number;
  /** Deliveries to claim: the sender's free slots. */
  limit: number;
  form: FormDeliveriesOptions;
  /**
   * Which due deliveries to claim and which to defer (src/callbacks/fairScheduler.ts). Without it the oldest due
   * deliveries are claimed, up to `limit`.
   */
  choose?: DeliveryChooser;
}

/** How many due deliveries `dueDeliveries` returns. */
export interface DueLook {
  perAccount: number;
  total: number;
}

/** A due delivery as the scheduler sees it. */
export interface DueDelivery {
  id: string;
  accountId: number;
  url: string;
  /** Attempts already made: 0 for a first attempt. */
  attempts: number;
  firstAttemptAt: number | null;
  nextAttemptAt: number;
}

export interface Deferral {
  id: string;
  /** The new `next_attempt_at`. */
  until: number;
}

export interface DeliveryChoice {
  claim: string[];
  defer: Deferral[];
  /** Slots still free after this choice. */
  slotsLeft: number;
  /** Form new deliveries now and ask again (forming reads every waiting event, so not in every round). */
  form: boolean;
}

/** One exchange's scheduler; `choose` may be called twice (after forming) and remembers what it chose before. */
export interface DeliveryChooser {
  look: DueLook;
  choose(due: readonly DueDelivery[]): DeliveryChoice;
}

/** `exchange` as its steps; a store runs it in one transaction or, where that buys nothing, as they come. */
export async function exchangeInSteps(
  outbox: Pick<CallbackOutbox, 'recordAttempts' | 'claimDue' | 'formDeliveries' | 'dueDeliveries' | 'claimChosen' | 'defer'>,
  attempts: CallbackAttemptRecord[],
  now: number,
  { leaseMs, limit, form, choose }: ExchangeOptions,
): Promise<ClaimedDelivery[]> {
  await outbox.recordAttempts(attempts);
  if (limit <= 0) return [];
  if (choose === undefined) {
    const due = await outbox.claimDue(now, leaseMs, limit);
    // Forming scans the unbatched events, so it runs only when the deliveries already formed cannot fill the slots.
    if (due.length < limit && (await outbox.formDeliveries(now, form)) > 0) due.push(...(await outbox.claimDue(now, leaseMs, limit - due.length)));
    return due;
  }
  const pick = async () => {
    const choice = choose.choose(await outbox.dueDeliveries(now, choose.look));
    if (choice.defer.length > 0) await outbox.defer(choice.defer, now);
    return { claimed: choice.claim.length > 0 ? await outbox.claimChosen(choice.claim, now, leaseMs) : [], form: choice.form };
  };
  const first = await pick();
  if (!first.form || (await outbox.formDeliveries(now, form)) === 0) return first.claimed;
  return [...first.claimed, ...(await pick()).claimed];
}

export interface ClaimedDelivery {
  /** The `webhook-id`. */
  id: string;
  accountId: number;
  /** The callback URL as stored: possibly with `user:pass@`, never with a fragment. */
  url: string;
  /** The exact JSON array text to POST, the same on every attempt. */
  body: string;
  /** Attempts already made. */
  attempts: number;
  firstAttemptAt: number | null;
  messageUuids: string[];
  /** The account's `whsec_…` secret, or null when it does not sign (spec §11.3). */
  signingSecret: string | null;
  /** The lease token: pass it back in the attempt record. */
  leaseUntil: number;
}

export type CallbackAttemptOutcome = 'delivered' | 'retry' | 'dropped';

/** The `detail` of a `callback_attempt` timeline event, as JSON. */
export interface CallbackAttemptDetail {
  webhookId: string;
  /** The URL with its password redacted. */
  url: string;
  /** 1 for the first attempt. */
  attempt: number;
  httpStatus: number | null;
  error: string | null;
  latencyMs: number;
  outcome: CallbackAttemptOutcome;
}

export interface CallbackAttemptRecord {
  /** The lease token from `claimDue`. */
  leaseUntil: number;
  /** When the attempt started. */
  at: number;
  /** Required when `detail.outcome` is `retry`. */
  nextAttemptAt: number | null;
  detail: CallbackAttemptDetail;
}

export interface PendingCallbacks {
  /** Events not yet put into a delivery. */
  unbatchedEvents: number;
  /** Deliveries neither delivered nor dropped. */
  pendingDeliveries: number;
}
