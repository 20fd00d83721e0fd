/**
 * The README's settings tables, rendered from the schema (config/schema.ts) and the env variables and flags
 * (config/sources.ts), so that they cannot drift; test/config/settingsTable.test.ts checks the README holds them.
 * `node dist/src/config/renderSettingsTable.js` prints them; with `--write` it rewrites them in README.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import { CONFIG_FILE_SCHEMA } from './schema.js';
import { ENV_VARIABLES, SETTING_FLAGS } from './sources.js';

export const REGENERATE = 'npm run build && node dist/src/config/renderSettingsTable.js --write';

interface GeneratedPart {
  start: string;
  end: string;
  render: () => string[];
}

/** The parts of the README that are generated, each between its two markers. */
export const GENERATED_PARTS: readonly GeneratedPart[] = [
  {
    start: `<!-- settings-table:start (generated from src/config/schema.ts: ${REGENERATE}) -->`,
    end: '<!-- settings-table:end -->',
    render: () => table(['Key', 'Type', 'Default', 'Env, flag', 'Meaning'], settingRows(CONFIG_FILE_SCHEMA, '')),
  },
  {
    start: `<!-- settings-env:start (generated from src/config/sources.ts: ${REGENERATE}) -->`,
    end: '<!-- settings-env:end -->',
    render: () =>
      table(
        ['Variable', 'Sets', 'Example'],
        ENV_VARIABLES.map(({ name, path, form, example }) => [code(name), form ? `${code(path)}: ${form}` : code(path), example]),
      ),
  },
];

/** A part as it stands in the README: its markers and the table between them. */
export function renderPart(part: GeneratedPart): string {
  return [part.start, ...part.render(), part.end].join('\n');
}

/** The README text with every generated part rendered afresh; throws if a part's markers are missing. */
export function withGeneratedParts(readme: string): string {
  return GENERATED_PARTS.reduce((text, part) => {
    const [before, after] = splitAround(text, part);
    return before + renderPart(part) + after;
  }, readme);
}

/** What the README holds now between a part's markers (markers included). */
export function currentPart(readme: string, part: GeneratedPart): string {
  const [before, after] = splitAround(readme, part);
  return readme.slice(before.length, readme.length - after.length);
}

function splitAround(text: string, part: GeneratedPart): [string, string] {
  const start = text.indexOf(part.start);
  const end = text.indexOf(part.end);
  if (start < 0 || end < start) throw new Error(`README.md has no "${part.start}" ... "${part.end}" markers`);
  return [text.slice(0, start), text.slice(end + part.end.length)];
}

/** One row per setting; a group's keys under its path, a list of objects' keys under `path[]`. */
function settingRows(object: TSchema, prefix: string): string[][] {
  return Object.entries(object['properties'] as Record<string, TSchema>).flatMap(([key, schema]) => {
    const path = `${prefix}${key}`;
    // A map (keys of the user's choosing, e.g. country codes) is one row; a group is a row per key.
    if (schema['type'] === 'object' && schema['properties'] !== undefined) return settingRows(schema, `${path}.`);
    const row = [code(path), typeLabel(schema), defaultOf(schema, object, key), sourcesOf(path), cell(String(schema['description'] ?? ''))];
    const items = schema['items'] as TSchema | undefined;
    return items?.['type'] === 'object' ? [row, ...settingRows(items, `${path}[].`)] : [row];
  });
}

function typeLabel(schema: TSchema): string {
  if (typeof schema['docType'] === 'string') return schema['docType'];
  const anyOf = schema['anyOf'] as TSchema[] | undefined;
  if (anyOf?.every((choice) => 'const' in choice)) return anyOf.map((choice) => code(JSON.stringify(choice['const']))).join(' ');
  // `null` last: "string or null".
  if (anyOf) return [...anyOf.filter((c) => c['type'] !== 'null'), ...anyOf.filter((c) => c['type'] === 'null')].map(typeLabel).join(' or ');
  if ('const' in schema) return code(JSON.stringify(schema['const']));
  switch (schema['type']) {
    case 'integer':
      return integerRange(schema);
    case 'string':
      return schema['maxLength'] === undefined ? 'string' : `string of ${schema['minLength'] ?? 0}–${schema['maxLength']}`;
    case 'object':
      return 'object';
    case 'array':
      return schema['items']['type'] === 'object' ? 'list of objects' : `list of ${typeLabel(schema['items'])}`;
    default:
      return String(schema['type']);
  }
}

function integerRange(schema: TSchema): string {
  const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
  if (maximum !== undefined && maximum < Number.MAX_SAFE_INTEGER) return `integer ${minimum ?? ''}–${maximum}`;
  return minimum === undefined ? 'integer' : `integer ≥ ${minimum}`;
}

function defaultOf(schema: TSchema, parent: TSchema, key: string): string {
  if ('default' in schema) return code(JSON.stringify(schema['default']));
  return (parent['required'] as string[] | undefined)?.includes(key) ? '(required)' : '';
}

function sourcesOf(path: string): string {
  const envs = ENV_VARIABLES.filter((env) => env.path === path).map((env) => code(env.name));
  const flags = SETTING_FLAGS.filter((flag) => flag.path === path).map((flag) => code(flag.flag));
  return [...envs, ...flags].join(', ');
}

function table(header: string[], rows: string[][]): string[] {
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
}

function code(text: string): string {
  return `\`${text}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

const README = new URL('../../../README.md', import.meta.url);

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--write')) {
    writeFileSync(README, withGeneratedParts(readFileSync(README, 'utf8')));
  } else {
    process.stdout.write(`${GENERATED_PARTS.map(renderPart).join('\n\n')}\n`);
  }
}
