/**
 * What a WhatsApp webhook POST changes (README "WHATSAPP over the Cloud API"), once its signature was checked: its
 * statuses become reports, applied in one transaction like an SMPP receipt; what subscribers wrote opens their
 * window and is stored as inbound messages. Every write is done before the door answers 200, so a webhook accepted
 * is never lost; one that is not (the process died) is sent again by Meta, and nothing is counted twice: statuses
 * never go backwards and an inbound message is stored once per platform id.
 */
import { countryOf } from '../domain/country.js';
import type { InboundMessage } from '../domain/inboundMessage.js';
import type { ReportEnvelope } from '../domain/reportEnvelope.js';
import { pricingCategoryOf, whatsappPrice, type WhatsAppPriceTable } from '../domain/whatsappPrices.js';
import { reportOfStatus } from '../domain/whatsappStatus.js';
import { carrierKey, WHATSAPP_CONNECTOR as CONNECTOR } from '../whatsapp/carrierKey.js';
import { readChangeValue, type Webhook, type WebhookInbound, type WebhookStatus } from '../whatsapp/graphShapes.js';
import type { Store } from '../store/store.js';

/** The settings of a number that the intake needs (a `whatsapp.senders` row). */
export interface WebhookNumber {
  senderName: string;
  phoneNumberId: string;
  inboundAccount: string | null;
}

export interface WebhookTaken {
  statuses: number;
  inbound: number;
  /** Changes for numbers the signature does not cover, statuses of messages the gateway did not send, other fields. */
  skipped: number;
}


export async function takeWhatsAppWebhook(
  store: Store,
  /** Writes reports (store.engine.apply, or applyInGroups of it to share transactions between requests). */
  applyReports: (reports: ReportEnvelope[]) => Promise<void>,
  webhook: Webhook,
  /** The numbers whose app secret signed this body, by phone number id. */
  numbers: ReadonlyMap<string, WebhookNumber>,
  prices: WhatsAppPriceTable,
  now: number,
): Promise<WebhookTaken> {
  const reports: ReportEnvelope[] = [];
  const inbound: { number: WebhookNumber; message: WebhookInbound }[] = [];
  let skipped = 0;
  for (const entry of webhook.entry) {
    for (const change of entry.changes) {
      const value = readChangeValue(change.value);
      const number = value && numbers.get(value.metadata.phone_number_id);
      if (!value || !number) {
        skipped++;
        continue;
      }
      for (const status of value.statuses ?? []) {
        const envelope = reportEnvelope(value.metadata.phone_number_id, status, prices);
        if (envelope) reports.push(envelope);
        else skipped++;
      }
      for (const message of value.messages ?? []) inbound.push({ number, message });
    }
  }
  if (reports.length > 0) await applyReports(reports);
  for (const { number, message } of inbound) {
    const at = Number(message.timestamp) * 1000;
    await store.whatsapp.recordSubscriberMessage(number.phoneNumberId, message.from, at);
    await store.messages.storeInbound(inboundMessage(number, message, at));
  }
  return { statuses: reports.length, inbound: inbound.length, skipped };
}

/** A status of a message the gateway sent (it carries our uuid as biz_opaque_callback_data), as a report; else null. */
function reportEnvelope(phoneNumberId: string, status: WebhookStatus, prices: WhatsAppPriceTable): ReportEnvelope | null {
  if (status.biz_opaque_callback_data === undefined) return null;
  const pricing = status.pricing;
  const price =
    pricing === undefined
      ? undefined
      : whatsappPrice(prices, pricingCategoryOf(pricing.category), countryOf(status.recipient_id ?? ''), { billable: pricing.billable, type: pricing.type });
  const errorCodes = (status.errors ?? []).map((e) => e.code);
  const report = reportOfStatus({ status: status.status, at: Number(status.timestamp) * 1000, errorCodes, ...(price === undefined ? {} : { price }) });
  if (!report) return null;
  const errors = (status.errors ?? []).map((e) => `${e.code} ${e.title ?? e.message ?? ''}`.trim()).join('; ');
  // By the wamid, not the uuid: a status that overtakes the record of its hand-off is kept until the hand-off is.
  return {
    carrierRef: { connector: CONNECTOR, keys: [carrierKey(phoneNumberId, status.id)] },
    source: CONNECTOR,
    report,
    detail: `WhatsApp status ${status.status}${errors ? ` (${errors})` : ''}, wamid ${status.id}`,
  };
}

function inboundMessage(number: WebhookNumber, message: WebhookInbound, at: number): InboundMessage {
  const text = message.type === 'text' && message.text ? message.text.body : `[${message.type}]`;
  return { channelType: 'WHATSAPP', from: message.from, to: number.senderName, text, at, accountName: number.inboundAccount, platformId: message.id };
}
