/** The body of `POST /{phone-number-id}/messages` for a text or a template (Cloud API "Send messages"). */
export type OutgoingContent =
  | { type: 'text'; text: string }
  | { type: 'template'; name: string; language: string; parameters: readonly string[] };

const LINK = /\bhttps?:\/\/\S/i;

/**
 * `biz_opaque_callback_data` comes back in every status webhook of the message: the gateway puts its message uuid
 * there, so that a status names its message even when the wamid is not recorded yet.
 */
export function messageBody(to: string, content: OutgoingContent, callbackData: string): Record<string, unknown> {
  const base = { messaging_product: 'whatsapp', to: `+${to}` };
  if (content.type === 'text') {
    return { ...base, type: 'text', text: { body: content.text, preview_url: LINK.test(content.text) }, biz_opaque_callback_data: callbackData };
  }
  const template: Record<string, unknown> = { name: content.name, language: { policy: 'deterministic', code: content.language } };
  if (content.parameters.length > 0) {
    template.components = [{ type: 'body', parameters: content.parameters.map((text) => ({ type: 'text', text })) }];
  }
  return { ...base, type: 'template', template, biz_opaque_callback_data: callbackData };
}
