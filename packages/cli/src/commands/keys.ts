/** `gatehouse keys rotate|list|generate-encryption-key`. */
import type { Command } from 'commander';
import { printJson, printTable, type CliIo } from '../cli/io.js';
import { withAdmin } from './admin-context.js';

export function registerKeysCommands(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('Token signing keys and the encryption key');

  keys
    .command('rotate')
    .description('Make a new signing key; the old one still verifies for tokens.overlapSeconds. Prints the new key id')
    .option('--config <file>', 'config file')
    .action(async (opts: { config?: string }) => {
      await withAdmin(io, opts.config, async ({ gatehouse }) => {
        io.stdout.write((await gatehouse.admin.rotateSigningKey()) + '\n');
      });
    });

  keys
    .command('list')
    .description('List signing keys (public details only)')
    .option('--config <file>', 'config file')
    .option('--json', 'print JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      await withAdmin(io, opts.config, async ({ gatehouse }) => {
        const list = (await gatehouse.stores.keys.list())
          .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
          .map((k) => ({
            kid: k.kid,
            alg: k.alg,
            state: k.retiredAt ? 'retired' : 'signing',
            createdAt: k.createdAt.toISOString(),
            retiredAt: k.retiredAt?.toISOString() ?? null,
            verifiesUntil: k.notAfter?.toISOString() ?? null,
          }));
        if (opts.json) return printJson(io, list);
        printTable(io, ['KID', 'ALG', 'STATE', 'CREATED', 'VERIFIES UNTIL'], list.map((k) => [k.kid, k.alg, k.state, k.createdAt, k.verifiesUntil ?? '-']));
      });
    });

  keys
    .command('generate-encryption-key')
    .description('Print a new random 32-byte key for GATEHOUSE_ENCRYPTION_KEY (base64)')
    .action(async () => {
      const { newEncryptionKey } = await import('@gatehouse-auth/server');
      io.stdout.write(newEncryptionKey() + '\n');
    });
}
