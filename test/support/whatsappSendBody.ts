/**
 * Checks a `POST /{version}/{phone-number-id}/messages` body the way the Cloud API does, for the text and
 * template messages the stand-in supports. A failure is the Graph error body to answer; a success is the
 * message the stand-in accepts.
 *
 * Meta's rules kept here: messaging_product must be "whatsapp"; `to` is required; `type` defaults to "text";
 * recipient_type, when given, is "individual"; text.body is required and at most 4096 characters; preview_url is
 * a boolean; template.name and template.language.code are required, language.policy is "deterministic";
 * template body parameters are `{type:"text",text}` and their number must match the template's {{n}}
 * placeholders (132000); an unknown or unapproved template is 132001, a paused one 132015, a disabled one
 * 132016; biz_opaque_callback_data is at most 512 characters.
 */
import { invalidParameter, whatsappError, type GraphErrorBody } from './whatsappGraphErrors.js';

export interface StandInTemplate {
  id: string;
  name: string;
  /** e.g. `en_US` */
  language: string;
  /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED, … */
  status: string;
  /** AUTHENTICATION, MARKETING or UTILITY */
  category: string;
  /** The BODY component's text, with {{1}}, {{2}}… placeholders. */
  bodyText: string;
}

export interface AcceptedSend {
  to: string;
  /** `to` with everything but digits removed: the wa_id answered. */
  waId: string;
  type: 'text' | 'template';
  text?: { body: string; previewUrl?: boolean };
  template?: { name: string; languageCode: string; parameters: string[]; category: string };
  bizOpaqueCallbackData?: string;
}

export type SendCheck = { ok: true; send: AcceptedSend } | { ok: false; error: GraphErrorBody };

const TOP_LEVEL_KEYS = new Set(['messaging_product', 'recipient_type', 'to', 'type', 'text', 'template', 'context', 'biz_opaque_callback_data']);
const TEXT_MAX = 4096;
const OPAQUE_MAX = 512;

const fail = (error: GraphErrorBody): SendCheck => ({ ok: false, error });
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `body` is the parsed JSON (undefined when it did not parse); `templates` those of the sending number's WABA. */
export function checkSendBody(body: unknown, templates: readonly StandInTemplate[]): SendCheck {
  // Graph reads an unparsable body as no parameters at all.
  if (!isObject(body)) return fail(invalidParameter('The parameter messaging_product is required.'));
  for (const key of Object.keys(body)) {
    if (!TOP_LEVEL_KEYS.has(key)) return fail(invalidParameter(`Param ${key} is not a valid parameter.`));
  }
  if (body.messaging_product === undefined) return fail(invalidParameter('The parameter messaging_product is required.'));
  if (body.messaging_product !== 'whatsapp') {
    return fail(invalidParameter(`Param messaging_product must be one of {WHATSAPP} - got "${String(body.messaging_product)}".`));
  }
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual') {
    return fail(invalidParameter(`Param recipient_type must be one of {INDIVIDUAL} - got "${String(body.recipient_type)}".`));
  }
  if (body.to === undefined) return fail(invalidParameter('The parameter to is required.'));
  if (typeof body.to !== 'string') return fail(invalidParameter('Param to must be a string.'));
  const waId = body.to.replace(/\D/g, '');
  if (waId.length < 5 || waId.length > 15) return fail(whatsappError(131009, { details: `Invalid recipient "${body.to}".` }));
  const opaque = body.biz_opaque_callback_data;
  if (opaque !== undefined && typeof opaque !== 'string') return fail(invalidParameter('Param biz_opaque_callback_data must be a string.'));
  if (typeof opaque === 'string' && opaque.length > OPAQUE_MAX) {
    return fail(invalidParameter(`Param biz_opaque_callback_data must be at most ${OPAQUE_MAX} characters long.`));
  }
  const type = body.type ?? 'text';
  const base = { to: body.to, waId, ...(typeof opaque === 'string' ? { bizOpaqueCallbackData: opaque } : {}) };
  if (type === 'text') return checkText(body.text, base);
  if (type === 'template') return checkTemplate(body.template, templates, base);
  if (typeof type !== 'string') return fail(invalidParameter('Param type must be a string.'));
  return fail(whatsappError(131051, { details: `Message type ${type} is not supported by this stand-in.` }));
}

type Base = Pick<AcceptedSend, 'to' | 'waId' | 'bizOpaqueCallbackData'>;

function checkText(text: unknown, base: Base): SendCheck {
  if (text === undefined) return fail(invalidParameter('The parameter text is required.'));
  if (!isObject(text)) return fail(invalidParameter('Param text must be a JSON object.'));
  if (text.body === undefined) return fail(invalidParameter("The parameter text['body'] is required."));
  if (typeof text.body !== 'string') return fail(invalidParameter("Param text['body'] must be a string."));
  if (text.body.length === 0) return fail(whatsappError(131009, { details: "Param text['body'] must not be empty." }));
  if (text.body.length > TEXT_MAX) return fail(invalidParameter(`Param text['body'] must be at most ${TEXT_MAX} characters long.`));
  if (text.preview_url !== undefined && typeof text.preview_url !== 'boolean') {
    return fail(invalidParameter("Param text['preview_url'] must be a boolean."));
  }
  for (const key of Object.keys(text)) {
    if (key !== 'body' && key !== 'preview_url') return fail(invalidParameter(`Param text['${key}'] is not a valid parameter.`));
  }
  const previewUrl = text.preview_url as boolean | undefined;
  return { ok: true, send: { ...base, type: 'text', text: { body: text.body, ...(previewUrl !== undefined ? { previewUrl } : {}) } } };
}

function checkTemplate(template: unknown, templates: readonly StandInTemplate[], base: Base): SendCheck {
  if (template === undefined) return fail(invalidParameter('The parameter template is required.'));
  if (!isObject(template)) return fail(invalidParameter('Param template must be a JSON object.'));
  if (typeof template.name !== 'string' || template.name === '') return fail(invalidParameter("The parameter template['name'] is required."));
  const language = template.language;
  if (!isObject(language) || typeof language.code !== 'string' || language.code === '') {
    return fail(invalidParameter("The parameter template['language']['code'] is required."));
  }
  if (language.policy !== undefined && language.policy !== 'deterministic') {
    return fail(invalidParameter(`Param template['language']['policy'] must be one of {DETERMINISTIC} - got "${String(language.policy)}".`));
  }
  const parameters = readBodyParameters(template.components);
  if (!Array.isArray(parameters)) return fail(parameters);
  const found = templates.find((t) => t.name === template.name && t.language === language.code);
  if (!found) return fail(whatsappError(132001, { details: `template name (${template.name}) does not exist in ${language.code}` }));
  if (found.status === 'PAUSED') return fail(whatsappError(132015));
  if (found.status === 'DISABLED') return fail(whatsappError(132016));
  if (found.status !== 'APPROVED') return fail(whatsappError(132001, { details: `template name (${template.name}) is not approved in ${language.code}` }));
  const expected = placeholderCount(found.bodyText);
  if (parameters.length !== expected) {
    return fail(whatsappError(132000, { details: `body: number of localizable_params (${parameters.length}) does not match the expected number of params (${expected})` }));
  }
  return {
    ok: true,
    send: { ...base, type: 'template', template: { name: found.name, languageCode: found.language, parameters, category: found.category } },
  };
}

/** The body component's text parameters, or the error for a malformed `components`. */
function readBodyParameters(components: unknown): string[] | GraphErrorBody {
  if (components === undefined) return [];
  if (!Array.isArray(components)) return invalidParameter("Param template['components'] must be an array.");
  const texts: string[] = [];
  for (const [i, component] of components.entries()) {
    if (!isObject(component) || component.type !== 'body') {
      return invalidParameter(`Param template['components'][${i}]['type'] must be one of {BODY} in this stand-in.`);
    }
    const parameters = component.parameters ?? [];
    if (!Array.isArray(parameters)) return invalidParameter(`Param template['components'][${i}]['parameters'] must be an array.`);
    for (const [j, parameter] of parameters.entries()) {
      if (!isObject(parameter) || parameter.type !== 'text') {
        return invalidParameter(`Param template['components'][${i}]['parameters'][${j}]['type'] must be one of {TEXT} in this stand-in.`);
      }
      if (typeof parameter.text !== 'string' || parameter.text === '') {
        return invalidParameter(`The parameter template['components'][${i}]['parameters'][${j}]['text'] is required.`);
      }
      texts.push(parameter.text);
    }
  }
  return texts;
}

/** The number of distinct {{n}} placeholders of a template body. */
export function placeholderCount(bodyText: string): number {
  return new Set([...bodyText.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => m[1])).size;
}
