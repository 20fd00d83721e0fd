/**
 * The SMS connector to one SMSC over SMPP 3.4 (issue 5; spec §6.3, §13). It never touches the store: `send` answers
 * with the parts' SMSC message ids (as lookup keys), and receipts and inbound messages go out as events.
 *
 * send(message):
 * - SMS only (another channel, or non-text content → refused 604). The sender must be writable as an SMPP
 *   source address (addresses.ts), else refused 457 "sender ID not registered": no SMSC can know such a sender.
 *   A destination that is not a number → refused 11 (error-address-format).
 * - The text is split by segmentSms (GSM-7 or UCS-2; UDH, SAR or message_payload), each part one submit_sm with
 *   registered_delivery 1 and the message's end of life as validity_period; all parts on one bind (round robin).
 * - `sent` once every part is accepted, with one carrierRefs entry per part (messageIdKeys of its message_id).
 * - A permanent submit error → `refused` with the §13 code of submitErrors.ts.
 * - Throttling, transient SMSC errors and lost connections are retried inside send for up to responseTimeoutMs,
 *   resubmitting only the parts not yet accepted; after that → `retry`. Accepted parts are remembered per message
 *   (uuid) until it is sent or refused, so a later send() of the same message does not submit them again.
 *   A part written but unanswered when its connection went may have been accepted: it is submitted again
 *   (at-least-once), and the detail says so.
 * Events: final delivery receipts → report (carrierRefKeys = the receipt ids' lookup keys, exact text first);
 * intermediate ones (ENROUTE, ACCEPTD) are answered and not reported. Other deliver_sm → inbound (MO), with
 * concatenated parts put back together (moReassembly.ts).
 */
import type { Clock } from '../../clock.js';
import type { CarrierEvent, Connector, ConnectorEvents, HandoffResult, InboundMessage, OutboundMessage } from '../connector.js';
import { destinationAddress, senderAddress, type SmppAddress } from '../../smpp/addresses.js';
import { isDeliveryReceipt, messageIdKeys, receiptOutcome } from '../../smpp/receipt.js';
import { ReceiptIdMatching } from './receiptIdMatching.js';
import { readMoText, readReceipt } from '../../smpp/inboundSms.js';
import { segmentSms, type SegmentedSms } from '../../smpp/segmentation.js';
import { validityPeriod } from '../../smpp/validityPeriod.js';
import { MoReassembly } from '../../smpp/moReassembly.js';
import type { DeliverSmFields } from '../../smpp/deliverSm.js';
import { ESME_ROK, ESME_RX_T_APPN } from '../../smpp/commandCodes.js';
import type { InboundPdu } from '../../smpp/pduDispatch.js';
import { SmppSession, type SessionMode, type SmppLogger } from '../../smpp/session.js';
import type { SubmitResult } from '../../smpp/submitWindow.js';
import { encodeSubmitSm } from '../../smpp/submitSm.js';
import type { SmscConfig } from './smppConfig.js';
import { describeStatus, SUBMIT_STATUS_RULES, submitErrorVerdict } from './submitErrors.js';

export interface SmppConnectorOptions {
  clock: Clock;
  logger?: SmppLogger;
  /** How long parts of a concatenated MO wait for the rest (default 5 minutes). */
  moReassemblyMs?: number;
}

export type SmppConnector = Connector & {
  readonly sessions: readonly SmppSession[];
  /** Resolves when `count` sessions that can submit are bound (tests, bench); rejects after timeoutMs. */
  whenBound(timeoutMs: number, count?: number): Promise<void>;
};

/** §13 codes for what is refused before any submit. */
export const REFUSED_BEFORE_SUBMIT = {
  notSms: 604,
  senderNotWritable: 457,
  destinationNotANumber: 11,
} as const;

/** A transient SMSC error: pause this long before submitting the part again. */
const TRANSIENT_PAUSE_MS = 200;
const THROTTLED_RETRY_AFTER_MS = 1_000;

/** What one message's parts have reached so far; kept across send() calls until sent or refused. */
interface Progress {
  reference: number;
  messageIds: (string | undefined)[];
  resubmittedAfterLoss: boolean;
  expiresAt: number;
}

export function createSmppConnector(config: SmscConfig, options: SmppConnectorOptions): SmppConnector {
  const name = `smpp:${config.name}`;
  const { clock, logger } = options;
  const sessions: SmppSession[] = [];
  const progress = new Map<string, Progress>();
  const receiptIds = new ReceiptIdMatching(config.receiptIds);
  const activeSends = new Set<Promise<HandoffResult>>();
  const bindWaiters = new Set<() => void>();
  const mo = new MoReassembly(options.moReassemblyMs ?? 5 * 60_000);
  let emit: ConnectorEvents | null = null;
  let stopping = false;
  let nextSession = 0;
  let nextReference = Math.floor(Math.random() * 256);
  let housekeeping: NodeJS.Timeout | undefined;

  const submitters = (): SmppSession[] => sessions.filter((session) => session.canSubmit);

  function pickSession(): SmppSession | undefined {
    const ready = submitters();
    if (ready.length === 0) return undefined;
    nextSession = (nextSession + 1) % ready.length;
    return ready[nextSession];
  }

  function waitForBind(deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        bindWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadline - performance.now()));
      bindWaiters.add(done);
    });
  }

  function onBound(): void {
    for (const wake of [...bindWaiters]) wake();
  }

  function newReference(): number {
    nextReference = (nextReference + 1) % 256;
    return nextReference;
  }

  // ---- send ----

  async function send(message: OutboundMessage): Promise<HandoffResult> {
    if (emit === null || stopping) return { kind: 'retry', afterMs: config.reconnectMinMs, detail: `${name}: not running` };
    if (message.channelType !== 'SMS' || typeof message.content !== 'string') {
      return { kind: 'refused', errorCode: REFUSED_BEFORE_SUBMIT.notSms, detail: `${name} carries SMS text only, not ${message.channelType}` };
    }
    let source: SmppAddress;
    let destination: SmppAddress;
    try {
      source = senderAddress(message.senderName);
    } catch (error) {
      return { kind: 'refused', errorCode: REFUSED_BEFORE_SUBMIT.senderNotWritable, detail: `${name}: sender ID not usable over SMPP: ${(error as Error).message}` };
    }
    try {
      destination = destinationAddress(message.destination);
    } catch (error) {
      return { kind: 'refused', errorCode: REFUSED_BEFORE_SUBMIT.destinationNotANumber, detail: `${name}: ${(error as Error).message}` };
    }
    if (submitters().length === 0) return { kind: 'retry', afterMs: config.reconnectMinMs, detail: `${name}: no bound SMPP session` };

    const state = progress.get(message.uuid) ?? { reference: newReference(), messageIds: [], resubmittedAfterLoss: false, expiresAt: message.expiresAt };
    let segmented: SegmentedSms;
    try {
      segmented = segmentSms(message.content, { reference: state.reference, mode: config.segmentation });
    } catch (error) {
      return { kind: 'refused', errorCode: REFUSED_BEFORE_SUBMIT.notSms, detail: `${name}: text cannot be sent as SMS: ${(error as Error).message}` };
    }
    progress.set(message.uuid, state);
    const pdus = segmented.parts.map((_, index) => submitPdu(segmented, index, source, destination, message.expiresAt));
    const result = submitParts(pdus, state, segmented);
    activeSends.add(result);
    try {
      const outcome = await result;
      if (outcome.kind !== 'retry') progress.delete(message.uuid);
      return outcome;
    } finally {
      activeSends.delete(result);
    }
  }

  async function submitParts(pdus: Buffer[], state: Progress, segmented: SegmentedSms): Promise<HandoffResult> {
    const deadline = performance.now() + config.responseTimeoutMs;
    let problem = '';
    let problemRank = -1;
    let retryAfterMs = config.reconnectMinMs;
    for (;;) {
      const missing = pdus.map((_, index) => index).filter((index) => state.messageIds[index] === undefined);
      if (missing.length === 0) return sentResult(state, segmented);
      if (performance.now() >= deadline) break;
      const session = pickSession();
      if (!session) {
        if (problemRank < 0) [problem, problemRank] = ['no bound SMPP session', 0];
        if (stopping) break;
        await waitForBind(deadline);
        continue;
      }
      const results = await Promise.all(missing.map((index) => session.submit(pdus[index]!, deadline)));
      const verdicts = results.map((result) => partVerdict(result));
      verdicts.forEach((verdict, i) => {
        if (verdict.kind === 'accepted') state.messageIds[missing[i]!] = verdict.messageId;
      });
      const refusal = verdicts.findIndex((verdict) => verdict.kind === 'refused');
      if (refusal >= 0) {
        const verdict = verdicts[refusal] as Extract<PartVerdict, { kind: 'refused' }>;
        const accepted = state.messageIds.filter((id) => id !== undefined).length;
        const already = accepted > 0 ? `; ${accepted} of ${pdus.length} parts were already accepted by the SMSC` : '';
        return { kind: 'refused', errorCode: verdict.errorCode, detail: `${name}: part ${missing[refusal]! + 1} refused: ${verdict.detail}${already}` };
      }
      let pause = 0;
      for (const [i, verdict] of verdicts.entries()) {
        if (verdict.kind !== 'again') continue;
        // The most telling reason wins: a possible duplicate, then throttling, then the rest.
        if (verdict.rank >= problemRank) [problem, problemRank] = [verdict.detail, verdict.rank];
        if (results[i]!.kind === 'lost') state.resubmittedAfterLoss = true;
        if (results[i]!.kind === 'throttled') retryAfterMs = THROTTLED_RETRY_AFTER_MS;
        pause = Math.max(pause, verdict.pauseMs);
      }
      if (pause > 0) await sleep(Math.min(pause, Math.max(0, deadline - performance.now())));
    }
    return { kind: 'retry', afterMs: retryAfterMs, detail: `${name}: ${problem}` };
  }

  type PartVerdict =
    | { kind: 'accepted'; messageId: string }
    | { kind: 'refused'; errorCode: number; detail: string }
    | { kind: 'again'; detail: string; pauseMs: number; rank: number };

  function partVerdict(result: SubmitResult): PartVerdict {
    switch (result.kind) {
      case 'accepted':
        return { kind: 'accepted', messageId: result.messageId };
      case 'rejected': {
        const verdict = submitErrorVerdict(result.status);
        if (verdict.action === 'refuse') return { kind: 'refused', errorCode: verdict.errorCode, detail: `submit_sm_resp ${describeStatus(result.status)}` };
        return { kind: 'again', detail: `submit_sm_resp ${describeStatus(result.status)}: will be submitted again`, pauseMs: TRANSIENT_PAUSE_MS, rank: 1 };
      }
      case 'throttled':
        return { kind: 'again', detail: `throttled by the SMSC (${describeStatus(result.status)}): will be submitted again`, pauseMs: 0, rank: 2 };
      case 'lost':
        return { kind: 'again', detail: `${result.reason}: will be submitted again (at-least-once: the SMSC may have accepted it)`, pauseMs: 0, rank: 3 };
      case 'unsent':
        return { kind: 'again', detail: `not submitted: ${result.reason}`, pauseMs: 0, rank: 0 };
    }
  }

  function sentResult(state: Progress, segmented: SegmentedSms): HandoffResult {
    const ids = state.messageIds as string[];
    const usable = ids.filter((id) => id.trim() !== '');
    for (const id of usable) receiptIds.answeredId(id);
    if (usable.length < ids.length) logger?.warn({ smsc: name, ids }, 'SMSC accepted a part without a message_id: its receipt cannot be matched');
    const coding = `data_coding 0x0${segmented.dataCoding.toString(16)}`;
    const parts = ids.length === 1 ? '1 submit_sm' : `${ids.length} submit_sm`;
    const again = state.resubmittedAfterLoss ? '; a part was submitted again after a lost connection (at-least-once: the SMSC may hold a duplicate)' : '';
    return {
      kind: 'sent',
      carrierRefs: usable.map((id) => messageIdKeys(id)),
      detail: `${name}: ${parts} accepted (${coding}), message_id ${ids.join(', ')}${again}`,
    };
  }

  function submitPdu(segmented: SegmentedSms, index: number, source: SmppAddress, destination: SmppAddress, expiresAt: number): Buffer {
    const part = segmented.parts[index]!;
    return encodeSubmitSm({
      source,
      destination,
      esmClass: part.esmClass,
      validityPeriod: validityOf(expiresAt),
      registeredDelivery: 1,
      dataCoding: segmented.dataCoding,
      shortMessage: part.shortMessage,
      ...(part.sarTlvs ? { sar: part.sarTlvs } : {}),
      ...(part.messagePayload ? { messagePayload: part.messagePayload } : {}),
    });
  }

  /** An end of life SMPP cannot write (before 2000 or after 2099) leaves the SMSC's default validity. */
  function validityOf(expiresAt: number): string {
    try {
      return validityPeriod(expiresAt);
    } catch {
      return '';
    }
  }

  // ---- deliver_sm ----

  function onDeliver({ fields }: InboundPdu): number {
    const events = emit;
    if (events === null) return ESME_RX_T_APPN; // stopped: the SMSC keeps it and delivers it again later
    if (isDeliveryReceipt(fields.esmClass)) onReceipt(fields, events);
    else onMo(fields, events);
    return ESME_ROK;
  }

  function onReceipt(fields: DeliverSmFields, events: ConnectorEvents): void {
    const { receipt, detail } = readReceipt(fields);
    if (!receipt) {
      logger?.warn({ smsc: name, receipt: detail }, 'delivery receipt names no message: answered, not reported');
      return;
    }
    const outcome = receiptOutcome(receipt);
    if (!outcome.final) return;
    const before = receiptIds.notation;
    const carrierRefKeys = receiptIds.keysOf(receipt.messageIds);
    if (before === null && receiptIds.notation !== null) logger?.info({ smsc: name, receiptIds: receiptIds.notation }, 'SMSC receipt ids: matched this way from now on');
    const event: CarrierEvent = { carrierRefKeys, kind: outcome.status, at: clock.now(), detail };
    if (outcome.status === 'undelivered') event.errorCode = outcome.errorCode;
    events.report(event);
  }

  function onMo(fields: DeliverSmFields, events: ConnectorEvents): void {
    const { sourceAddr, destinationAddr: to, text, concatenation } = readMoText(fields);
    const from = sourceAddr.replace(/^\+/, '');
    const assembled = concatenation ? mo.add({ from, to, ...concatenation, text }, performance.now()) : { from, to, text, complete: true };
    if (assembled) events.inbound(inbound(assembled));
  }

  function inbound(message: { from: string; to: string; text: string }): InboundMessage {
    return { channelType: 'SMS', from: message.from, to: message.to, text: message.text, at: clock.now(), accountName: config.inboundAccount };
  }

  function sweep(): void {
    const events = emit;
    if (events) for (const partial of mo.expire(performance.now())) events.inbound(inbound(partial));
    const now = clock.now();
    for (const [uuid, state] of progress) if (state.expiresAt < now) progress.delete(uuid);
  }

  // ---- life ----

  return {
    name,
    sessions,

    async start(events: ConnectorEvents) {
      emit = events;
      stopping = false;
      const modes: SessionMode[] = config.bindMode === 'transceiver' ? ['transceiver'] : ['transmitter', 'receiver'];
      for (let bind = 1; bind <= config.binds; bind++) {
        for (const mode of modes) {
          const session = new SmppSession({
            config,
            mode,
            label: `${name}#${bind}/${mode}`,
            statuses: SUBMIT_STATUS_RULES,
            onDeliver,
            onBound,
            ...(logger ? { logger } : {}),
          });
          sessions.push(session);
          session.start();
        }
      }
      housekeeping = setInterval(sweep, 1_000);
      housekeeping.unref();
    },

    send,

    async whenBound(timeoutMs: number, count = 1) {
      const deadline = performance.now() + timeoutMs;
      while (submitters().length < count) {
        if (performance.now() >= deadline) throw new Error(`${name}: ${submitters().length} of ${count} sessions bound after ${timeoutMs} ms`);
        await waitForBind(Math.min(deadline, performance.now() + 50));
      }
    },

    async stop() {
      stopping = true;
      await Promise.race([Promise.allSettled([...activeSends]), sleep(Math.min(config.responseTimeoutMs, 5_000))]);
      clearInterval(housekeeping);
      const events = emit;
      if (events) for (const partial of mo.flush()) events.inbound(inbound(partial));
      await Promise.all(sessions.map((session) => session.stop()));
      sessions.splice(0);
      for (const wake of [...bindWaiters]) wake();
      emit = null;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
