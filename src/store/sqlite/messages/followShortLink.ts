import type Database from 'better-sqlite3';

/** Resolves a short link and counts the click (spec §5.11). */
export function sqliteFollowShortLink(db: Database.Database) {
  const follow = db.prepare<[string], { message_uuid: string; url: string }>(
    'update short_links set clicks = clicks + 1 where slug = ? returning message_uuid, url',
  );
  return (slug: string): { uuid: string; url: string } | null => {
    const row = follow.get(slug);
    return row ? { uuid: row.message_uuid, url: row.url } : null;
  };
}
