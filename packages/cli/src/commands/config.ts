/** `gatehouse config check|schema`. */
import { z } from 'zod';
import type { Command } from 'commander';
import { findConfigPath } from '../cli/config-path.js';
import { printJson, type CliIo } from '../cli/io.js';
import { assertDemoAllowed, configSchema, loadConfig } from '@gatehouse-auth/server/config';

export function registerConfigCommands(program: Command, io: CliIo): void {
  const config = program.command('config').description('Check a config file, print its reference or its JSON Schema');
  config
    .command('check')
    .description('Validate a config file (with the environment overrides applied); prints a summary')
    .option('--config <file>', 'config file')
    .action((opts: { config?: string }) => {
      const loaded = loadConfig(findConfigPath(io, opts.config), io.env);
      assertDemoAllowed(loaded.config, io.env);
      const c = loaded.config;
      const enabled = Object.entries(c.strategies)
        .filter(([, s]) => s.enabled)
        .map(([k]) => k);
      io.stdout.write(
        [
          `${loaded.path}: valid`,
          `mode: ${c.mode}`,
          `listen: http://${c.server.host}:${c.server.port}${c.server.tls ? `, https://${c.server.tls.host ?? c.server.host}:${c.server.tls.port} (mTLS)` : ''}`,
          `store: ${c.store.driver}${c.store.driver === 'pglite' ? ` in ${c.dataDir}` : ''}`,
          `strategies: ${enabled.join(', ') || 'none'}`,
          `encryption key: ${c.encryptionKey ? 'set' : c.mode === 'demo' ? 'demo file in the data folder' : 'NOT SET (required to start)'}`,
          '',
        ].join('\n'),
      );
    });
  config
    .command('reference')
    .description('Print the configuration reference (markdown) that docs/configuration.md embeds')
    .action(async () => {
      const { renderConfigReference } = await import('@gatehouse-auth/server/config');
      io.stdout.write(renderConfigReference() + '\n');
    });
  config
    .command('schema')
    .description('Print the JSON Schema of the config file (for editors: "$schema")')
    .action(() => {
      printJson(io, z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }));
    });
}
