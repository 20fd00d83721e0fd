import type Database from 'better-sqlite3';

/** Gives claimed messages back to the queue, due at a later time; only the lease holder may. */
export function sqliteReschedule(db: Database.Database) {
  const release = db.prepare(
    `update messages set due_at = @dueAt, lease_owner = null, lease_until = null
     where uuid = @uuid and lease_owner = @owner and status = 'sending'`,
  );
  const note = db.prepare(`insert into message_events (message_uuid, at, kind, detail) values (?, ?, 'rescheduled', ?)`);
  return db.transaction((owner: string, items: { uuid: string; dueAt: number; note: string }[], now: number) => {
    for (const item of items) {
      if (release.run({ uuid: item.uuid, dueAt: item.dueAt, owner }).changes === 1) {
        note.run(item.uuid, now, JSON.stringify({ dueAt: new Date(item.dueAt).toISOString(), reason: item.note }));
      }
    }
  });
}
