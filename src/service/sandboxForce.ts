/**
 * The sandbox's "force what happens next" (issue #15 item 6): a forced outcome is a carrier report applied by
 * store.engine.apply like a real one (statuses, money, timeline, callbacks, SMPP receipts), its timeline row saying
 * `source: "sandbox"`; which outcome may be forced when is domain/sandboxActions.ts. "The subscriber writes" stores an
 * inbound message as a connector's would, and on WHATSAPP opens the 24-hour window as a webhook's message does.
 */
import { reportsDelivery } from '../domain/deliveryReports.js';
import type { MessageRecord } from '../domain/message.js';
import { normalizeMsisdn } from '../domain/msisdn.js';
import { checkSandboxAction, isUndeliveredCode, sandboxReport, SANDBOX_SOURCE, type SandboxAction } from '../domain/sandboxActions.js';
import { linksIn, shortenableText } from '../domain/shortLinks.js';
import type { Store } from '../store/store.js';

export type ForceResult =
  | { ok: true; message: MessageRecord }
  | { ok: false; error: 'notFound' }
  /** 409: not possible for this message now. */
  | { ok: false; error: 'notNow'; reason: string }
  /** 422 `Invalid <field>`. */
  | { ok: false; error: 'invalid'; field: string };

export interface ForceOptions {
  errorCode?: number;
  url?: string;
}

export async function forceOutcome(store: Store, accountId: number, uuid: string, action: SandboxAction, options: ForceOptions, now: number): Promise<ForceResult> {
  const message = await store.messages.get(accountId, uuid);
  if (!message) return { ok: false, error: 'notFound' };
  const text = shortenableText(message);
  const shortLinks = text === null ? [] : linksIn(text).map((l) => l.url);
  const check = checkSandboxAction(action, {
    direction: message.direction,
    channelType: message.channelType,
    status: message.status,
    sentAt: message.sentAt,
    shortUrl: message.shortUrl,
    reportsDelivery: await platformReportsDelivery(store, message),
    shortLinks,
  });
  if (!check.ok) return { ok: false, error: 'notNow', reason: check.reason };

  let url: string | undefined;
  if (action === 'undeliver' && options.errorCode !== undefined && !isUndeliveredCode(message.channelType, options.errorCode)) {
    return { ok: false, error: 'invalid', field: 'errorCode' };
  }
  if (action === 'click') {
    const shortUrl = options.url ?? shortLinks[0]!;
    if (!shortLinks.includes(shortUrl)) return { ok: false, error: 'invalid', field: 'url' };
    // Followed as the short link route does (the click is counted), which also gives the original URL.
    const link = await store.messages.followShortLink(shortUrl.slice(shortUrl.lastIndexOf('/') + 1));
    url = link !== null && link.uuid === message.uuid ? link.url : shortUrl;
  }

  const report = sandboxReport(action, now, message.channelType, { ...options, ...(url === undefined ? {} : { url }) });
  await store.engine.apply([{ uuid: message.uuid, source: SANDBOX_SOURCE, detail: `${action} forced from the sandbox`, report }], now);
  const after = await store.messages.get(accountId, message.uuid);
  if (!after) return { ok: false, error: 'notFound' };
  // A real report that came between the read and the write wins; the forced one was then recorded as ignored.
  if (action !== 'click' && after.status === message.status) {
    return { ok: false, error: 'notNow', reason: `the message became ${after.status} meanwhile: nothing was forced` };
  }
  return { ok: true, message: after };
}

/**
 * Whether the platform the message was handed to reports delivery: only a VK message may have gone to a community
 * (deliveryReports.ts), whose hand-off row (the timeline's `sent`) has that name as its source.
 */
async function platformReportsDelivery(store: Store, message: MessageRecord): Promise<boolean> {
  if (message.channelType !== 'VK' || message.sentAt === null) return true;
  const timeline = (await store.messages.timeline(message.accountId, message.uuid)) ?? [];
  const handoff = timeline.find((e) => e.kind === 'sent' && Array.isArray(e.detail?.['statuses']) && (e.detail['statuses'] as unknown[]).includes('sent'));
  const source = handoff?.detail?.['source'];
  return typeof source === 'string' ? reportsDelivery(source) : true;
}

export interface SubscriberMessage {
  channelType: 'SMS' | 'WHATSAPP';
  from: string;
  to: string;
  text: string;
}

export type InboundResult = { ok: true; message: MessageRecord; windowOpenedFor: string[] } | { ok: false; error: 'invalid'; field: string };

/**
 * "The subscriber writes": an inbound message for the account, sent to one of its approved sender names on the
 * channel (else `Invalid to`). On WHATSAPP, each configured number with that sender name (`whatsapp.senders`) records
 * the subscriber's message, as a webhook's does: the 24-hour window is open from now. Returns their phone number ids.
 */
export async function subscriberWrites(
  store: Store,
  account: { id: number; name: string },
  whatsappNumbers: readonly { senderName: string; phoneNumberId: string }[],
  input: SubscriberMessage,
  now: number,
): Promise<InboundResult> {
  const senders = await store.senders.list(account.id);
  if (!senders.some((s) => s.channel === input.channelType && s.name === input.to)) return { ok: false, error: 'invalid', field: 'to' };
  const from = normalizeMsisdn(input.from);
  const windowOpenedFor: string[] = [];
  if (input.channelType === 'WHATSAPP') {
    for (const number of whatsappNumbers.filter((n) => n.senderName === input.to)) {
      await store.whatsapp.recordSubscriberMessage(number.phoneNumberId, from, now);
      windowOpenedFor.push(number.phoneNumberId);
    }
  }
  const uuid = await store.messages.storeInbound({ channelType: input.channelType, from, to: input.to, text: input.text, at: now, accountName: account.name });
  const message = uuid === null ? null : await store.messages.get(account.id, uuid);
  // Named by the account itself, it always has an owner; a null would be a store's bug.
  if (!message) throw new Error(`the inbound message for account ${account.name} was not stored`);
  return { ok: true, message, windowOpenedFor };
}
