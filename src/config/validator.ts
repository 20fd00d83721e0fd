/**
 * The one Ajv setup every settings check uses: defaults filled in from the schema, every error reported,
 * and the schema node of each error kept (`verbose`) so that errors.ts can use its `errorMessage`.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';

/** Keywords of our own in the settings schemas: they document or word errors, they never validate. */
export const ANNOTATION_KEYWORDS = ['errorMessage', 'docType'] as const;

let ajv: Ajv | null = null;

function settingsAjv(): Ajv {
  if (ajv === null) {
    ajv = new Ajv({ useDefaults: true, allErrors: true, verbose: true, strict: true });
    for (const keyword of ANNOTATION_KEYWORDS) ajv.addKeyword({ keyword, schemaType: 'string' });
  }
  return ajv;
}

/** Compiled once per schema node (Ajv caches by the schema object). */
export function compileSettings(schema: TSchema): ValidateFunction {
  return settingsAjv().compile(schema);
}
