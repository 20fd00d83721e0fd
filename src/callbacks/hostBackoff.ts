/**
 * Hosts that do not answer at all (a timeout, a refused or reset connection, a TLS error) are backed off as a whole:
 * marked down for 5 s, then 10 s, 20 s … at most 5 min, so that one dead receiver does not hold request slots for a
 * timeout with every one of its deliveries. When the interval is over, one request probes the host; the first
 * answer (any HTTP status) clears the mark. Kept in memory, per process: each PostgreSQL node learns it on its own.
 * Times are epoch ms from the sender's clock.
 */
export const HOST_BACKOFF_FIRST_MS = 5_000;
export const HOST_BACKOFF_MAX_MS = 300_000;

/** How long a host is marked down after its `level`-th mark in a row (1 = the first). */
export function hostBackoffMs(level: number): number {
  return Math.min(HOST_BACKOFF_FIRST_MS * 2 ** Math.max(0, level - 1), HOST_BACKOFF_MAX_MS);
}

/** What the scheduler needs to know of a host right now. */
export type HostState =
  | { kind: 'up' }
  /** Nothing is sent to it before `until`. */
  | { kind: 'down'; until: number }
  /** The interval is over: one request may find out whether it answers again. */
  | { kind: 'probing' };

/** Taken when a request starts; a failure counts only against the state the request started in. */
export type HostTicket = number;

interface Mark {
  level: number;
  until: number;
  /** Raised by every mark: requests started before it failed for a reason already counted. */
  epoch: number;
}

export class HostBackoff {
  private readonly marks = new Map<string, Mark>();
  private nextSweep = 0;

  state(host: string, now: number): HostState {
    const mark = this.marks.get(host);
    if (mark === undefined) return { kind: 'up' };
    return now < mark.until ? { kind: 'down', until: mark.until } : { kind: 'probing' };
  }

  ticket(host: string): HostTicket {
    return this.marks.get(host)?.epoch ?? 0;
  }

  /**
   * A request that started with `ticket` got no answer. The many requests in flight when a host dies fail together:
   * only the first of them (and later each failed probe) marks the host, so the interval grows one step per probe.
   */
  failed(host: string, ticket: HostTicket, now: number): void {
    const mark = this.marks.get(host);
    if (mark !== undefined && ticket < mark.epoch) return;
    const level = (mark?.level ?? 0) + 1;
    this.marks.set(host, { level, until: now + hostBackoffMs(level), epoch: (mark?.epoch ?? 0) + 1 });
    this.sweep(now);
  }

  /** The host answered: it is up again. */
  answered(host: string): void {
    this.marks.delete(host);
  }

  /** Hosts nobody has tried for a long time are forgotten, so the map holds only hosts still in use. */
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + HOST_BACKOFF_MAX_MS;
    for (const [host, mark] of this.marks) if (mark.until + 2 * HOST_BACKOFF_MAX_MS < now) this.marks.delete(host);
  }
}
