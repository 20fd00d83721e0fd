import type { TObject } from '@sinclair/typebox';
import type { FastifySchemaCompiler } from 'fastify';
import { compileInOrder } from '../domain/checkInOrder.js';
import { schemaFailure, type RequestPart } from './validationError.js';

/**
 * Fastify's validator compiler: each route's params, query and body are checked against their TypeBox schema by
 * checkInOrder.ts (Ajv, property by property), a failure answered by schemaFailure. Not Fastify's own Ajv setup:
 * its coercion, defaults and removal of unknown fields would change what the API accepts (`per_page=1e2`), and
 * its first error follows Ajv's keyword order, not the spec's field order. Queries arrive as repeated values
 * (repeatedQuery.ts) and leave with one value per single parameter.
 */
export const validatorCompiler: FastifySchemaCompiler<TObject> = ({ schema, httpPart }) => {
  const part = (httpPart ?? 'body') as RequestPart;
  const check = compileInOrder(schema, { repeated: part === 'querystring' });
  return (data: unknown) => {
    const checked = check(data);
    return checked.ok ? { value: checked.value } : { error: schemaFailure(part, checked.field) };
  };
};

/** For a route whose schemas only document: POST /message is checked item by item in the domain (validateBatch.ts). */
export const documentOnly = () => (): boolean => true;
