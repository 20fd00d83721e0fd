import type { WhatsAppTemplate } from '../domain/whatsappTemplates.js';

import type { PausedSenderRepository } from './pausedSenders.js';

export type { PausedSender } from './pausedSenders.js';

/**
 * What the gateway keeps of WhatsApp beside the messages, shared by every node: the template registry synced
 * from each WABA, the last message each subscriber sent to each of our numbers (the 24-hour window), and the
 * senders the circuit breaker paused. The rules on top of it (how long a window lasts, which template passes)
 * are the domain's (domain/whatsappTemplates.ts, domain/whatsappWindow.ts).
 */
export interface WhatsAppStateRepository extends PausedSenderRepository {
  /** One sync: the WABA's templates become exactly these (others of the WABA are removed). */
  replaceTemplates(wabaId: string, templates: WhatsAppTemplate[], now: number): Promise<void>;
  /** The WABA's templates, by name then language. */
  templates(wabaId: string): Promise<WhatsAppTemplate[]>;
  /** The templates of the WABA whose name or platform id is `nameOrId`, in that language (at most one of each). */
  findTemplates(wabaId: string, nameOrId: string, language: string): Promise<WhatsAppTemplate[]>;
  /** When the templates of the WABA were last synced, or null if never. */
  templatesSyncedAt(wabaId: string): Promise<number | null>;

  /** A subscriber wrote to our number at `at`; an older message never moves the time back. */
  recordSubscriberMessage(phoneNumberId: string, subscriber: string, at: number): Promise<void>;
  /** When the subscriber last wrote to our number, or null. */
  lastSubscriberMessage(phoneNumberId: string, subscriber: string): Promise<number | null>;
}
