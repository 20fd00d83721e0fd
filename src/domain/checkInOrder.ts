/**
 * A request part checked against its TypeBox object schema the way the API answers (spec §3.4: 4220 `Invalid <what>`):
 * property by property in the schema's order, naming the first that fails; Ajv checks each property. (Ajv on the
 * whole object would name a missing later field before an invalid earlier one: it checks `required` first.)
 * No coercion, no defaults filled in, no field removed: what is not named in the schema is ignored (§2.1, §2.5).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { Static, TObject } from '@sinclair/typebox';
import { isUuid } from './messageUuid.js';
import { isStorableText } from './textRules.js';
import { parseTimestamp } from './timestamp.js';

/** Where a value sits, as Ajv tells a keyword. */
type DataValidationCxt = NonNullable<Parameters<ValidateFunction>[1]>;

/** `field` null: the part as a whole is wrong (a body that is not an object). */
export type Checked<T> = { ok: true; value: T } | { ok: false; field: string | null };

/** A query string as repeated values (spec §2.5): each key with its values in order. Only own keys count. */
export type QueryValues = Readonly<Record<string, readonly string[]>>;

export interface CheckOptions {
  /**
   * The part is QueryValues: a property whose schema is not an array takes the last value, an absent one its
   * `default` (then checked like a given value); every value must be storable text (§2.1).
   */
  repeated?: boolean;
}

// The formats our schemas name, by the domain's own tests: `format` documents them in OpenAPI as well.
const ajv = new Ajv({
  strict: false,
  formats: { uuid: isUuid, 'date-time': (text: string) => parseTimestamp(text) !== null },
});

interface ProductRule {
  property: string;
  max: number;
}

/** `'x-maxProductWith': { property, max }`: this number times an earlier property's is at most max (§8.1's window). */
ajv.addKeyword({
  keyword: 'x-maxProductWith',
  type: 'string',
  schemaType: 'object',
  errors: false,
  validate: (rule: ProductRule, value: string, _schema?: unknown, cxt?: DataValidationCxt) =>
    Number((cxt?.parentData as Record<string, unknown> | undefined)?.[rule.property]) * Number(value) <= rule.max,
});

interface Step {
  name: string;
  required: boolean;
  takesAll: boolean;
  default: unknown;
  validate: ValidateFunction;
}

export function compileInOrder<T extends TObject>(schema: T, options: CheckOptions = {}): (data: unknown) => Checked<Static<T>> {
  if (schema.type !== 'object' || typeof schema.properties !== 'object') throw new Error('a request part is checked against an object schema');
  const required = new Set(schema.required ?? []);
  const steps: Step[] = Object.entries(schema.properties).map(([name, property]) => ({
    name,
    required: required.has(name),
    takesAll: property.type === 'array',
    default: property.default,
    validate: ajv.compile(property),
  }));
  const check = options.repeated ? checkRepeated : checkObject;
  return (data) => check(steps, data) as Checked<Static<T>>;
}

function checkObject(steps: readonly Step[], data: unknown): Checked<unknown> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, field: null };
  const record = data as Record<string, unknown>;
  for (const step of steps) {
    const value = Object.hasOwn(record, step.name) ? record[step.name] : undefined;
    if (value === undefined) {
      if (step.required) return { ok: false, field: step.name };
      continue;
    }
    if (!step.validate(value, context(record, step.name))) return { ok: false, field: step.name };
  }
  return { ok: true, value: data };
}

function checkRepeated(steps: readonly Step[], data: unknown): Checked<unknown> {
  const values = (typeof data === 'object' && data !== null ? data : {}) as QueryValues;
  const query: Record<string, unknown> = {};
  for (const step of steps) {
    const given = Object.hasOwn(values, step.name) ? values[step.name]! : [];
    if (!given.every(isStorableText)) return { ok: false, field: step.name };
    const value = given.length === 0 ? step.default : step.takesAll ? given : given.at(-1);
    if (value === undefined) {
      if (step.required) return { ok: false, field: step.name };
      continue;
    }
    if (!step.validate(value, context(query, step.name))) return { ok: false, field: step.name };
    query[step.name] = value;
  }
  return { ok: true, value: query };
}

/** What Ajv passes a keyword about where the value sits: the properties checked so far are its parent's. */
function context(parent: Record<string, unknown>, name: string): DataValidationCxt {
  return { instancePath: `/${name}`, parentData: parent, parentDataProperty: name, rootData: parent, dynamicAnchors: {} };
}
