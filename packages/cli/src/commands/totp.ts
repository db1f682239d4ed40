/** `gatehouse totp code`: the current TOTP code for a secret, as an authenticator app would show it. */
import type { Command } from 'commander';
import type { CliIo } from '../cli/io.js';
import { readSecret } from '../cli/secrets.js';
import { usageError } from '../errors.js';

export function registerTotpCommands(program: Command, io: CliIo): void {
  const totp = program.command('totp').description('TOTP helper (what an authenticator app does)');
  totp
    .command('code')
    .description('Print the current 6-digit code for a base32 TOTP secret')
    .option('--secret-file <file>', 'read the secret from the first line of a file')
    .option('--secret-stdin', 'read the secret from standard input')
    .action(async (opts: { secretFile?: string; secretStdin?: boolean }) => {
      const secret = (await readSecret(io, { file: opts.secretFile, stdin: opts.secretStdin }, { what: 'TOTP secret', flag: '--secret', envVar: 'GATEHOUSE_TOTP_SECRET' })).trim();
      if (!/^[A-Z2-7]+=*$/i.test(secret) || secret.length < 16) throw usageError('the TOTP secret must be base32 (A-Z, 2-7), at least 16 characters');
      const { generate } = await import('otplib');
      io.stdout.write((await generate({ secret: secret.toUpperCase() })) + '\n');
    });
}
