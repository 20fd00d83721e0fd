import type Database from 'better-sqlite3';
import type { WhatsAppTemplate } from '../../domain/whatsappTemplates.js';
import { templateRows, toWhatsAppTemplate, type WhatsAppTemplateRow } from '../rows/whatsappTemplateRow.js';
import type { WhatsAppStateRepository } from '../whatsappState.js';
import { sqlitePausedSenders } from './pausedSenders.js';
import { writeTransaction } from './writeTransaction.js';

export function sqliteWhatsAppState(db: Database.Database): WhatsAppStateRepository {
  const deleteTemplates = db.prepare('delete from whatsapp_templates where waba_id = ?');
  const insertTemplate = db.prepare(`
    insert into whatsapp_templates (waba_id, name, language, id, status, category, body_parameters)
    values (@waba_id, @name, @language, @id, @status, @category, @body_parameters)`);
  const recordSync = db.prepare(`
    insert into whatsapp_template_syncs (waba_id, synced_at) values (?, ?)
    on conflict (waba_id) do update set synced_at = excluded.synced_at`);
  // One transaction: a reader never sees the WABA half synced, with some of its templates gone.
  const replace = writeTransaction(db, (wabaId: string, rows: WhatsAppTemplateRow[], now: number) => {
    deleteTemplates.run(wabaId);
    for (const row of rows) insertTemplate.run(row);
    recordSync.run(wabaId, now);
  });
  const templates = db.prepare<[string], WhatsAppTemplateRow>('select * from whatsapp_templates where waba_id = ? order by name, language');
  const find = db.prepare<[string, string, string, string], WhatsAppTemplateRow>(
    'select * from whatsapp_templates where waba_id = ? and language = ? and (name = ? or id = ?) order by name',
  );
  const syncedAt = db.prepare<[string], number>('select synced_at from whatsapp_template_syncs where waba_id = ?').pluck();

  // max(): webhooks arrive out of order, and an older message must not shorten the window.
  const upsertMessage = db.prepare(`
    insert into whatsapp_subscriber_messages (phone_number_id, subscriber, last_message_at) values (?, ?, ?)
    on conflict (phone_number_id, subscriber) do update set last_message_at = max(last_message_at, excluded.last_message_at)`);
  const recordMessage = writeTransaction(db, (phoneNumberId: string, subscriber: string, at: number) => {
    upsertMessage.run(phoneNumberId, subscriber, at);
  });
  const lastMessage = db
    .prepare<[string, string], number>('select last_message_at from whatsapp_subscriber_messages where phone_number_id = ? and subscriber = ?')
    .pluck();


  return {
    ...sqlitePausedSenders(db, 'WHATSAPP'),
    async replaceTemplates(wabaId: string, list: WhatsAppTemplate[], now: number) {
      replace(wabaId, templateRows(wabaId, list), now);
    },
    async templates(wabaId) {
      return templates.all(wabaId).map(toWhatsAppTemplate);
    },
    async findTemplates(wabaId, nameOrId, language) {
      return find.all(wabaId, language, nameOrId, nameOrId).map(toWhatsAppTemplate);
    },
    async templatesSyncedAt(wabaId) {
      return syncedAt.get(wabaId) ?? null;
    },
    async recordSubscriberMessage(phoneNumberId, subscriber, at) {
      recordMessage(phoneNumberId, subscriber, at);
    },
    async lastSubscriberMessage(phoneNumberId, subscriber) {
      return lastMessage.get(phoneNumberId, subscriber) ?? null;
    },
  };
}
