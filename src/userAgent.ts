import { readFileSync } from 'node:fs';

/** The package's version, read from package.json (dist/src/… → the package root). */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** `direct-gateway/<version>`, for callback requests. */
export const USER_AGENT = `direct-gateway/${PACKAGE_VERSION}`;
