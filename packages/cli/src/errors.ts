/**
 * Errors the CLI reports as one line (`error: <message>`) with an exit code, never with a stack trace.
 * Exit codes: 1 the operation failed (login refused, server unreachable, store error); 2 bad input
 * (usage, config, files, flags).
 */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
  }
}

/** Bad input: a flag, a file, the config. */
export const usageError = (message: string) => new CliError(message, EXIT_USAGE);
