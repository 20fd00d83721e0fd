/** Message ids (spec §5.3): UUIDs, written by the gateway in lowercase hex. */
const LOWERCASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ANY_CASE_UUID = new RegExp(LOWERCASE_UUID.source, 'i');

/**
 * A UUID as the gateway writes and stores it. SQLite compares ids as text, so only this form names a message; stores
 * test ids with it to skip a lookup that cannot match (PostgreSQL's uuid column would refuse the text).
 */
export function isLowercaseUuid(text: string): boolean {
  return LOWERCASE_UUID.test(text);
}

/** A UUID in any case, as a client may send it. */
export function isUuid(text: string): boolean {
  return ANY_CASE_UUID.test(text);
}
