/** A message template of a WhatsApp Business Account, as the registry keeps it (synced from the platform). */
export interface WhatsAppTemplate {
  wabaId: string;
  /** The platform's numeric id of the template. */
  id: string;
  name: string;
  /** e.g. `en_US`. */
  language: string;
  /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED…: only APPROVED may be sent. */
  status: string;
  /** AUTHENTICATION, MARKETING or UTILITY: what the platform charges for it. */
  category: string;
  /** How many `{{n}}` placeholders its body has. */
  bodyParameters: number;
}

export type TemplateCheck = { ok: true; template: WhatsAppTemplate } | { ok: false; reason: string };

/**
 * Whether a template message may be sent (spec §6.4, code 611): a template of the sender's WABA whose name, or
 * platform id, and language match, APPROVED, with as many body parameters as the message gives.
 * `found` are the registry's templates with that name or id and language.
 */
export function checkTemplate(found: readonly WhatsAppTemplate[], templateId: string, language: string, parameters: number): TemplateCheck {
  const template = found.find((t) => t.name === templateId) ?? found.find((t) => t.id === templateId);
  if (!template) return { ok: false, reason: `no template ${JSON.stringify(templateId)} in ${language} for this sender` };
  if (template.status !== 'APPROVED') return { ok: false, reason: `template ${template.name} (${language}) is ${template.status}, not APPROVED` };
  if (template.bodyParameters !== parameters) {
    return { ok: false, reason: `template ${template.name} (${language}) takes ${template.bodyParameters} body parameters, the message gives ${parameters}` };
  }
  return { ok: true, template };
}

/** The number of distinct `{{n}}` placeholders of a template body text. */
export function countBodyParameters(text: string): number {
  return new Set([...text.matchAll(/\{\{\s*([0-9]+)\s*\}\}/g)].map((m) => m[1])).size;
}
