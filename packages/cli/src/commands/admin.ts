/** `gatehouse admin token create|list|revoke`: the credentials of the HTTP admin API (docs/admin-api.md). */
import type { Command } from 'commander';
import type { AdminCredential } from '@gatehouse-auth/core';
import { printJson, printTable, type CliIo } from '../cli/io.js';
import { CliError, usageError } from '../errors.js';
import { withAdmin } from './admin-context.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `90d`, `12h`, `30m`, `45s`, `2w` or plain seconds → seconds. */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,10})([smhdw]?)$/.exec(text.trim());
  if (!m) return null;
  const seconds = Number(m[1]) * UNITS[m[2] || 's']!;
  return Number.isSafeInteger(seconds) && seconds > 0 ? seconds : null;
}

const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];

function stateOf(c: AdminCredential, now: number): string {
  if (c.revokedAt) return 'revoked';
  if (c.expiresAt && c.expiresAt.getTime() <= now) return 'expired';
  return 'active';
}

const view = (c: AdminCredential, now: number) => ({
  id: c.id,
  name: c.name,
  scopes: c.scopes,
  state: stateOf(c, now),
  createdAt: c.createdAt.toISOString(),
  expiresAt: c.expiresAt?.toISOString() ?? null,
  revokedAt: c.revokedAt?.toISOString() ?? null,
  lastUsedAt: c.lastUsedAt?.toISOString() ?? null,
});

/** The core's refusal of a new credential, in terms of this command's flags. */
function inFlagTerms(err: unknown, scopes: string[]): unknown {
  const e = err as { name?: string; kind?: string; issues?: { path: string; message: string }[] };
  const issue = e?.name === 'AuthError' && e.kind === 'validation' ? e.issues?.[0] : undefined;
  if (!issue) return err;
  const scope = /^scopes\.(\d+)$/.exec(issue.path);
  if (scope) return usageError(`--scope ${scopes[Number(scope[1])]}: ${issue.message.replace(/^"[^"]*" /, '')}`);
  if (issue.path === 'scopes') return usageError(`--scope: ${issue.message}`);
  if (issue.path === 'name') return usageError(`--name: ${issue.message}`);
  if (issue.path === 'expiresInSeconds') return usageError(`--expires-in: ${issue.message}`);
  return err;
}

export function registerAdminCommands(program: Command, io: CliIo): void {
  const admin = program.command('admin').description('Credentials of the HTTP admin API (docs/admin-api.md)');
  const token = admin.command('token').description('Admin tokens: scoped, stored hashed, revocable');

  token
    .command('create')
    .description('Make an admin token; prints it once on stdout (it is stored only as a hash)')
    .option('--scope <scope>', '<resource>:<read|write>, repeatable or comma-separated: identities, users, alicloud-auth, oci-auth, tls-cert-auth, or * (write includes read)', collect, [])
    .option('--name <name>', 'a name for people and audit events', 'admin token')
    .option('--expires-in <duration>', 'lifetime: 90d, 12h, 30m, 45s, 2w or seconds (default: no expiry)')
    .option('--config <file>', 'config file')
    .option('--json', 'print the credential and the token as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  gatehouse admin token create --name terraform --scope identities:write --scope alicloud-auth:write --expires-in 90d',
        '  gatehouse admin token create --name auditor --scope "*:read"',
      ].join('\n'),
    )
    .action(async (opts: { scope: string[]; name: string; expiresIn?: string; config?: string; json?: boolean }) => {
      if (opts.scope.length === 0) throw usageError('--scope is required (e.g. --scope identities:read); see gatehouse admin token create --help');
      let expiresInSeconds: number | undefined;
      if (opts.expiresIn !== undefined) {
        const parsed = parseDuration(opts.expiresIn);
        if (parsed === null) throw usageError(`--expires-in ${opts.expiresIn.slice(0, 40)}: give a number with an optional unit s, m, h, d or w (e.g. 90d)`);
        expiresInSeconds = parsed;
      }
      await withAdmin(io, opts.config, async ({ gatehouse }) => {
        const { credential, token: secret } = await gatehouse.admin
          .createAdminCredential({ name: opts.name, scopes: opts.scope, ...(expiresInSeconds !== undefined ? { expiresInSeconds } : {}) })
          .catch((err: unknown) => Promise.reject(inFlagTerms(err, opts.scope)));
        if (opts.json) return printJson(io, { ...view(credential, gatehouse.clock.now().getTime()), token: secret });
        io.stdout.write(secret + '\n');
        io.stderr.write(
          `admin token ${credential.id} ("${credential.name}"): ${credential.scopes.join(' ')}${credential.expiresAt ? `, expires ${credential.expiresAt.toISOString()}` : ', no expiry'}. ` +
            'Shown once: it is stored only as a hash. Send it as Authorization: Bearer <token>.\n',
        );
      });
    });

  token
    .command('list')
    .description('List admin tokens (never their secrets)')
    .option('--config <file>', 'config file')
    .option('--json', 'print JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      await withAdmin(io, opts.config, async ({ gatehouse }) => {
        const now = gatehouse.clock.now().getTime();
        const list = (await gatehouse.admin.listAdminCredentials()).map((c) => view(c, now));
        if (opts.json) return printJson(io, list);
        printTable(
          io,
          ['ID', 'NAME', 'STATE', 'SCOPES', 'EXPIRES', 'LAST USED'],
          list.map((c) => [c.id, c.name, c.state, c.scopes.join(','), c.expiresAt ?? '-', c.lastUsedAt ?? '-']),
        );
      });
    });

  token
    .command('revoke')
    .description('Revoke an admin token: refused from its next request on, on every instance')
    .argument('<id>', 'the token\'s id (from `admin token list`)')
    .option('--config <file>', 'config file')
    .action(async (id: string, opts: { config?: string }) => {
      await withAdmin(io, opts.config, async ({ gatehouse }) => {
        if (await gatehouse.admin.revokeAdminCredential(id)) return void io.stdout.write(`admin token ${id} revoked\n`);
        const existing = await gatehouse.stores.adminCredentials.get(id);
        throw new CliError(existing ? `admin token ${id} was already revoked` : `no admin token with id ${id.slice(0, 200)}`, 2);
      });
    });
}
