/** `gatehouse identity create|list|attach|detach`: machine identities and their login methods. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { printJson, printTable, type CliIo } from '../cli/io.js';
import { CliError, usageError } from '../errors.js';
import { withAdmin } from './admin-context.js';

function parseJsonOption(text: string, flag: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw usageError(`${flag}: not valid JSON (${(err as Error).message})`);
  }
}

function readJsonFile(file: string, flag: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`${flag}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseJsonOption(text, `${flag} ${file}`);
}

export function registerIdentityCommands(program: Command, io: CliIo): void {
  const identity = program.command('identity').description('Manage machine identities (alicloud, oci, tls-cert logins)');

  identity
    .command('create')
    .description('Create a machine identity; prints its id')
    .requiredOption('--name <name>', 'a name for people (1-256 characters)')
    .option('--id <id>', 'use this id instead of a generated UUID')
    .option('--organization <slug>', 'organisation slug logins must match')
    .option('--config <file>', 'config file (default: GATEHOUSE_CONFIG or ./gatehouse.config.json)')
    .option('--json', 'print the identity as JSON')
    .action(async (opts: { name: string; id?: string; organization?: string; config?: string; json?: boolean }) => {
      await withAdmin(io, opts.config, async ({ gatehouse }) => {
        if (opts.id && (await gatehouse.stores.identities.get(opts.id))) throw usageError(`identity ${opts.id} already exists`);
        const created = await gatehouse.admin.createIdentity({ name: opts.name, ...(opts.id ? { id: opts.id } : {}), organizationSlug: opts.organization ?? null });
        if (opts.json) printJson(io, created);
        else io.stdout.write(created.id + '\n');
      });
    });

  identity
    .command('list')
    .description('List identities and their login methods')
    .option('--config <file>', 'config file')
    .option('--json', 'print JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      await withAdmin(io, opts.config, async ({ gatehouse }) => {
        const list = await gatehouse.stores.identities.list();
        const rows = await Promise.all(
          list.map(async (i) => ({ ...i, methods: (await gatehouse.stores.identities.listMethods(i.id)).map((m) => m.method) })),
        );
        if (opts.json) return printJson(io, rows);
        printTable(
          io,
          ['ID', 'NAME', 'ORGANIZATION', 'METHODS'],
          rows.map((r) => [r.id, r.name, r.organizationSlug ?? '-', r.methods.join(',') || '-']),
        );
      });
    });

  identity
    .command('attach')
    .description('Attach (or replace) a login method on an identity; the config is validated by the strategy')
    .argument('<identity-id>', 'the identity')
    .argument('<method>', 'strategy id: alicloud, oci, tls-cert')
    .option('--config-json <json>', 'the method config as JSON, e.g. \'{"allowedArns":["acs:ram::123:role/ci"]}\'')
    .option('--config-file <file>', 'the method config as a JSON file')
    .option('--token-json <json>', 'token settings as JSON: accessTokenTTL, accessTokenMaxTTL, accessTokenNumUsesLimit, accessTokenTrustedIps, accessTokenPeriod, accessTokenRequireDpop, accessTokenCertificateBound')
    .option('--config <file>', 'config file')
    .option('--json', 'print the stored method as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  gatehouse identity attach "$ID" alicloud --config-json \'{"allowedArns":["acs:ram::1234567890123456:role/ci"]}\'',
        '  gatehouse identity attach "$ID" oci --config-json \'{"tenancyOcid":"ocid1.tenancy.oc1..aaaa…"}\'',
        '  gatehouse identity attach "$ID" tls-cert --config-file tls.json --token-json \'{"accessTokenTTL":900}\'',
      ].join('\n'),
    )
    .action(async (identityId: string, method: string, opts: { configJson?: string; configFile?: string; tokenJson?: string; config?: string; json?: boolean }) => {
      if (opts.configJson !== undefined && opts.configFile !== undefined) throw usageError('give the method config one way only: --config-json or --config-file');
      if (opts.configJson === undefined && opts.configFile === undefined) throw usageError('the method config is required: --config-json <json> or --config-file <file>');
      const methodConfig = opts.configFile !== undefined ? readJsonFile(opts.configFile, '--config-file') : parseJsonOption(opts.configJson!, '--config-json');
      const token = opts.tokenJson !== undefined ? parseJsonOption(opts.tokenJson, '--token-json') : {};
      if (typeof token !== 'object' || token === null || Array.isArray(token)) throw usageError('--token-json must be a JSON object');
      await withAdmin(io, opts.config, async ({ gatehouse }) => {
        if (!(await gatehouse.stores.identities.get(identityId))) throw new CliError(`identity ${identityId} not found`, 2);
        const stored = await gatehouse.admin.attachMethod(identityId, method, methodConfig, token);
        if (opts.json) printJson(io, stored);
        else io.stdout.write(`attached ${method} to identity ${identityId}\n`);
      });
    });

  identity
    .command('detach')
    .description('Remove a login method from an identity')
    .argument('<identity-id>')
    .argument('<method>')
    .option('--config <file>', 'config file')
    .action(async (identityId: string, method: string, opts: { config?: string }) => {
      await withAdmin(io, opts.config, async ({ gatehouse }) => {
        if (!(await gatehouse.admin.detachMethod(identityId, method))) throw new CliError(`identity ${identityId} has no ${method} method`, 2);
        io.stdout.write(`detached ${method} from identity ${identityId}\n`);
      });
    });
}
