/**
 * Where settings come from besides the config file: environment variables and flags, each setting one key.
 * Env values are text, so the two keys whose values are not text are read here (and only those).
 */

/** What the commands pass to loadConfig. */
export interface ConfigOptions {
  configFile?: string;
  db?: string;
  port?: number;
  host?: string;
  sandbox?: boolean;
}

export interface EnvVariable {
  name: string;
  /** The setting it sets, as a dotted key path. */
  path: string;
  /** Text to the setting's value; absent: the text itself. */
  read?: (text: string) => unknown;
  /** When the value is wrong, what to say instead of the setting's own wording (the variable's syntax differs). */
  errorMessage?: string;
  /** For the README: the value's form, when it is not the setting's, and an example. */
  form?: string;
  example: string;
}

export const ENV_VARIABLES: readonly EnvVariable[] = [
  {
    name: 'DGW_DATABASE_URL',
    path: 'database',
    form: 'a SQLite file path or a `postgres://` URL',
    example: '`/var/lib/direct-gateway/gateway.db`, `postgres://gw:secret@db:5432/gw`',
  },
  { name: 'DGW_HTTP_HOST', path: 'http.host', example: '`0.0.0.0`' },
  { name: 'DGW_HTTP_PORT', path: 'http.port', form: 'digits only', read: (text) => (/^\d+$/.test(text) ? Number(text) : text), example: '`9000`' },
  {
    name: 'DGW_CALLBACK_ALLOW_PRIVATE',
    path: 'callbacks.allowPrivateTargets',
    form: '`1` or `true` on, `0` or `false` off',
    read: (text) => (text === '1' || text === 'true' ? true : text === '0' || text === 'false' ? false : text),
    errorMessage: 'must be 1 or 0 (or true/false)',
    example: '`1`',
  },
  { name: 'DGW_LOG_LEVEL', path: 'logLevel', example: '`debug`' },
];

export interface SettingFlag {
  flag: string;
  option: Exclude<keyof ConfigOptions, 'configFile'>;
  path: string;
}

/** Flags that set a setting (which commands take them: README "Flags"). */
export const SETTING_FLAGS: readonly SettingFlag[] = [
  { flag: '--db', option: 'db', path: 'database' },
  { flag: '--host', option: 'host', path: 'http.host' },
  { flag: '--port', option: 'port', path: 'http.port' },
  { flag: '--sandbox', option: 'sandbox', path: 'sandbox' },
];
