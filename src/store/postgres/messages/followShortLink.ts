import type { Sql } from '../connection.js';

/** Resolves a short link and counts the click (spec §5.11); the increment is relative, so no click is lost. */
export function pgFollowShortLink(sql: Sql) {
  return async (slug: string): Promise<{ uuid: string; url: string } | null> => {
    const [row] = await sql<{ message_uuid: string; url: string }[]>`
      update short_links set clicks = clicks + 1 where slug = ${slug} returning message_uuid, url`;
    return row ? { uuid: row.message_uuid, url: row.url } : null;
  };
}
