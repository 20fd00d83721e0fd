import { chmodSync, closeSync, constants, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** The database holds signing secrets and callback credentials: only its owner may read it. */
const FILE_MODE = 0o600;
const FOLDER_MODE = 0o700;
const GROUP_AND_OTHERS = 0o077;

/**
 * Creates the database file 0600 (in a folder created 0700) before SQLite opens it; SQLite gives the -wal and
 * -shm files the mode of the database file. An existing file (or -wal, -shm) that others may read is tightened
 * to its owner's bits; when that is not allowed (another owner), the returned warnings say so.
 */
export function preparePrivateDatabaseFile(path: string): string[] {
  mkdirSync(dirname(path), { recursive: true, mode: FOLDER_MODE });
  try {
    closeSync(openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, FILE_MODE));
    return [];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return [path, `${path}-wal`, `${path}-shm`].flatMap(tightenMode);
}

function tightenMode(path: string): string[] {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return []; // no -wal or -shm (yet)
  }
  if ((mode & GROUP_AND_OTHERS) === 0) return [];
  try {
    chmodSync(path, mode & ~GROUP_AND_OTHERS);
    return [`${path} was readable by others (mode ${octal(mode)}): changed to ${octal(mode & ~GROUP_AND_OTHERS)}`];
  } catch (error) {
    return [`${path} is readable by others (mode ${octal(mode)}) and cannot be changed: ${(error as Error).message}`];
  }
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
