/**
 * The sandbox's magic numbers page (issue #15 item 8), generated from the simulator's own table and functions
 * (magicNumbers.ts): per entry and channel, what the simulator does and a curl that sends such a message with the
 * sandbox's example key. Beside sandbox.ts, not in service/: the HTTP door and the services may not import
 * connectors/ (docs/architecture.md, Layers), and the table lives in the simulator's folder.
 */
import type { GatewayConfig } from './config.js';
import { CHANNELS, type Channel } from './domain/channels.js';
import type { MessageContent } from './domain/message.js';
import {
  DEFAULT_OUTCOME,
  MAGIC_NUMBERS,
  plannedEvents,
  simulatedOutcome,
  type PlannedEvent,
  type SimulatedOutcome,
  type SimulatorDelays,
} from './connectors/simulator/magicNumbers.js';
import { SANDBOX_SENDER, SANDBOX_TOKEN } from './sandbox.js';

/** Destinations are this prefix and the entry's 4 digits: a Russian mobile number (11 digits, §2.3). */
const EXAMPLE_PREFIX = '7999000';
/** No magic number starts with 5. */
const OTHER_DIGITS = '5555';
const EXAMPLE_LINK = 'https://example.com/offer';

export interface ChannelOutcome {
  /** What the simulator does with this destination on this channel (`read` dropped where there are no read reports). */
  outcome: SimulatedOutcome;
  /** The simulator's late events after hand-off, for the example message below. */
  events: PlannedEvent[];
  /** Whether this gateway's connector for the channel is the simulator; if not, the number is an ordinary one. */
  simulated: boolean;
  summary: string;
  /** The request item the curl sends. */
  item: Record<string, unknown>;
  curl: string;
}

export interface MagicNumberRow {
  digits: string;
  exampleDestination: string;
  description: string;
  channels: Record<Channel, ChannelOutcome>;
}

export interface MagicNumberTable {
  origin: string;
  authorization: string;
  delays: SimulatorDelays;
  connectors: Record<Channel, string>;
  numbers: MagicNumberRow[];
  /** Every destination not in `numbers`. */
  other: Omit<MagicNumberRow, 'digits'>;
}

export function magicNumberTable(config: GatewayConfig, origin: string): MagicNumberTable {
  const delays = config.simulator;
  const row = (digits: string, description: string, table: SimulatedOutcome): Omit<MagicNumberRow, 'digits'> => {
    const clickLink = table.kind === 'delivered' && table.then === 'click';
    const destination = EXAMPLE_PREFIX + digits;
    const channels = Object.fromEntries(
      CHANNELS.map((channel) => {
        const outcome = simulatedOutcome(destination, channel);
        const item = exampleItem(channel, destination, clickLink);
        const events = plannedEvents(outcome, item.content as MessageContent, delays);
        const simulated = config.channels[channel].connector === 'simulator';
        const summary = simulated ? describe(outcome, events, channel, table) : `not simulated here: ${channel} goes to the ${config.channels[channel].connector} connector`;
        return [channel, { outcome, events, simulated, summary, item, curl: curlFor(origin, item) }];
      }),
    ) as Record<Channel, ChannelOutcome>;
    return { exampleDestination: destination, description, channels };
  };
  return {
    origin,
    authorization: `Basic ${SANDBOX_TOKEN}`,
    delays: { deliveryDelayMs: delays.deliveryDelayMs, slowDelayMs: delays.slowDelayMs, readDelayMs: delays.readDelayMs },
    connectors: Object.fromEntries(CHANNELS.map((c) => [c, config.channels[c].connector])) as Record<Channel, string>,
    numbers: MAGIC_NUMBERS.map((entry) => ({
      digits: entry.digits,
      ...row(entry.digits, entry.description, entry.outcome),
    })),
    other: row(OTHER_DIGITS, 'Any other destination', DEFAULT_OUTCOME),
  };
}

/** A minimal valid item per channel, from the demo account's approved sender (sandbox.ts); a link where a click needs one. */
function exampleItem(channel: Channel, destination: string, withLink: boolean): Record<string, unknown> {
  const text = withLink ? `Your order has shipped: ${EXAMPLE_LINK}` : 'Your order has shipped';
  switch (channel) {
    case 'VOICECODE':
      return { channelType: channel, senderName: 'voicecode', destination, content: { contentType: 'text', text: 'Код авторизации от revicom: 3 4 5 6' } };
    case 'FLASHCALL':
      return { channelType: channel, senderName: 'flashcall', destination, content: '3456' };
    case 'WHATSAPP':
      return { channelType: channel, senderName: SANDBOX_SENDER, destination, content: { contentType: 'text', text } };
    case 'SMS':
    case 'VK':
      return { channelType: channel, senderName: SANDBOX_SENDER, destination, content: text };
  }
}

function curlFor(origin: string, item: Record<string, unknown>): string {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  return [
    `curl -X POST ${quote(`${origin}/api/v1/message`)}`,
    `-H 'Content-Type: application/json'`,
    `-H ${quote(`Authorization: Basic ${SANDBOX_TOKEN}`)}`,
    `-d ${quote(JSON.stringify([item]))}`,
  ].join(' ');
}

function describe(outcome: SimulatedOutcome, events: PlannedEvent[], channel: Channel, table: SimulatedOutcome): string {
  if (outcome.kind === 'refused') return `refused at hand-off: unsent, error ${outcome.errorCode}`;
  if (outcome.kind === 'neverFinal') return 'sent, then nothing: undelivered 127 at the end of its lifetime (ttl)';
  const steps = events.map((e) => `${e.kind}${e.errorCode === undefined ? '' : ` ${e.errorCode}`} after ${e.afterMs} ms`);
  let summary = `sent, then ${steps.join(', ')}`;
  const tableThen = table.kind === 'delivered' ? table.then : null;
  if (tableThen === 'read' && outcome.kind === 'delivered' && outcome.then !== 'read') summary += ` (no read: ${channel} has no read reports)`;
  if (tableThen === 'click' && !events.some((e) => e.kind === 'click')) summary += ` (no click: ${channel} content has no link)`;
  return summary;
}
