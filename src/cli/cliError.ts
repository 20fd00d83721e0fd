/** An expected failure of a CLI command (unknown account, key already revoked…): message only, exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}
