/**
 * The `messages` webhook bodies Meta sends, built for the WhatsApp stand-in (Meta: "Status messages webhook
 * reference", "Messages webhook reference").
 *
 * Envelope: `{"object":"whatsapp_business_account","entry":[{"id":<WABA id>,"changes":[{"value":{
 * "messaging_product":"whatsapp","metadata":{"display_phone_number","phone_number_id"}, statuses | contacts +
 * messages },"field":"messages"}]}]}`.
 *
 * A status: `{id, status, timestamp (unix seconds, a string), recipient_id, biz_opaque_callback_data?,
 * conversation?, pricing?, errors?}`. As Meta, `pricing` (and `conversation`) come with `sent` and with one of
 * `delivered` / `read`; the stand-in puts them on `sent` and `delivered` by default. Per-message pricing
 * (pricing_model "PMP"): a template is billable, type "regular", category its template category in lower case; a
 * text (only possible in a customer service window) is category "service", type "free_customer_service", not
 * billable. `conversation.expiration_timestamp` is only on `sent`, as in Meta's examples. v24.0+ drops
 * `conversation` except for free entry point conversations: `conversation: false` leaves it out.
 */
import { randomBytes } from 'node:crypto';
import { webhookError } from './whatsappGraphErrors.js';

export interface WhatsAppPhoneNumber {
  phoneNumberId: string;
  /** Digits, as Meta writes display_phone_number in webhooks, e.g. "15550783881". */
  displayPhoneNumber: string;
  wabaId: string;
}

export type StatusName = 'sent' | 'delivered' | 'read' | 'failed' | 'played';
export type PricingType = 'regular' | 'free_customer_service' | 'free_entry_point';

export interface WebhookStatus {
  id: string;
  status: StatusName | string;
  timestamp: string;
  recipient_id: string;
  biz_opaque_callback_data?: string;
  conversation?: { id: string; expiration_timestamp?: string; origin: { type: string } };
  pricing?: { billable: boolean; pricing_model: string; type?: PricingType | string; category: string };
  errors?: Array<ReturnType<typeof webhookError>>;
  [key: string]: unknown;
}

/** What a status is built from: the message as the stand-in accepted it. */
export interface StatusSource {
  wamid: string;
  waId: string;
  bizOpaqueCallbackData?: string;
  /** The template's category (AUTHENTICATION, MARKETING, UTILITY); undefined for a text. */
  templateCategory?: string;
  conversationId: string;
}

export interface StatusOptions {
  /** Default: now. Unix seconds. */
  timestamp?: number;
  /** Include `pricing` (default: for sent and delivered). */
  pricing?: boolean;
  /** Include `conversation` (default: same as pricing). */
  conversation?: boolean;
  /** Pricing type; default regular for templates, free_customer_service for texts. */
  pricingType?: PricingType;
  /** For `failed`: the error code (default 131026) and details. */
  errorCode?: number;
  errorDetails?: string;
  /** Merged last, to add, replace or (with undefined) remove fields. */
  overrides?: Partial<WebhookStatus>;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export function buildStatus(source: StatusSource, status: StatusName | string, options: StatusOptions = {}): WebhookStatus {
  const timestamp = options.timestamp ?? nowSeconds();
  const billed = status === 'sent' || status === 'delivered';
  const withPricing = options.pricing ?? billed;
  const withConversation = options.conversation ?? withPricing;
  const category = source.templateCategory ? source.templateCategory.toLowerCase() : 'service';
  const pricingType = options.pricingType ?? (source.templateCategory ? 'regular' : 'free_customer_service');
  const built: WebhookStatus = {
    id: source.wamid,
    status,
    timestamp: String(timestamp),
    recipient_id: source.waId,
    ...(source.bizOpaqueCallbackData !== undefined ? { biz_opaque_callback_data: source.bizOpaqueCallbackData } : {}),
    ...(withConversation
      ? {
          conversation: {
            id: source.conversationId,
            ...(status === 'sent' ? { expiration_timestamp: String(timestamp + 24 * 3600) } : {}),
            origin: { type: category },
          },
        }
      : {}),
    ...(withPricing ? { pricing: { billable: pricingType === 'regular', pricing_model: 'PMP', type: pricingType, category } } : {}),
    ...(status === 'failed' ? { errors: [webhookError(options.errorCode ?? 131026, options.errorDetails)] } : {}),
  };
  return dropUndefined({ ...built, ...options.overrides });
}

function dropUndefined(status: WebhookStatus): WebhookStatus {
  for (const key of Object.keys(status)) if (status[key] === undefined) delete status[key];
  return status;
}

/** The envelope around one change `value` (statuses, or contacts + messages). */
export function webhookEnvelope(phone: WhatsAppPhoneNumber, value: Record<string, unknown>): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: phone.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: phone.displayPhoneNumber, phone_number_id: phone.phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

export interface InboundOptions {
  /** The sender's WhatsApp profile name. Default "Test User". */
  name?: string;
  /** Default: a fresh wamid. */
  id?: string;
  /** Unix seconds; default now. */
  timestamp?: number;
}

/** A text message from a WhatsApp user: `contacts:[{profile:{name},wa_id}]`, `messages:[{from,id,timestamp,type,text}]`. */
export function inboundTextValue(fromDigits: string, text: string, options: InboundOptions = {}): { value: Record<string, unknown>; id: string } {
  const id = options.id ?? newWamid(fromDigits);
  return {
    id,
    value: {
      contacts: [{ profile: { name: options.name ?? 'Test User' }, wa_id: fromDigits }],
      messages: [{ from: fromDigits, id, timestamp: String(options.timestamp ?? nowSeconds()), type: 'text', text: { body: text } }],
    },
  };
}

let wamidSequence = 0;

/** A unique wamid, base64 like Meta's (so it may hold '+', '/' and '=' padding). */
export function newWamid(waId: string): string {
  const payload = Buffer.concat([Buffer.from(`HBgL${waId}FQIAERgS`), randomBytes(9), Buffer.from([++wamidSequence & 0xff, 0])]);
  return 'wamid.' + payload.toString('base64');
}

export function newConversationId(): string {
  return randomBytes(16).toString('hex');
}
