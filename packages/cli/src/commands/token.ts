/**
 * `gatehouse token verify`: against a running server's JWKS (`--server`, offline signature and claim
 * checks, as a resource server does) or against the configured store (`--config`: also revocation and
 * use counts, without consuming a use).
 */
import type { Command } from 'commander';
import { printJson, type CliIo } from '../cli/io.js';
import { readStdin } from '../cli/secrets.js';
import { CliError, usageError } from '../errors.js';
import { withAdmin } from './admin-context.js';
import { parseServerUrl } from './login/server-url.js';

interface VerifyOptions {
  server?: string;
  issuer?: string;
  audience: string;
  config?: string;
  json?: boolean;
}

export function registerTokenCommands(program: Command, io: CliIo): void {
  const token = program.command('token').description('Access tokens');
  token
    .command('verify')
    .description('Verify an access token (argument or standard input); exit 1 when it is not valid')
    .argument('[token]', 'the token (default: read from standard input)')
    .option('--server <url>', "verify against this server's JWKS (offline checks, like a resource server)")
    .option('--issuer <iss>', 'expected iss with --server (default: gatehouse)')
    .option('--audience <aud>', 'expected aud with --server', 'gatehouse')
    .option('--config <file>', 'verify against the configured store instead (revocation and use counts included)')
    .option('--json', 'print the verified claims as JSON')
    .action(async (arg: string | undefined, opts: VerifyOptions) => {
      const raw = (arg ?? (await readStdin(io))).trim();
      if (!raw) throw usageError('no token given: pass it as an argument or on standard input');
      if (opts.server && opts.config) throw usageError('use --server or --config, not both');
      let result: { subject: { type: string; id: string }; authMethod: string; tokenId: string; expiresAt: Date; claims: Record<string, unknown> };
      if (opts.server) {
        const { createRemoteVerifier, TokenVerificationError } = await import('@gatehouse-auth/client');
        const base = parseServerUrl(opts.server);
        const verifier = createRemoteVerifier({ jwksUrl: new URL('/.well-known/jwks.json', base), issuer: opts.issuer ?? 'gatehouse', audience: opts.audience });
        try {
          // Inspection: a bound token's proof of possession is its holder's to give, not this command's.
          const v = await verifier.verify(raw, { presentation: 'unchecked' });
          result = { subject: v.subject, authMethod: v.authMethod, tokenId: v.tokenId, expiresAt: v.expiresAt, claims: v.claims };
        } catch (err) {
          if (err instanceof TokenVerificationError) throw new CliError(`token is not valid (${err.reasonCode})`);
          throw new CliError(`cannot verify against ${base.origin}: ${(err as Error).message}`);
        }
      } else {
        const { AuthError } = await import('@gatehouse-auth/core');
        result = await withAdmin(io, opts.config, async ({ gatehouse }) => {
          try {
            const v = await gatehouse.issuer.verify(raw, { stateful: 'check', presentation: 'unchecked' });
            return { subject: v.subject, authMethod: v.authMethod, tokenId: v.jti, expiresAt: v.expiresAt, claims: v.claims };
          } catch (err) {
            if (err instanceof AuthError) throw new CliError(`token is not valid (${err.reasonCode})`);
            throw err;
          }
        });
      }
      if (opts.json) return printJson(io, { valid: true, ...result, expiresAt: result.expiresAt.toISOString() });
      const cnf = (result.claims.cnf ?? {}) as { jkt?: unknown; 'x5t#S256'?: unknown };
      const bound = [
        ...(typeof cnf.jkt === 'string' ? [`DPoP key ${cnf.jkt}`] : []),
        ...(typeof cnf['x5t#S256'] === 'string' ? [`certificate ${cnf['x5t#S256']}`] : []),
      ];
      io.stdout.write(`valid: ${result.subject.type} ${result.subject.id}, method ${result.authMethod}, expires ${result.expiresAt.toISOString()}${bound.length ? `, bound to ${bound.join(' and ')}` : ''}\n`);
    });
}
