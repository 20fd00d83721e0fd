/**
 * A database the gateway must not or cannot use as it stands (missing file, unknown URL scheme, a schema newer than
 * this code, read-only file). The message says what to do; the CLI prints it alone and exits 1.
 */
export class UnusableDatabaseError extends Error {
  override name = 'UnusableDatabaseError';
}
