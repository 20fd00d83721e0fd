/**
 * The VK-notifications provider stand-in's per-item rules (vkProviderStandIn.ts), checked in this order for an
 * item of a well-formed request:
 *   1. `service_unknown` (not in `services`, when a list is given) / `service_disabled` (in `disabledServices`);
 *   2. dedupe: a `callbackData` already accepted answers the same id again and sends nothing (not an error);
 *   3. `failFor(phone, code)` rules set by the test;
 *   4. `rate_limited`: the service had `groupRatePerSecond` accepted items in the last 1000 ms (sliding window);
 *   5. `daily_limit`: the (service, phone) pair had `dailyLimit` accepted items in the last 24 h.
 * Only accepted items count for the limits. Time is the stand-in's clock (`now`).
 */

export interface ProviderRulesOptions {
  /** Known services (VK group / sender names); undefined accepts any. */
  services?: string[];
  disabledServices?: string[];
  /** Accepted items per service per sliding second; 0 = no limit. Default 50. */
  groupRatePerSecond?: number;
  /** Accepted items per (service, phone) per sliding 24 h; 0 = no limit. Default 5. */
  dailyLimit?: number;
}

export interface ItemError {
  code: string;
  message: string;
}

export type ItemVerdict = { kind: 'error'; error: ItemError } | { kind: 'duplicate'; id: string } | { kind: 'accept' };

const DAY_MS = 86_400_000;

const MESSAGES: Record<string, string> = {
  service_unknown: 'Unknown service',
  service_disabled: 'The service is disabled',
  not_vk_user: 'The phone number is not linked to a VK account',
  daily_limit: 'Daily limit of messages to this user reached',
  blocked: 'The user has blocked messages from this service',
  region_not_supported: 'The region of this phone number is not supported',
  rate_limited: 'Too many messages per second for this service',
  internal_error: 'Internal error',
};

export function itemError(code: string, message?: string): ItemError {
  return { code, message: message ?? MESSAGES[code] ?? code };
}

export class ProviderRules {
  private readonly failures = new Map<string, ItemError>();
  /** callbackData → provider id of the accepted item. */
  private readonly accepted = new Map<string, string>();
  private readonly perService = new Map<string, number[]>();
  private readonly perPair = new Map<string, number[]>();

  constructor(private readonly options: ProviderRulesOptions) {}

  /** Every item for this phone gets `code` until `clearFailFor`. */
  failFor(phone: string, code: string, message?: string): void {
    this.failures.set(phone, itemError(code, message));
  }

  clearFailFor(phone?: string): void {
    if (phone === undefined) this.failures.clear();
    else this.failures.delete(phone);
  }

  verdict(item: { phone: string; service: string; callbackData: string }, now: number): ItemVerdict {
    const { services, disabledServices } = this.options;
    if (services && !services.includes(item.service)) return { kind: 'error', error: itemError('service_unknown', `Unknown service: ${item.service}`) };
    if (disabledServices?.includes(item.service)) return { kind: 'error', error: itemError('service_disabled', `The service is disabled: ${item.service}`) };
    const id = this.accepted.get(item.callbackData);
    if (id !== undefined) return { kind: 'duplicate', id };
    const failure = this.failures.get(item.phone);
    if (failure) return { kind: 'error', error: failure };
    const rate = this.options.groupRatePerSecond ?? 50;
    if (rate > 0 && recent(this.perService, item.service, now - 1000) >= rate) return { kind: 'error', error: itemError('rate_limited') };
    const daily = this.options.dailyLimit ?? 5;
    if (daily > 0 && recent(this.perPair, pairKey(item), now - DAY_MS) >= daily) return { kind: 'error', error: itemError('daily_limit') };
    return { kind: 'accept' };
  }

  /** Records an accepted item for dedupe and the limits. */
  accept(item: { phone: string; service: string; callbackData: string }, id: string, now: number): void {
    this.accepted.set(item.callbackData, id);
    push(this.perService, item.service, now);
    push(this.perPair, pairKey(item), now);
  }
}

const pairKey = (item: { phone: string; service: string }): string => `${item.service}\u0000${item.phone}`;

function push(map: Map<string, number[]>, key: string, at: number): void {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  list.push(at);
}

/** How many times in `map[key]` are after `since`; older ones are dropped. */
function recent(map: Map<string, number[]>, key: string, since: number): number {
  const list = map.get(key);
  if (!list) return 0;
  let drop = 0;
  while (drop < list.length && list[drop]! <= since) drop++;
  if (drop > 0) list.splice(0, drop);
  return list.length;
}
