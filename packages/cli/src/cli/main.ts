/**
 * The `gatehouse` command line. Every failure ends as one line on stderr, `error: <message>`, and a
 * non-zero exit code (1: the operation failed; 2: bad input); never a stack trace.
 */
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerAdminCommands } from '../commands/admin.js';
import { registerConfigCommands } from '../commands/config.js';
import { registerIdentityCommands } from '../commands/identity.js';
import { registerKeysCommands } from '../commands/keys.js';
import { registerLoginCommands } from '../commands/login/index.js';
import { registerServeCommand } from '../commands/serve.js';
import { registerTokenCommands } from '../commands/token.js';
import { registerTotpCommands } from '../commands/totp.js';
import { registerUserCommands } from '../commands/user.js';
import { CliError, EXIT_FAILURE, EXIT_USAGE } from '../errors.js';
import { CLI_VERSION } from '../version.js';
import { processIo, type CliIo } from './io.js';

/** The command reference ships in the package (copied from the repository's docs/cli.md at build time). */
const DOCS_URL = fileURLToPath(new URL('../cli.md', import.meta.url));

const BAD_INPUT_KINDS = new Set(['validation', 'bad_request', 'not_found']);

interface AuthErrorShape {
  name: 'AuthError';
  kind: string;
  message: string;
  issues?: { path: string; message: string }[];
}

const isAuthError = (err: unknown): err is AuthErrorShape =>
  err instanceof Error && err.name === 'AuthError' && typeof (err as { kind?: unknown }).kind === 'string';

export function buildProgram(io: CliIo): Command {
  const program = new Command()
    .name('gatehouse')
    .description('Run a Gatehouse auth server, manage its identities, users and keys, and log in to it.')
    .version(CLI_VERSION, '-v, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) });
  registerServeCommand(program, io);
  registerIdentityCommands(program, io);
  registerUserCommands(program, io);
  registerKeysCommands(program, io);
  registerAdminCommands(program, io);
  registerTokenCommands(program, io);
  registerLoginCommands(program, io);
  registerTotpCommands(program, io);
  registerConfigCommands(program, io);
  program.addHelpText('after', `\nDocs: ${DOCS_URL}. Secrets (passwords, keys) are read from files, standard input or environment variables and never echoed.`);
  return program;
}

/** One line, no stack: our own errors, the core's AuthErrors (public messages only), anything else. */
export function describeFailure(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  // The server's ConfigError (a config key, an environment variable, a file), by name: no server import here.
  if (err instanceof Error && err.name === 'ConfigError') return { message: err.message, exitCode: EXIT_USAGE };
  // The core's AuthError, recognised by shape so this module does not load the core (CLI start-up time).
  if (isAuthError(err)) {
    const issues = err.issues?.length ? err.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ') : '';
    return { message: issues && !err.message.includes(issues) ? `${err.message} (${issues})` : err.message, exitCode: BAD_INPUT_KINDS.has(err.kind) ? EXIT_USAGE : EXIT_FAILURE };
  }
  const e = err as { message?: unknown; code?: unknown };
  const message = typeof e?.message === 'string' && e.message ? e.message.split('\n')[0]! : String(err);
  return { message: typeof e?.code === 'string' && !message.includes(e.code) ? `${message} (${e.code})` : message, exitCode: EXIT_FAILURE };
}

export async function main(argv: string[] = process.argv, io: CliIo = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not failures; commander has already printed its own `error: …` line.
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      if (err.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    const { message, exitCode } = describeFailure(err);
    io.stderr.write(`error: ${message}\n`);
    return exitCode;
  }
}
