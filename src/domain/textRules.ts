/** Rules every text value of a request obeys, whatever its field (spec §2.1). */

/** A text value may not begin with a BOM; the validator words this pattern's failure itself. */
export const NO_BOM_PATTERN = '^(?!\\uFEFF)';

/**
 * Nor hold a NUL or a lone surrogate: PostgreSQL refuses NUL in text and a lone surrogate comes back as U+FFFD, so
 * neither could be stored and returned unchanged. Read with the `u` flag (Ajv compiles patterns so), under which a
 * surrogate pair is one code point outside the class: emoji pass.
 */
export const STORABLE_TEXT_PATTERN = '^[^\\u0000\\uD800-\\uDFFF]*$';

const storableText = new RegExp(STORABLE_TEXT_PATTERN, 'u');

/** For text read outside the item schemas: query values, the FLASHCALL conversion code, key ids. */
export function isStorableText(text: string): boolean {
  return storableText.test(text);
}
