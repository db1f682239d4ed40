/** `gatehouse serve`: run the auth server described by a config file. */
import type { Command } from 'commander';
import { findConfigPath } from '../cli/config-path.js';
import type { CliIo } from '../cli/io.js';
import { CliError } from '../errors.js';

export function registerServeCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('Run the auth server described by a config file (JSON or YAML); stops gracefully on SIGINT/SIGTERM')
    .option('--config <file>', 'config file (default: GATEHOUSE_CONFIG, or gatehouse.config.{json,yaml,yml} here)')
    .action(async (opts: { config?: string }) => {
      const { runServer } = await import('@gatehouse-auth/server');
      const served = await runServer(findConfigPath(io, opts.config), { env: io.env, out: io.stdout });
      const code = await served.finished;
      if (code !== 0) throw new CliError('the server did not shut down cleanly');
    });
}
