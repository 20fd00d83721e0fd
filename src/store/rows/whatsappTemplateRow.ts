import type { WhatsAppTemplate } from '../../domain/whatsappTemplates.js';

/** A whatsapp_templates row, the same in SQLite and PostgreSQL. */
export interface WhatsAppTemplateRow {
  waba_id: string;
  name: string;
  language: string;
  id: string;
  status: string;
  category: string;
  body_parameters: number;
}

export function toWhatsAppTemplate(row: WhatsAppTemplateRow): WhatsAppTemplate {
  return {
    wabaId: row.waba_id,
    id: row.id,
    name: row.name,
    language: row.language,
    status: row.status,
    category: row.category,
    bodyParameters: row.body_parameters,
  };
}

/**
 * The rows one sync writes, one per name and language: the last wins when the list repeats one (a page of the
 * platform read twice), rather than the sync failing on the primary key. A template of another WABA in the list is
 * a caller's mistake, refused before anything is written.
 */
export function templateRows(wabaId: string, templates: readonly WhatsAppTemplate[]): WhatsAppTemplateRow[] {
  const rows = new Map<string, WhatsAppTemplateRow>();
  for (const t of templates) {
    if (t.wabaId !== wabaId) throw new RangeError(`template ${t.name} (${t.language}) is of WABA ${t.wabaId}, not ${wabaId}`);
    rows.set(`${t.name}\u0000${t.language}`, {
      waba_id: wabaId,
      name: t.name,
      language: t.language,
      id: t.id,
      status: t.status,
      category: t.category,
      body_parameters: t.bodyParameters,
    });
  }
  return [...rows.values()];
}
