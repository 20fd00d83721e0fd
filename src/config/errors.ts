/**
 * Settings errors in the settings' own words: each problem names its key path (`http.port`, `smpp.smscs[0].name`,
 * or the env variable / flag it came from) and the bad value; one ConfigError lists them all.
 */
import type { ErrorObject } from 'ajv';

/** A setting that cannot be used; the message names the setting and the bad value, one line per problem. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** One thing wrong: `path` is where (dotted, as in the README), `text` the whole sentence. */
export interface Problem {
  path: string;
  text: string;
}

/** A problem at `path`: "<path> <must ...>; got <value>". */
export function problemAt(path: string, mustBe: string, value: unknown): Problem {
  return { path, text: `${path} ${mustBe}; got ${shown(value)}` };
}

/** `/smpp/smscs/0/name` → `smpp.smscs[0].name`, under `base` (e.g. `DGW_HTTP_PORT`, or a row's own path). */
export function dottedPath(pointer: string, base = ''): string {
  let path = base;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(segment) ? `[${segment}]` : path === '' ? segment : `.${segment}`;
  }
  return path;
}

/** True when one path is the other or lies inside it (`sip` and `sip.codecs[0]`). */
export function pathsOverlap(a: string, b: string): boolean {
  const inside = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return a === '' || b === '' || inside(a, b) || inside(b, a);
}

/**
 * Ajv's errors as problems. Errors at the same place are one problem: the outermost schema node with an
 * `errorMessage` words it (so that a union reads "must be one of ..." and not one line per branch).
 */
export function problemsFromAjv(errors: readonly ErrorObject[], base = ''): Problem[] {
  const problems: Problem[] = [];
  const atPlace = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const path = dottedPath(error.instancePath, base);
    if (error.keyword === 'additionalProperties') {
      problems.push(unknownKey(childPath(path, String(error.params['additionalProperty'])), error.parentSchema));
    } else if (error.keyword === 'required') {
      problems.push(missing(childPath(path, String(error.params['missingProperty'])), error.parentSchema));
    } else {
      atPlace.set(path, [...(atPlace.get(path) ?? []), error]);
    }
  }
  for (const [path, group] of atPlace) {
    const worded = group
      .filter((error) => typeof error.parentSchema?.['errorMessage'] === 'string')
      .sort((a, b) => a.schemaPath.length - b.schemaPath.length)[0];
    const mustBe = worded ? String(worded.parentSchema!['errorMessage']) : [...new Set(group.map(plainWords))].join(' and ');
    problems.push({ path, text: problemAt(path === '' ? '(top level)' : path, mustBe, group[0]!.data).text });
  }
  return problems;
}

/** The problems as one error; those from the config file say so first, as one line each. */
export function configErrorOf(fileProblems: readonly Problem[], otherProblems: readonly Problem[], file?: string): ConfigError {
  const inFile = (text: string) => (file === undefined ? text : `config file ${file}: ${text}`);
  const lines = [...fileProblems.map((p) => inFile(p.text)), ...otherProblems.map((p) => p.text)];
  return new ConfigError(lines.join('\n'));
}

function childPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

function unknownKey(path: string, objectSchema: ErrorObject['parentSchema']): Problem {
  const keys = Object.keys(objectSchema?.['properties'] ?? {});
  return { path, text: `unknown key "${path}" (keys: ${keys.join(', ')}; see README "Settings")` };
}

function missing(path: string, objectSchema: ErrorObject['parentSchema']): Problem {
  const key = path.slice(path.lastIndexOf('.') + 1);
  const mustBe = objectSchema?.['properties']?.[key]?.['errorMessage'] ?? 'is required';
  return { path, text: `${path} ${mustBe}; it is missing` };
}

/** Ajv's own wording, in the file's vocabulary where it differs (JSON object, list, true or false). */
function plainWords(error: ErrorObject): string {
  if (error.keyword === 'type') {
    const type = String(error.params['type']);
    if (type === 'object') return 'must be a JSON object';
    if (type === 'array') return 'must be a list';
    if (type === 'boolean') return 'must be true or false';
    return `must be ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
  }
  if (error.keyword === 'enum') return `must be one of ${(error.params['allowedValues'] as unknown[]).map(shown).join(', ')}`;
  if (error.keyword === 'const') return `must be ${shown(error.params['allowedValue'])}`;
  return error.message ?? `fails ${error.keyword}`;
}

function shown(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
