import { countryName } from './country.js';
import type { MessageRecord } from './message.js';
import { unitsToNumber } from './money.js';
import { redactCallbackUrl } from './callbackUrl.js';

let lastSecond = NaN;
let lastIso = '';

/** ISO 8601 UTC with second precision and `Z` (spec §2.2). The last second is kept: events come in runs of one second. */
export function isoSeconds(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastIso = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    lastSecond = second;
  }
  return lastIso;
}

/** The message object of the read API (spec §8.3): every field present, null when it does not apply. */
export function messageView(m: MessageRecord) {
  return {
    messageUuid: m.uuid,
    externalMessageId: m.externalMessageId,
    direction: m.direction,
    channelType: m.channelType,
    sendingMethog: m.sendingMethod,
    sendingMethod: m.sendingMethod,
    trafficType: m.trafficType,
    trafficCenterId: m.trafficCenterId,
    templateId: null,
    dispatchId: null,
    senderName: m.senderName,
    destination: m.destination,
    brand: null,
    country: countryName(m.countryCode),
    countryCode: m.countryCode,
    region: null,
    content: m.content,
    tags: m.tags,
    ttl: m.ttl,
    hours: m.hours,
    days: m.days,
    localSendTime: m.localSendTime,
    localCompletionTime: m.localCompletionTime,
    useLocalTime: m.useLocalTime,
    shortUrl: m.shortUrl,
    callbackUrl: m.callbackUrl === null ? null : redactCallbackUrl(m.callbackUrl),
    callbackEvents: m.callbackEvents,
    totalParts: m.totalParts,
    price:
      m.price === null
        ? null
        : {
            totalPrice: unitsToNumber(m.price.totalPrice),
            currency: m.price.currency,
            invoicedParts: m.price.invoicedParts,
            final: m.price.final,
          },
    createdTime: isoSeconds(m.createdAt),
    sentTime: m.sentAt === null ? null : isoSeconds(m.sentAt),
    statusTime: isoSeconds(m.statusAt),
    status: m.status,
    errorCode: m.errorCode,
    cascadeMessageUuid: null,
    cascadeStep: null,
  };
}

export type MessageView = ReturnType<typeof messageView>;
