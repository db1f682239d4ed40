/** `gatehouse user create|list|reset-password|mfa enroll`: users of the password strategies (ece-password, idp-mfa). */
import type { Command } from 'commander';
import type { Gatehouse, User } from '@gatehouse-auth/core';
import { printJson, printTable, type CliIo } from '../cli/io.js';
import { addPasswordOptions, readPassword, type PasswordOptions } from '../cli/password-options.js';
import { CliError, usageError } from '../errors.js';
import { withAdmin } from './admin-context.js';

/** A user by id, username or email. */
export async function findUser(gatehouse: Gatehouse, ref: string): Promise<User> {
  const { normaliseEmail, normaliseUsername } = await import('@gatehouse-auth/core/password');
  const users = gatehouse.stores.users;
  const user =
    (await users.getById(ref)) ?? (await users.getByUsername(normaliseUsername(ref))) ?? (ref.includes('@') ? await users.getByEmail(normaliseEmail(ref)) : null);
  if (!user) throw new CliError(`no user with id, username or email "${ref.slice(0, 200)}"`, 2);
  return user;
}

const view = (u: User) => ({
  id: u.id,
  username: u.username,
  email: u.email,
  displayName: u.displayName,
  mfaEnabled: u.mfa.enabled,
  disabled: u.disabled,
  requireResetPassword: u.requireResetPassword,
  source: u.source,
  createdAt: u.createdAt.toISOString(),
  lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
});

export function registerUserCommands(program: Command, io: CliIo): void {
  const user = program.command('user').description('Manage users (ece-password and idp-mfa logins)');

  addPasswordOptions(
    user
      .command('create')
      .description('Create a password user; prints its id')
      .requiredOption('--username <username>', 'login name (ece-password); normalised (NFKC, trimmed, lower case)')
      .option('--email <email>', 'email (the idp-mfa login name)')
      .option('--display-name <name>', 'name shown to people')
      .option('--require-reset', 'report requireResetPassword until the password is changed'),
  )
    .option('--config <file>', 'config file')
    .option('--json', 'print the user as JSON')
    .action(async (opts: PasswordOptions & { username: string; email?: string; displayName?: string; requireReset?: boolean; config?: string; json?: boolean }) => {
      const password = await readPassword(io, opts, 'Password for the new user: ');
      const { createPasswordUser } = await import('@gatehouse-auth/core/password');
      await withAdmin(io, opts.config, async ({ gatehouse, loaded }) => {
        const created = await createPasswordUser(
          gatehouse.stores,
          {
            username: opts.username,
            password,
            ...(opts.email ? { email: opts.email } : {}),
            ...(opts.displayName ? { displayName: opts.displayName } : {}),
            requireResetPassword: opts.requireReset ?? false,
          },
          { now: gatehouse.clock.now(), policy: loaded.config.passwordPolicy },
        );
        if (opts.json) printJson(io, view(created));
        else io.stdout.write(created.id + '\n');
      });
    });

  user
    .command('list')
    .description('List users')
    .option('--config <file>', 'config file')
    .option('--json', 'print JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      await withAdmin(io, opts.config, async ({ gatehouse }) => {
        const list = (await gatehouse.stores.users.list()).map(view);
        if (opts.json) return printJson(io, list);
        printTable(
          io,
          ['ID', 'USERNAME', 'EMAIL', 'MFA', 'STATE'],
          list.map((u) => [u.id, u.username, u.email ?? '-', u.mfaEnabled ? 'on' : 'off', u.disabled ? 'disabled' : 'active']),
        );
      });
    });

  addPasswordOptions(
    user
      .command('reset-password')
      .description("Set a user's password and revoke the user's tokens")
      .argument('<user>', 'id, username or email')
      .option('--require-change', 'report requireResetPassword until the user changes it')
      .option('--keep-sessions', 'do not revoke tokens issued before the reset'),
  )
    .option('--config <file>', 'config file')
    .action(async (ref: string, opts: PasswordOptions & { requireChange?: boolean; keepSessions?: boolean; config?: string }) => {
      const password = await readPassword(io, opts, 'New password: ');
      const { setUserPassword } = await import('@gatehouse-auth/core/password');
      await withAdmin(io, opts.config, async ({ gatehouse, loaded }) => {
        const target = await findUser(gatehouse, ref);
        await setUserPassword(gatehouse.stores, target.id, password, {
          now: gatehouse.clock.now(),
          requireResetPassword: opts.requireChange ?? false,
          policy: loaded.config.passwordPolicy,
        });
        if (!opts.keepSessions) await gatehouse.admin.revokeUserTokens(target.id);
        io.stdout.write(`password of ${target.username} reset${opts.keepSessions ? '' : '; tokens issued before now are revoked'}\n`);
      });
    });

  const mfa = user.command('mfa').description("Manage a user's TOTP second factor");
  mfa
    .command('enroll')
    .description('Turn on TOTP for a user: prints the secret, an otpauth:// URI for an authenticator app and recovery codes (shown once)')
    .argument('<user>', 'id, username or email')
    .option('--force', 'replace an existing TOTP secret (the old one stops working)')
    .option('--issuer <name>', 'name authenticator apps show', 'Gatehouse')
    .option('--config <file>', 'config file')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { force?: boolean; issuer: string; config?: string; json?: boolean }) => {
      await withAdmin(io, opts.config, async ({ gatehouse }) => {
        const target = await findUser(gatehouse, ref);
        if (target.mfa.enabled && !opts.force) throw usageError(`${target.username} already has MFA on; pass --force to replace the secret`);
        const { generateRecoveryCodes, hashRecoveryCode, newTotpSecret, otpauthUri } = await import('@gatehouse-auth/strategy-idp-mfa');
        const secret = newTotpSecret();
        const recoveryCodes = generateRecoveryCodes(10);
        await gatehouse.stores.users.setMfa(target.id, { totpSecret: secret, pendingTotpSecret: null, pendingCreatedAt: null, enabled: true });
        await gatehouse.stores.users.replaceRecoveryCodes(target.id, recoveryCodes.map(hashRecoveryCode));
        const uri = otpauthUri({ issuer: opts.issuer, account: target.email ?? target.username, secret });
        if (opts.json) return printJson(io, { user: target.id, secret, otpauthUri: uri, recoveryCodes });
        io.stdout.write(
          [`MFA is on for ${target.username}.`, `secret:      ${secret}`, `otpauth URI: ${uri}`, 'recovery codes (shown once, each works once):', ...recoveryCodes.map((c) => `  ${c}`), ''].join('\n'),
        );
      });
    });
}
