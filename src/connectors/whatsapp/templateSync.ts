import { countBodyParameters, type WhatsAppTemplate } from '../../domain/whatsappTemplates.js';
import { listTemplates, type GraphAccess } from '../../whatsapp/graphClient.js';

export interface TemplateRegistry {
  replaceTemplates(wabaId: string, templates: WhatsAppTemplate[], now: number): Promise<void>;
}

/**
 * One sync of a WABA's template registry from `GET /{waba}/message_templates` (every page): what the platform
 * lists becomes the registry, with the number of `{{n}}` placeholders of each body. Run at start, on a timer and by
 * `direct-gateway whatsapp templates sync`; on any node (a sync replaces, so two at once agree).
 */
export async function syncTemplates(access: GraphAccess, wabaId: string, registry: TemplateRegistry, now: () => number): Promise<WhatsAppTemplate[]> {
  const listed = await listTemplates(access, wabaId);
  const templates = listed.map((t) => {
    const body = t.components?.find((c) => c.type.toUpperCase() === 'BODY');
    return {
      wabaId,
      id: t.id,
      name: t.name,
      language: t.language,
      status: t.status.toUpperCase(),
      category: (t.category ?? '').toUpperCase(),
      bodyParameters: countBodyParameters(body?.text ?? ''),
    };
  });
  await registry.replaceTemplates(wabaId, templates, now());
  return templates;
}
