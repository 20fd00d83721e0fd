import { linksIn } from '../../domain/shortLinks.js';
import type { Channel } from '../../domain/channels.js';
import type { MessageContent } from '../../domain/message.js';
import type { CarrierEventKind } from '../connector.js';

/**
 * The simulator's outcomes, chosen by the last 4 digits of the destination ("magic numbers"), so that
 * integrators can drive every branch of their code. Pure: the same destination and channel always give
 * the same outcome, which is what lets `resume` re-arm timers after a restart without any stored state.
 */

/** §13 codes a carrier reports after hand-off. 127 is not here: it is the engine's expiry code (use 2000). */
export const UNDELIVERED_CODES: readonly number[] = [
  11, 453, 454, 455, 456, 457, 458, 501, 502, 503, 504, 505, 506, 508, 509, 510, 601, 602, 603, 604, 612, 613, 615,
];

/** Codes a carrier may answer at hand-off: every undelivered code, plus the messengers' hand-off checks (§6.4, §13). */
export const REFUSED_CODES: readonly number[] = [...UNDELIVERED_CODES, 610, 611, 614].sort((a, b) => a - b);

/** Short meanings of the §13 codes above, for the documentation table and the timeline. */
export const ERROR_CODE_MEANINGS: Readonly<Record<number, string>> = {
  11: 'Wrong number, or it does not exist',
  453: 'Recipient on a block list',
  454: 'Sender ID on a block list',
  455: 'Sending in this direction is restricted',
  456: 'Subscriber number does not exist',
  457: 'Sender ID not registered',
  458: 'Traffic blocked on the platform',
  501: 'Unknown subscriber',
  502: 'SMSC failure',
  503: 'Region not supported',
  504: 'Subscriber absent',
  505: 'Call barred',
  506: 'Illegal subscriber',
  508: 'Teleservice not provisioned',
  509: 'Roaming restrictions',
  510: 'A2P messages blocked',
  601: 'Busy',
  602: 'No answer',
  603: 'Call rejected by the callee',
  604: 'Call failed, or no route',
  610: 'No open 24-hour window',
  611: 'Template not approved',
  612: 'No account on the platform',
  613: 'Refused for this subscriber (a per-subscriber limit, or the sender is blocked)',
  614: 'The sender cannot send on the platform',
  615: 'The platform does not deliver to this region',
};

export type SimulatedOutcome =
  /** Refused at hand-off: `unsent` with this code. */
  | { kind: 'refused'; errorCode: number }
  /** Handed off, then `undelivered` with this code after the delivery delay. */
  | { kind: 'undelivered'; errorCode: number }
  /** Handed off, then nothing: the engine makes it `undelivered` 127 at the end of its lifetime. */
  | { kind: 'neverFinal' }
  /** Handed off, then `delivered`; `then` comes after a further read delay. */
  | { kind: 'delivered'; speed: 'normal' | 'slow'; then: 'read' | 'click' | null };

export interface MagicNumber {
  /** The last 4 digits of the destination. */
  digits: string;
  /** As on WHATSAPP and VK; `simulatedOutcome` drops `read` on the channels that have no read reports. */
  outcome: SimulatedOutcome;
  description: string;
}

const threeDigits = (code: number) => String(code).padStart(3, '0');

/** The whole table, in order: the single source for the behaviour, the docs and the tests. */
export const MAGIC_NUMBERS: readonly MagicNumber[] = [
  ...UNDELIVERED_CODES.map((code) => ({
    digits: `0${threeDigits(code)}`,
    outcome: { kind: 'undelivered', errorCode: code } as const,
    description: ERROR_CODE_MEANINGS[code] ?? '',
  })),
  ...REFUSED_CODES.map((code) => ({
    digits: `1${threeDigits(code)}`,
    outcome: { kind: 'refused', errorCode: code } as const,
    description: ERROR_CODE_MEANINGS[code] ?? '',
  })),
  { digits: '2000', outcome: { kind: 'neverFinal' }, description: 'Never final' },
  { digits: '2001', outcome: { kind: 'delivered', speed: 'normal', then: 'read' }, description: 'Read' },
  { digits: '2002', outcome: { kind: 'delivered', speed: 'normal', then: null }, description: 'Never read' },
  { digits: '2003', outcome: { kind: 'delivered', speed: 'normal', then: 'click' }, description: 'Click' },
  { digits: '2004', outcome: { kind: 'delivered', speed: 'slow', then: null }, description: 'Slow' },
];

/** What every other destination gets. */
export const DEFAULT_OUTCOME: SimulatedOutcome = { kind: 'delivered', speed: 'normal', then: null };

/** Channels whose platform reports reads (§7). */
const READ_CHANNELS: readonly Channel[] = ['WHATSAPP', 'VK'];

const byDigits = new Map(MAGIC_NUMBERS.map((entry) => [entry.digits, entry]));

export function magicNumberOf(destination: string): MagicNumber | undefined {
  return byDigits.get(destination.slice(-4));
}

export function simulatedOutcome(destination: string, channel: Channel): SimulatedOutcome {
  const outcome = magicNumberOf(destination)?.outcome ?? DEFAULT_OUTCOME;
  if (outcome.kind === 'delivered' && outcome.then === 'read' && !READ_CHANNELS.includes(channel)) {
    return { ...outcome, then: null };
  }
  return outcome;
}

/** The first http(s) link of a text content; template and voice parameters are not links (§5.11). */
export function firstLink(content: MessageContent): string | null {
  const text = typeof content === 'string' ? content : content.contentType === 'text' ? content.text : null;
  return text === null ? null : (linksIn(text)[0]?.url ?? null);
}

export interface SimulatorDelays {
  deliveryDelayMs: number;
  slowDelayMs: number;
  readDelayMs: number;
}

/** A late event, `afterMs` from hand-off; the list is in time order. */
export interface PlannedEvent {
  afterMs: number;
  kind: CarrierEventKind;
  errorCode?: number;
  url?: string;
}

export function plannedEvents(outcome: SimulatedOutcome, content: MessageContent, delays: SimulatorDelays): PlannedEvent[] {
  switch (outcome.kind) {
    case 'refused':
    case 'neverFinal':
      return [];
    case 'undelivered':
      return [{ afterMs: delays.deliveryDelayMs, kind: 'undelivered', errorCode: outcome.errorCode }];
    case 'delivered': {
      const deliveredAfter = outcome.speed === 'slow' ? delays.slowDelayMs : delays.deliveryDelayMs;
      const events: PlannedEvent[] = [{ afterMs: deliveredAfter, kind: 'delivered' }];
      const laterAfter = deliveredAfter + delays.readDelayMs;
      if (outcome.then === 'read') events.push({ afterMs: laterAfter, kind: 'read' });
      const url = outcome.then === 'click' ? firstLink(content) : null;
      if (url !== null) events.push({ afterMs: laterAfter, kind: 'click', url });
      return events;
    }
  }
}
