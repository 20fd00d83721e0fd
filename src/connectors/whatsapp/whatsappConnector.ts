/**
 * WHATSAPP over Meta's WhatsApp Business Cloud API (spec §6.4, §13; README "WHATSAPP over the Cloud API"). It never
 * writes messages: `send` answers with the wamid as the carrier ref, and the platform's statuses come back as
 * webhooks, which the HTTP door turns into reports (service/whatsappWebhook.ts). It reads, and keeps, the WhatsApp
 * state every node shares (templates, windows, pauses) through `WhatsAppStateView`.
 *
 * send(message), in this order, each refusal before any call (no money, no pair rate spent):
 * 1. the sender name needs a `whatsapp.senders` row, else `unsent` 614; a paused sender (circuit breaker) keeps
 *    its messages waiting;
 * 2. text needs an open 24-hour window (domain/whatsappWindow.ts), else `unsent` 610; a template must be in the
 *    registry, APPROVED, with as many body parameters (domain/whatsappTemplates.ts), else `unsent` 611;
 * 3. pacing (sendPacer.ts): per number and per subscriber;
 * 4. the call; its answer is read by domain/whatsappOutcomes.ts. `sent` carries the wamid and the price of the
 *    template's category (text: `service`) for the destination's country.
 */
import type { Clock } from '../../clock.js';
import { countryOf } from '../../domain/country.js';
import type { WhatsappTemplateContent, WhatsappTextContent } from '../../domain/message.js';
import { sendErrorOutcome } from '../../domain/whatsappOutcomes.js';
import { pricingCategoryOf, whatsappPrice, type PricingCategory } from '../../domain/whatsappPrices.js';
import { checkTemplate, type WhatsAppTemplate } from '../../domain/whatsappTemplates.js';
import { isWindowOpen } from '../../domain/whatsappWindow.js';
import { carrierKey, WHATSAPP_CONNECTOR } from '../../whatsapp/carrierKey.js';
import { sendMessage, type GraphAccess } from '../../whatsapp/graphClient.js';
import { messageBody, type OutgoingContent } from '../../whatsapp/messageBody.js';
import type { Connector, ConnectorEvents, HandoffResult, OutboundMessage } from '../connector.js';
import { SenderBreaker, type PauseState } from '../senderBreaker.js';
import { SendPacer } from './sendPacer.js';
import { syncTemplates, type TemplateRegistry } from './templateSync.js';
import type { WhatsAppConfig, WhatsAppSenderConfig } from './whatsappSettings.js';

/** What the connector reads and keeps of the shared WhatsApp state (the store's `whatsapp` repository). */
export interface WhatsAppStateView extends PauseState, TemplateRegistry {
  findTemplates(wabaId: string, nameOrId: string, language: string): Promise<WhatsAppTemplate[]>;
  templatesSyncedAt(wabaId: string): Promise<number | null>;
  lastSubscriberMessage(phoneNumberId: string, subscriber: string): Promise<number | null>;
}

export interface WhatsAppConnectorOptions {
  config: WhatsAppConfig;
  state: WhatsAppStateView;
  clock: Clock;
  logger?: { info(detail: object, message: string): void; warn(detail: object, message: string): void; error(detail: object, message: string): void };
}

/**
 * A wait for a pacing slot up to this is slept in send; a longer one sends the message back to the queue with its
 * slot reserved. Short: a sleeping send holds one of the engine's hand-offs, which every account's messages share.
 */
const MAX_PACING_WAIT_MS = 250;
/** After no answer, a 5xx or a transient error code. */
const RETRY_AFTER_MS = 5_000;
/** Templates not synced yet (the platform was unreachable at start): look again this soon. */
const NOT_SYNCED_RETRY_MS = 30_000;

export function graphAccess(config: WhatsAppConfig, sender: WhatsAppSenderConfig): GraphAccess {
  return { graphBase: config.graphBase.replace(/\/+$/, ''), version: sender.graphVersion ?? config.graphVersion, accessToken: sender.accessToken, timeoutMs: config.requestTimeoutMs };
}

export function createWhatsAppConnector(options: WhatsAppConnectorOptions): Connector {
  const { config, state, clock, logger } = options;
  const senders = new Map(config.senders.map((sender) => [sender.senderName, sender]));
  // Worked out once per number, not on every send.
  const accessOf = new Map(config.senders.map((sender) => [sender.senderName, graphAccess(config, sender)]));
  const pacer = new SendPacer(config.pairIntervalMs);
  const breaker = new SenderBreaker(state, config.pauseProbeMs);
  let syncTimer: NodeJS.Timeout | null = null;

  const wabas = () => [...new Map(config.senders.map((s) => [s.wabaId, s])).values()];
  /** Every WABA at once: an unreachable platform costs start-up one request timeout, not one per WABA. */
  async function syncAll() {
    await Promise.all(
      wabas().map(async (sender) => {
        try {
          const templates = await syncTemplates(accessOf.get(sender.senderName)!, sender.wabaId, state, () => clock.now());
          logger?.info({ wabaId: sender.wabaId, templates: templates.length }, 'WhatsApp templates synced');
        } catch (error) {
          logger?.warn({ wabaId: sender.wabaId, err: error }, 'WhatsApp templates could not be synced: the registry keeps what it had');
        }
      }),
    );
  }

  /** The content as the platform takes it, the price category, or a refusal / wait before any call. */
  async function prepare(
    sender: WhatsAppSenderConfig,
    message: OutboundMessage,
    now: number,
  ): Promise<{ content: OutgoingContent; category: PricingCategory } | HandoffResult> {
    const content = message.content as WhatsappTextContent | WhatsappTemplateContent;
    if (typeof content !== 'object' || content === null) return { kind: 'refused', errorCode: 611, detail: 'WHATSAPP content is neither text nor a template' };
    if (content.contentType === 'text') {
      const last = await state.lastSubscriberMessage(sender.phoneNumberId, message.destination);
      if (!isWindowOpen(last, now)) {
        const since = last === null ? 'has never written to this number' : `last wrote at ${new Date(last).toISOString()}`;
        return { kind: 'refused', errorCode: 610, detail: `no open 24-hour window: the subscriber ${since}; send a template` };
      }
      return { content: { type: 'text', text: content.text }, category: 'service' };
    }
    const found = await state.findTemplates(sender.wabaId, content.templateId, content.language);
    if (found.length === 0 && (await state.templatesSyncedAt(sender.wabaId)) === null) {
      return { kind: 'retry', afterMs: NOT_SYNCED_RETRY_MS, detail: `the templates of WABA ${sender.wabaId} are not synced yet` };
    }
    const check = checkTemplate(found, content.templateId, content.language, content.parameters.length);
    if (!check.ok) return { kind: 'refused', errorCode: 611, detail: check.reason };
    return {
      content: { type: 'template', name: check.template.name, language: content.language, parameters: content.parameters },
      category: pricingCategoryOf(check.template.category),
    };
  }

  async function send(message: OutboundMessage): Promise<HandoffResult> {
    const sender = senders.get(message.senderName);
    if (!sender) return { kind: 'refused', errorCode: 614, detail: `no whatsapp.senders row has senderName ${JSON.stringify(message.senderName)}` };
    const now = clock.now();
    const prepared = await prepare(sender, message, now);
    if ('kind' in prepared) return prepared;

    const gate = await breaker.decide(sender.senderName, now);
    if (!gate.send) return { kind: 'retry', afterMs: gate.retryAfterMs, detail: gate.reason };
    const slot = pacer.take(message.uuid, sender.phoneNumberId, sender.throughput, message.destination, now, MAX_PACING_WAIT_MS);
    if (!slot.taken) {
      if (gate.probe) await breaker.probeEnded(sender.senderName, false, now);
      return { kind: 'retry', afterMs: slot.waitMs, detail: 'paced: this number or this subscriber was sent to too recently' };
    }
    if (slot.waitMs > 0) await new Promise((resolve) => setTimeout(resolve, slot.waitMs));

    const answer = await sendMessage(accessOf.get(sender.senderName)!, sender.phoneNumberId, messageBody(message.destination, prepared.content, message.uuid));
    if (answer.ok) {
      pacer.delivered(sender.phoneNumberId, message.destination);
      if (gate.probe) {
        await breaker.probeEnded(sender.senderName, true, clock.now());
        logger?.warn({ senderName: sender.senderName }, 'WhatsApp sender resumed: a probe message went through');
      }
      const price = whatsappPrice(config.prices, prepared.category, countryOf(message.destination));
      return { kind: 'sent', carrierRefs: [[carrierKey(sender.phoneNumberId, answer.wamid)]], price, detail: `wamid ${answer.wamid}` };
    }
    const detail = `${answer.httpStatus === null ? 'no answer' : `HTTP ${answer.httpStatus}`}${answer.code === null ? '' : ` code ${answer.code}`}: ${answer.message}`;
    const outcome = sendErrorOutcome(answer.code, answer.httpStatus);
    if (gate.probe) await breaker.probeEnded(sender.senderName, outcome.kind !== 'retry' && !(outcome.kind === 'unsent' && outcome.pauseSender), clock.now());
    if (outcome.kind === 'retry') {
      const afterMs = outcome.pairLimit ? pacer.pairLimited(sender.phoneNumberId, message.destination, clock.now()) : RETRY_AFTER_MS;
      return { kind: 'retry', afterMs, detail };
    }
    if (outcome.kind === 'undelivered') return { kind: 'undelivered', errorCode: outcome.errorCode, detail };
    if (outcome.pauseSender) {
      await breaker.trip(sender.senderName, detail, clock.now());
      logger?.error(
        { senderName: sender.senderName, phoneNumberId: sender.phoneNumberId, code: answer.code },
        'WhatsApp sender PAUSED: the platform refused its credentials or account; its messages wait until `direct-gateway whatsapp senders resume` or a probe goes through',
      );
    }
    return { kind: 'refused', errorCode: outcome.errorCode, detail };
  }

  return {
    name: WHATSAPP_CONNECTOR,
    async start(_emit: ConnectorEvents) {
      await syncAll();
      syncTimer = setInterval(() => void syncAll(), config.templateSyncMs);
      syncTimer.unref();
    },
    send,
    async stop() {
      if (syncTimer) clearInterval(syncTimer);
      syncTimer = null;
    },
  };
}
