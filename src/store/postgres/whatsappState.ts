import { templateRows, toWhatsAppTemplate, type WhatsAppTemplateRow } from '../rows/whatsappTemplateRow.js';
import type { WhatsAppStateRepository } from '../whatsappState.js';
import type { Sql } from './connection.js';
import { pgPausedSenders } from './pausedSenders.js';

/** Rows per insert statement: far below PostgreSQL's 65535 parameters at 7 columns a row. */
const TEMPLATE_ROWS_PER_INSERT = 1000;

export function pgWhatsAppState(sql: Sql): WhatsAppStateRepository {
  return {
    ...pgPausedSenders(sql, 'WHATSAPP'),
    async replaceTemplates(wabaId, templates, now) {
      const rows = templateRows(wabaId, templates);
      // One transaction: a reader never sees the WABA half synced, with some of its templates gone.
      await sql.begin(async (tx) => {
        // The sync row first: it locks the WABA, so two nodes syncing it at once run one after the other instead of
        // meeting on the primary key of the rows both insert.
        await tx`
          insert into whatsapp_template_syncs (waba_id, synced_at) values (${wabaId}, ${now})
          on conflict (waba_id) do update set synced_at = excluded.synced_at`;
        await tx`delete from whatsapp_templates where waba_id = ${wabaId}`;
        for (let i = 0; i < rows.length; i += TEMPLATE_ROWS_PER_INSERT) {
          await tx`insert into whatsapp_templates ${tx(rows.slice(i, i + TEMPLATE_ROWS_PER_INSERT))}`;
        }
      });
    },
    async templates(wabaId) {
      const rows = await sql<WhatsAppTemplateRow[]>`select * from whatsapp_templates where waba_id = ${wabaId} order by name, language`;
      return rows.map(toWhatsAppTemplate);
    },
    async findTemplates(wabaId, nameOrId, language) {
      const rows = await sql<WhatsAppTemplateRow[]>`
        select * from whatsapp_templates
        where waba_id = ${wabaId} and language = ${language} and (name = ${nameOrId} or id = ${nameOrId}) order by name`;
      return rows.map(toWhatsAppTemplate);
    },
    async templatesSyncedAt(wabaId) {
      const [row] = await sql<{ synced_at: number }[]>`select synced_at from whatsapp_template_syncs where waba_id = ${wabaId}`;
      return row ? Number(row.synced_at) : null;
    },
    async recordSubscriberMessage(phoneNumberId, subscriber, at) {
      // greatest(): webhooks arrive out of order, and an older message must not shorten the window.
      await sql`
        insert into whatsapp_subscriber_messages (phone_number_id, subscriber, last_message_at) values (${phoneNumberId}, ${subscriber}, ${at})
        on conflict (phone_number_id, subscriber) do update
        set last_message_at = greatest(whatsapp_subscriber_messages.last_message_at, excluded.last_message_at)`;
    },
    async lastSubscriberMessage(phoneNumberId, subscriber) {
      const [row] = await sql<{ last_message_at: number }[]>`
        select last_message_at from whatsapp_subscriber_messages where phone_number_id = ${phoneNumberId} and subscriber = ${subscriber}`;
      return row ? Number(row.last_message_at) : null;
    },
  };
}
