/**
 * The config file's JSON Schema for editors and other tools (`direct-gateway config schema`): draft-07,
 * with titles, descriptions and defaults, without our own keywords, and with only the truly required keys
 * required (a key with a default may be left out).
 */
import { CONFIG_FILE_SCHEMA } from './schema.js';
import { ANNOTATION_KEYWORDS } from './validator.js';

export function editorSchema(): Record<string, unknown> {
  // Through JSON: TypeBox's symbol keys drop out.
  const plain = JSON.parse(JSON.stringify(CONFIG_FILE_SCHEMA)) as Record<string, unknown>;
  const { title, description, ...rest } = forEditors(plain) as Record<string, unknown>;
  return { $schema: 'http://json-schema.org/draft-07/schema#', title, description, ...rest };
}

function forEditors(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forEditors);
  if (typeof node !== 'object' || node === null) return node;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if ((ANNOTATION_KEYWORDS as readonly string[]).includes(key)) continue;
    // `default` holds data, not schemas: copied as it is.
    result[key] = key === 'default' ? value : forEditors(value);
  }
  const properties = result['properties'] as Record<string, Record<string, unknown>> | undefined;
  if (Array.isArray(result['required']) && properties) {
    const required = (result['required'] as string[]).filter((key) => !('default' in (properties[key] ?? {})));
    if (required.length > 0) result['required'] = required;
    else delete result['required'];
  }
  return result;
}
