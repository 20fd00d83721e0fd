/**
 * Which due callback delivery goes next: the one rule of fairness between accounts and hosts (issue 10, item 4).
 *
 * - Caps: at most `perHost` requests in flight to one host (callbackHost.ts) and `perAccount` for one account,
 *   `concurrency` in all. A slow or dead receiver holds its host's slots, never everyone's.
 * - First attempts before retries: they are looked at first, and a quarter of every cap is kept for them (retries
 *   may hold at most three quarters of the slots, of an account's and of a host's), so a backlog of due retries
 *   never makes a new event wait for a slot.
 * - A host that is backed off (hostBackoff.ts) uses no slot: its due deliveries are deferred until its interval is
 *   over, keeping their attempt count (the retry schedule of spec §11.1 goes on where it was) and their 24 h. Then
 *   one probe goes; the others wait for its answer, at most `probeWaitMs`. A delivery whose 24 h would end while
 *   its host is down is deferred to the end and then attempted once more (and dropped if that fails), as the
 *   schedule says.
 *
 * The caps count this process's requests: with several PostgreSQL nodes each node applies them to its own.
 */
import type { DeliveryChoice, DeliveryChooser, Deferral, DueDelivery, DueLook } from '../store/callbackOutbox.js';
import { callbackHostOf } from './callbackHost.js';
import type { HostState } from './hostBackoff.js';
import { RETRY_WINDOW_MS } from './retrySchedule.js';

export interface FairnessLimits {
  /** Requests in flight at once. */
  concurrency: number;
  /** Requests in flight to one host. */
  perHost: number;
  /** Requests in flight for one account. */
  perAccount: number;
}

/**
 * Defaults (README, Settings: `callbacks.concurrency`, `callbacks.perHostConcurrency`,
 * `callbacks.perAccountConcurrency`): one host can hold at most half of the slots and one account three quarters,
 * and one busy account on one fast receiver still keeps 64 requests in flight (fewer cost it throughput: the
 * answers of a round wait for the store's exchange).
 */
export const CALLBACK_CONCURRENCY = 128;
export const PER_HOST_CONCURRENCY = 64;
export const PER_ACCOUNT_CONCURRENCY = 96;

/**
 * While more deliveries are due than one look shows, the store forms new ones at most this often: forming reads every
 * waiting event, and doing it in every round of a large backlog cost a tenth of the callback throughput. A new
 * event still becomes a delivery within this time (after its batch wait), whatever the backlog.
 */
export const FORM_INTERVAL_MS = 100;

/** The share of each cap retries may hold; the rest is kept for first attempts. */
export const RETRY_SHARE = 0.75;

/** The cap that applies to a retry: three quarters of `cap`, and at least one. */
export function retryCap(cap: number): number {
  return Math.max(1, Math.floor(cap * RETRY_SHARE));
}

/**
 * How many due deliveries to look at in a round with `free` slots: twice as many and a few more, to see past those
 * whose account or host is at its cap. The store takes the accounts in turn and first attempts first, so the capped
 * ones in front of a new event are at most one per capped account; reading every due delivery would cost a round
 * time in proportion to the backlog.
 */
export function dueLook(free: number): DueLook {
  const total = 2 * Math.max(0, free) + 32;
  return { perAccount: total, total };
}

/** What is in flight: all requests and the retries among them, in all, per host and per account. */
export class FlightCounts {
  total = 0;
  retries = 0;
  private readonly hosts = new Map<string, { all: number; retries: number }>();
  private readonly accounts = new Map<number, { all: number; retries: number }>();

  add(host: string, accountId: number, retry: boolean): void {
    this.change(host, accountId, retry, 1);
  }

  remove(host: string, accountId: number, retry: boolean): void {
    this.change(host, accountId, retry, -1);
  }

  host(host: string): { all: number; retries: number } {
    return this.hosts.get(host) ?? { all: 0, retries: 0 };
  }

  account(accountId: number): { all: number; retries: number } {
    return this.accounts.get(accountId) ?? { all: 0, retries: 0 };
  }

  copy(): FlightCounts {
    const copy = new FlightCounts();
    copy.total = this.total;
    copy.retries = this.retries;
    for (const [key, value] of this.hosts) copy.hosts.set(key, { ...value });
    for (const [key, value] of this.accounts) copy.accounts.set(key, { ...value });
    return copy;
  }

  private change(host: string, accountId: number, retry: boolean, by: 1 | -1): void {
    const retryBy = retry ? by : 0;
    this.total += by;
    this.retries += retryBy;
    bump(this.hosts, host, by, retryBy);
    bump(this.accounts, accountId, by, retryBy);
  }
}

function bump<K>(map: Map<K, { all: number; retries: number }>, key: K, by: number, retryBy: number): void {
  const counts = map.get(key) ?? { all: 0, retries: 0 };
  counts.all += by;
  counts.retries += retryBy;
  if (counts.all === 0) map.delete(key);
  else map.set(key, counts);
}

export interface FairRoundOptions {
  now: number;
  limits: FairnessLimits;
  /** What is in flight now; not changed (the round counts its own choices on a copy). */
  inFlight: FlightCounts;
  hostState: (host: string) => HostState;
  /** How long the other deliveries of a host being probed wait for the probe's answer: the request timeout. */
  probeWaitMs: number;
  /** When this sender last had the store form deliveries, or null. */
  formedAt: number | null;
}

/** One exchange's chooser; `formAsked` tells the sender whether it had the store form deliveries. */
export interface FairRound extends DeliveryChooser {
  readonly formAsked: boolean;
}

/** One exchange's choices, counted as if already in flight, so that a second look (after forming) adds to them. */
export function fairRound({ now, limits, inFlight, hostState, probeWaitMs, formedAt }: FairRoundOptions): FairRound {
  const counts = inFlight.copy();
  const probed = new Set<string>();
  const look = dueLook(limits.concurrency - inFlight.total);
  let formAsked = false;
  const hostCap = Math.min(limits.perHost, limits.concurrency);
  const accountCap = Math.min(limits.perAccount, limits.concurrency);

  const fits = (host: string, accountId: number, retry: boolean): boolean => {
    if (counts.total >= limits.concurrency) return false;
    const onHost = counts.host(host);
    const ofAccount = counts.account(accountId);
    if (onHost.all >= hostCap || ofAccount.all >= accountCap) return false;
    if (!retry) return true;
    return counts.retries < retryCap(limits.concurrency) && onHost.retries < retryCap(hostCap) && ofAccount.retries < retryCap(accountCap);
  };

  function choose(due: readonly DueDelivery[]): DeliveryChoice {
    const claim: string[] = [];
    const defer: Deferral[] = [];
    // First attempts first, whatever order the store gave; within each kind the store's order (oldest first).
    const ordered = [...due.filter((d) => d.attempts === 0), ...due.filter((d) => d.attempts > 0)];
    for (const delivery of ordered) {
      const host = callbackHostOf(delivery.url);
      const state = hostState(host);
      const lifeEnds = (delivery.firstAttemptAt ?? now) + RETRY_WINDOW_MS;
      let wait: number | null = null;
      if (state.kind === 'down') wait = state.until;
      else if (state.kind === 'probing' && (probed.has(host) || counts.host(host).all > 0)) wait = now + probeWaitMs;
      if (wait !== null && lifeEnds > now) {
        defer.push({ id: delivery.id, until: Math.min(wait, lifeEnds) });
        continue;
      }
      const retry = delivery.attempts > 0;
      if (!fits(host, delivery.accountId, retry)) continue; // stays due: taken when a slot of its kind frees up
      counts.add(host, delivery.accountId, retry);
      if (state.kind !== 'up') probed.add(host);
      claim.push(delivery.id);
    }
    const slotsLeft = limits.concurrency - counts.total;
    // Once a round. Every time when this look saw everything due (forming is then the only way to fill the slots).
    const sawAll = due.length < look.total;
    const form = !formAsked && slotsLeft > 0 && (sawAll || formedAt === null || now - formedAt >= FORM_INTERVAL_MS);
    if (form) formAsked = true;
    return { claim, defer, slotsLeft, form };
  }

  return {
    look,
    choose,
    get formAsked() {
      return formAsked;
    },
  };
}
