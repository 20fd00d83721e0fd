import type { Static, TObject } from '@sinclair/typebox';
import type { Problem } from './errors.js';

/** Whether the setting at a dotted path passed the schema: a check reads only settings that did. */
export type IsValid = (path: string) => boolean;

/** A rule JSON Schema cannot state (one key against another, a lookup), run after Ajv on what passed. */
export type SettingsCheck<T> = (settings: T, isValid: IsValid) => Problem[];

/** One top-level key of the settings, e.g. a connector's: its schema and the checks that go with it. */
export interface SettingsSection<S extends TObject> {
  schema: S;
  checks: SettingsCheck<Static<S>>[];
}
