/** `gatehouse keys rotate|list|generate-encryption-key`. */
import type { Command } from 'commander';
import { printJson, printTable, type CliIo } from '../cli/io.js';
import { withAdmin } from './admin-context.js';

export function registerKeysCommands(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('Token signing keys and the encryption key');

  keys
    .command('rotate')
    .description(
      'Add a new signing key: published at once, signing after tokens.keyPropagationSeconds on every instance; the old one then verifies for tokens.overlapSeconds. Prints the new key id',
    )
    .option('--config <file>', 'config file')
    .action(async (opts: { config?: string }) => {
      await withAdmin(io, opts.config, async ({ gatehouse }) => {
        const kid = await gatehouse.admin.rotateSigningKey();
        const added = (await gatehouse.stores.keys.list()).find((k) => k.kid === kid);
        io.stdout.write(kid + '\n');
        if (added) io.stderr.write(`key ${kid} is published now and signs from ${added.notBefore.toISOString()} on every instance\n`);
      });
    });

  keys
    .command('list')
    .description('List signing keys (public details only)')
    .option('--config <file>', 'config file')
    .option('--json', 'print JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      await withAdmin(io, opts.config, async ({ gatehouse }) => {
        const now = gatehouse.clock.now().getTime();
        // `next`: published, signing from signsFrom; `signing`: the key tokens get now; `retired`: verifies only.
        const stateOf = (k: { notBefore: Date; retiredAt: Date | null; createdAt: Date }) =>
          k.retiredAt !== null && k.retiredAt.getTime() <= now ? 'retired' : k.notBefore.getTime() > now && k.notBefore.getTime() !== k.createdAt.getTime() ? 'next' : 'signing';
        const list = (await gatehouse.stores.keys.list())
          .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.notBefore.getTime() - a.notBefore.getTime())
          .map((k) => ({
            kid: k.kid,
            alg: k.alg,
            state: stateOf(k),
            createdAt: k.createdAt.toISOString(),
            signsFrom: k.notBefore.toISOString(),
            retiredAt: k.retiredAt?.toISOString() ?? null,
            verifiesUntil: k.notAfter?.toISOString() ?? null,
          }));
        if (opts.json) return printJson(io, list);
        printTable(
          io,
          ['KID', 'ALG', 'STATE', 'CREATED', 'SIGNS FROM', 'SIGNS UNTIL', 'VERIFIES UNTIL'],
          list.map((k) => [k.kid, k.alg, k.state, k.createdAt, k.signsFrom, k.retiredAt ?? '-', k.verifiesUntil ?? '-']),
        );
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
