/**
 * Loading the settings: defaults < config file < environment < flags. The file is checked whole by the schema,
 * each env value and flag by its setting's part of it, then the named checks run; every problem found is
 * reported in one ConfigError.
 */
import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import type { ValidateFunction } from 'ajv';
import { runChecks, type FileSettings } from './checks.js';
import { configErrorOf, pathsOverlap, problemAt, problemsFromAjv, ConfigError, type Problem } from './errors.js';
import { CONFIG_FILE_SCHEMA, GATEWAY_CONFIG_SCHEMA, type GatewayConfig } from './schema.js';
import { ENV_VARIABLES, SETTING_FLAGS, type ConfigOptions } from './sources.js';
import { compileSettings } from './validator.js';

/** Every setting at its default. */
export function defaultConfig(): GatewayConfig {
  return loadConfig({}, {});
}

export function loadConfig(options: ConfigOptions, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const { settings, problems: fileProblems } = options.configFile === undefined ? validated({}) : validated(readConfigFile(options.configFile));
  const otherProblems = [...applyEnv(settings, env), ...applyFlags(settings, options)];
  const isValid = (path: string) => !fileProblems.some((problem) => pathsOverlap(problem.path, path));
  fileProblems.push(...runChecks(settings as FileSettings, isValid));
  if (fileProblems.length > 0 || otherProblems.length > 0) throw configErrorOf(fileProblems, otherProblems, options.configFile);
  return Value.Parse(['Decode'], GATEWAY_CONFIG_SCHEMA, settings) as GatewayConfig;
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The file's settings with defaults filled in; a file that is not an object counts as empty after its problem. */
function validated(file: unknown): { settings: Record<string, unknown>; problems: Problem[] } {
  const validate = compileSettings(CONFIG_FILE_SCHEMA);
  const problems = validate(file) ? [] : problemsFromAjv(validate.errors ?? []);
  if (isObject(file)) return { settings: file, problems };
  return { settings: validated({}).settings, problems };
}

/** Empty variables count as unset, so `DGW_HTTP_PORT=` does not fail. */
function applyEnv(settings: Record<string, unknown>, env: NodeJS.ProcessEnv): Problem[] {
  return ENV_VARIABLES.flatMap(({ name, path, read, errorMessage }) => {
    const text = env[name];
    if (text === undefined || text === '') return [];
    const problems = setChecked(settings, path, read ? read(text) : text, name);
    return problems.length > 0 && errorMessage ? [problemAt(name, errorMessage, text)] : problems;
  });
}

function applyFlags(settings: Record<string, unknown>, options: ConfigOptions): Problem[] {
  settings['sandbox'] = false;
  return SETTING_FLAGS.flatMap(({ flag, option, path }) => (options[option] === undefined ? [] : setChecked(settings, path, options[option], flag)));
}

/** Sets the setting at `path` if its part of the schema accepts the value; problems are named by `source`. */
function setChecked(settings: Record<string, unknown>, path: string, value: unknown, source: string): Problem[] {
  const validate = validatorAt(path);
  if (!validate(value)) return problemsFromAjv(validate.errors ?? [], source);
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce<unknown>((object, key) => (isObject(object) ? object[key] : undefined), settings);
  // A parent the file got wrong has its problem already; the value has nowhere to go.
  if (isObject(parent)) parent[keys.at(-1)!] = value;
  return [];
}

const validators = new Map<string, ValidateFunction>();

/** The validator of one setting: its part of the schema, without its `default` (Ajv refuses one at a root). */
function validatorAt(path: string): ValidateFunction {
  let validate = validators.get(path);
  if (validate === undefined) {
    const schema = path.split('.').reduce<TSchema>((parent, key) => parent['properties'][key], GATEWAY_CONFIG_SCHEMA);
    const { default: _default, ...withoutDefault } = schema;
    validate = compileSettings(withoutDefault as TSchema);
    validators.set(path, validate);
  }
  return validate;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
