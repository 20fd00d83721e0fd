import { newMessageId } from '../../messageIds.js';
import type { TrafficType } from '../../../domain/channels.js';
import type { AcceptBatch, AcceptCandidate } from '../../store.js';
import { searchableText } from '../../rows/messageRow.js';

const jsonOrNull = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));
const boolOrNull = (value: boolean | null): number | null => (value === null ? null : value ? 1 : 0);

/** The insert's parameters; traffic type and reservation come from the business checks. */
export type MessageRowParams = ReturnType<typeof rowParams>;

/** A message submitted over SMPP has the uuid its door chose (its parts were answered with ids naming it). */
export function rowParams(
  batch: Pick<AcceptBatch, 'accountId' | 'trafficCenterId'>,
  { draft, countryCode, schedule, smpp }: AcceptCandidate,
  now: number,
) {
  return {
    uuid: smpp ? smpp.uuid : newMessageId(),
    accountId: batch.accountId,
    channelType: draft.channelType,
    senderName: draft.senderName,
    destination: draft.destination,
    content: JSON.stringify(draft.content),
    contentSearch: searchableText(draft.content),
    ttl: draft.ttl,
    tags: JSON.stringify(draft.tags),
    externalMessageId: draft.externalMessageId,
    callbackUrl: draft.callbackUrl,
    callbackEvents: jsonOrNull(draft.callbackEvents),
    useLocalTime: boolOrNull(draft.useLocalTime),
    localSendTime: draft.localSendTime,
    localCompletionTime: draft.localCompletionTime,
    hours: jsonOrNull(draft.hours),
    days: jsonOrNull(draft.days),
    shortUrl: boolOrNull(draft.shortUrl),
    totalParts: draft.totalParts,
    trafficType: null as TrafficType | null,
    trafficCenterId: batch.trafficCenterId,
    countryCode,
    reserved: 0,
    now,
    dueAt: Math.max(now, schedule.sendAfter ?? now) as number | null,
    expiresAt: schedule.expiresAt,
    sendAfter: schedule.sendAfter,
    completeBy: schedule.completeBy,
    timeZone: schedule.timeZone,
    // Born `sending`; a part of an incomplete concatenation is born `unsent` (smppDoor.ts failIncomplete).
    status: 'sending' as 'sending' | 'unsent',
    errorCode: null as number | null,
    sendingMethod: smpp ? 'SMPP' : 'API',
    smppUserId: smpp?.smppUserId ?? null,
    smppReceipts: smpp && smpp.receipts !== 'none' ? smpp.receipts : null,
  };
}
