/**
 * `gatehouse admin token create|list|revoke` through the built CLI, each a separate process on a real embedded
 * store (PGlite), the way an operator runs them; then the server they configure (`gatehouse serve` with
 * `admin.enabled`) takes the tokens over HTTP: scopes decide, a revoked token is refused on the next start, and
 * no token is ever printed by `list` or logged by the server.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, BUILT, runCli, STACK_FRAME } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-admin-tokens-'));
const config = join(dir, 'gatehouse.config.json');
writeFileSync(config, JSON.stringify({ dataDir: './data', server: { port: 0 }, log: { level: 'info' }, admin: { enabled: true } }));
const env = { GATEHOUSE_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
const gh = (args: string[]) => runCli([...args, '--config', config], { env });
const TOKEN = /^gha_[A-Za-z0-9_-]{49}$/;

interface Listed {
  id: string;
  name: string;
  scopes: string[];
  state: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** `gatehouse serve` until it listens; `stop()` ends it with SIGTERM and returns its whole output. */
async function serve(): Promise<{ url: string; stop: () => Promise<string> }> {
  const server = spawn(process.execPath, [BIN, 'serve', '--config', config], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  server.stdout.on('data', (d: Buffer) => (out += d.toString()));
  server.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => server.on('close', resolve));
  const deadline = Date.now() + 120_000;
  while (!/Gatehouse listening on (\S+);/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const url = /Gatehouse listening on (\S+);/.exec(out)?.[1];
  if (!url) {
    server.kill('SIGKILL');
    throw new Error(`the server did not start:\n${out.slice(-2000)}`);
  }
  return {
    url,
    stop: async () => {
      server.kill('SIGTERM');
      expect(await exited).toBe(0);
      return out;
    },
  };
}

const call = (url: string, token: string, method: string, path: string, body?: unknown) =>
  fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

// Each step is a separate process opening PGlite (seconds each on a busy machine): a bound, not a speed claim.
describe.runIf(BUILT)('admin tokens on PGlite', { timeout: 300_000 }, () => {
  let reader = '';
  let writer = '';
  let writerId = '';
  let readerId = '';

  it('create prints the token once (details on stderr); --json gives the credential; bad flags are named', async () => {
    const created = await gh(['admin', 'token', 'create', '--name', 'auditor', '--scope', 'identities:read']);
    expect(created.code).toBe(0);
    reader = created.stdout.trim();
    expect(reader).toMatch(TOKEN);
    readerId = /^admin token (\S+) \("auditor"\): identities:read, no expiry\. Shown once/.exec(created.stderr)?.[1] ?? '';
    expect(readerId, created.stderr).toMatch(/^[0-9a-f-]{36}$/);

    const json = await gh(['admin', 'token', 'create', '--name', 'terraform', '--scope', 'identities:write,alicloud-auth:write', '--expires-in', '90d', '--json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as Listed & { token: string; createdAt: string };
    expect(parsed).toMatchObject({ name: 'terraform', scopes: ['identities:write', 'alicloud-auth:write'], state: 'active', revokedAt: null, lastUsedAt: null, token: expect.stringMatching(TOKEN) });
    expect(Date.parse(parsed.expiresAt!) - Date.parse(parsed.createdAt)).toBe(90 * 86_400_000);
    writer = parsed.token;
    writerId = parsed.id;

    const refusals: [string[], RegExp][] = [
      [['--scope', 'kerberos-auth:write'], /^error: --scope kerberos-auth:write: names an unknown resource; this server has: \*, identities, users, alicloud-auth, oci-auth, tls-cert-auth\n$/],
      [['--scope', 'identities:admin'], /^error: --scope identities:admin: is not <resource>:<read\|write>\n$/],
      [[], /^error: --scope is required/],
      [['--scope', 'users:read', '--expires-in', 'forever'], /^error: --expires-in forever: give a number with an optional unit/],
      [['--scope', 'users:read', '--name', ' '], /^error: --name: required, at most 256 characters\n$/],
    ];
    for (const [flags, stderr] of refusals) {
      const r = await gh(['admin', 'token', 'create', ...flags]);
      expect({ flags, code: r.code, stdout: r.stdout }).toEqual({ flags, code: 2, stdout: '' });
      expect(r.stderr).toMatch(stderr);
      expect(r.stderr).not.toMatch(STACK_FRAME);
    }
  });

  it('list shows every token with its state and never a secret', async () => {
    const table = await gh(['admin', 'token', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+STATE\s+SCOPES\s+EXPIRES\s+LAST USED$/);
    const listed = JSON.parse((await gh(['admin', 'token', 'list', '--json'])).stdout) as Listed[];
    expect(listed.map((c) => [c.name, c.state, c.scopes])).toEqual([
      ['auditor', 'active', ['identities:read']],
      ['terraform', 'active', ['identities:write', 'alicloud-auth:write']],
    ]);
    for (const out of [table.stdout, JSON.stringify(listed)]) for (const secret of [reader, writer]) expect(out).not.toContain(secret.slice(4));
  });

  it('the server takes them over HTTP: scopes decide; revoked on the CLI means refused at the next start; nothing logged', async () => {
    const first = await serve();
    let logs = '';
    try {
      const listed = await call(first.url, reader, 'GET', '/api/v1/identities');
      expect(listed.status).toBe(200);
      expect(await listed.json()).toEqual({ identities: [], totalCount: 0 });
      const forbidden = await call(first.url, reader, 'POST', '/api/v1/identities', { name: 'ci' });
      expect(forbidden.status).toBe(403);
      expect(((await forbidden.json()) as { message: string }).message).toBe('This admin token lacks the scope identities:write');
      const created = await call(first.url, writer, 'POST', '/api/v1/identities', { name: 'ci' });
      expect(created.status).toBe(200);
      const { identity } = (await created.json()) as { identity: { id: string } };
      const attached = await call(first.url, writer, 'POST', `/api/v1/auth/alicloud-auth/identities/${identity.id}`, { allowedArns: 'acs:ram::1234567890123456:role/ci' });
      expect(attached.status).toBe(200);
    } finally {
      logs += await first.stop();
    }

    const revoked = await gh(['admin', 'token', 'revoke', writerId]);
    expect(revoked).toMatchObject({ code: 0, stdout: `admin token ${writerId} revoked\n` });
    expect(await gh(['admin', 'token', 'revoke', writerId])).toMatchObject({ code: 2, stderr: `error: admin token ${writerId} was already revoked\n` });
    expect(await gh(['admin', 'token', 'revoke', 'no-such-id'])).toMatchObject({ code: 2, stderr: 'error: no admin token with id no-such-id\n' });

    const second = await serve();
    try {
      const refused = await call(second.url, writer, 'GET', '/api/v1/identities');
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { message: string }).message).toBe('This admin token has been revoked');
      expect((await call(second.url, reader, 'GET', '/api/v1/identities')).status).toBe(200);
    } finally {
      logs += await second.stop();
    }
    // Audit lines name the credential (id and name), never its secret.
    expect(logs).toMatch(new RegExp(`"actor":\\{"type":"admin_credential","id":"${writerId}","name":"terraform"\\}`));
    for (const secret of [reader, writer]) expect(logs).not.toContain(secret.slice(4));

    const after = JSON.parse((await gh(['admin', 'token', 'list', '--json'])).stdout) as Listed[];
    expect(after.find((c) => c.id === writerId)).toMatchObject({ state: 'revoked', revokedAt: expect.any(String), lastUsedAt: expect.any(String) });
    expect(after.find((c) => c.id === readerId)!.lastUsedAt).not.toBeNull();
  });
});
