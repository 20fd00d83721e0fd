/**
 * The kinds of value a setting can have, as TypeBox schemas that carry their own error wording
 * (`errorMessage`, read by errors.ts) and, where the README should say more than the JSON type, `docType`.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { formatUnits, parseAmount } from '../domain/money.js';

/** What every setting states: the README's text for it, and its default when it has one. */
export interface SettingDoc<T> {
  description: string;
  default?: T;
  docType?: string;
}

export function integer(doc: SettingDoc<number> & { minimum: number; maximum?: number; errorMessage?: string }) {
  const { maximum, errorMessage, ...rest } = doc;
  const range = maximum === undefined ? `>= ${doc.minimum}` : `from ${doc.minimum} to ${maximum}`;
  return Type.Integer({ ...rest, ...(maximum === undefined ? {} : { maximum }), errorMessage: errorMessage ?? `must be an integer ${range}` });
}

/** 0 asks the system for any free port (tests, benchmarks). */
export function port(doc: SettingDoc<number>) {
  return integer({ ...doc, minimum: 0, maximum: 65_535, errorMessage: 'must be a port number 0..65535' });
}

export function nonEmptyText(doc?: SettingDoc<string>) {
  return Type.String({ ...doc, pattern: '\\S', errorMessage: 'must be a non-empty string' });
}

export function trueOrFalse(doc: SettingDoc<boolean>) {
  return Type.Boolean({ ...doc, errorMessage: 'must be true or false' });
}

/** null, or a value of `schema` (null is the default). */
export function orNull<T extends TSchema>(schema: T, doc: SettingDoc<null>) {
  const wording = typeof schema['errorMessage'] === 'string' ? `must be null or ${String(schema['errorMessage']).replace(/^must be /, '')}` : 'must be null or a valid value';
  return Type.Union([Type.Null(), schema], { default: null, ...doc, errorMessage: wording });
}

/** One of a few strings; `quoted` shows them as JSON strings in errors, as most settings do. */
export function oneOf<const T extends readonly string[]>(values: T, doc: SettingDoc<T[number]>, quoted = true) {
  const listed = values.map((v) => (quoted ? JSON.stringify(v) : v)).join(', ');
  // Unsafe only types it: the schema stays the union of literals (TypeBox types a union built from a list as never).
  return Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v)), { ...doc, errorMessage: `must be one of ${listed}` }));
}

/** A group of settings: a JSON object with only these keys, each filled with its default when absent. */
export function section<T extends Parameters<typeof Type.Object>[0]>(properties: T, description: string) {
  return Type.Object(properties, { additionalProperties: false, default: {}, description });
}

export const AMOUNT_MESSAGE = 'must be a non-negative amount with at most 4 decimals, e.g. "2.50"';

/** An amount as the file writes it ("2.50" or 2.5), as units once loaded; money.ts's parseAmount is checked in checks.ts. */
export function amount(units: number | undefined, description: string) {
  const doc = { ...(units === undefined ? {} : { default: formatUnits(units) }), description, docType: 'amount ≥ 0', errorMessage: AMOUNT_MESSAGE };
  return Type.Transform(Type.Union([Type.String(), Type.Number()], doc))
    .Decode((value) => parseAmount(value) as number)
    .Encode((units) => formatUnits(units));
}
