/**
 * The admin commands against a real embedded store (PGlite in a data folder), as separate processes the way an
 * operator runs them: identities and method configs (validated by the strategy), users, MFA enrolment, key
 * rotation, token verification; the data folder lock while a server runs; revocation on password reset.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, BUILT, runCli, STACK_FRAME } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-admin-'));
const config = join(dir, 'gatehouse.config.json');
writeFileSync(config, JSON.stringify({ dataDir: './data', server: { port: 0 }, log: { level: 'warn' }, strategies: { ecePassword: {} } }));
const env = { GATEHOUSE_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
const gh = (args: string[], input?: string) => runCli([...args, '--config', config], { env, input });

// Each step is a separate process opening PGlite (seconds each on a busy machine): a bound, not a speed claim.
describe.runIf(BUILT)('admin commands on PGlite', { timeout: 180_000 }, () => {
  let identityId = '';

  it('identity create / attach (validated by the strategy) / list', async () => {
    const created = await gh(['identity', 'create', '--name', 'ci-runner']);
    expect(created.code).toBe(0);
    identityId = created.stdout.trim();
    expect(identityId).toMatch(/^[0-9a-f-]{36}$/);

    const bad = await gh(['identity', 'attach', identityId, 'alicloud', '--config-json', '{"allowedArns":["arn:aws:iam::1:role/x"]}']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: .*allowedArns\.0/);
    expect(bad.stderr).not.toMatch(STACK_FRAME);

    const unknown = await gh(['identity', 'attach', identityId, 'kerberos', '--config-json', '{}']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('error: No strategy "kerberos" is registered\n');

    const good = await gh(['identity', 'attach', identityId, 'alicloud', '--config-json', '{"allowedArns":["acs:ram::1234567890123456:role/ci"]}', '--token-json', '{"accessTokenTTL":600}']);
    expect(good).toMatchObject({ code: 0, stdout: `attached alicloud to identity ${identityId}\n` });

    const list = JSON.parse((await gh(['identity', 'list', '--json'])).stdout) as { id: string; name: string; methods: string[] }[];
    expect(list).toEqual([expect.objectContaining({ id: identityId, name: 'ci-runner', methods: ['alicloud'] })]);
  });

  it('user create (password from stdin) / duplicate refused / list / mfa enroll once', async () => {
    const created = await gh(['user', 'create', '--username', 'Dora', '--email', 'dora@example.com', '--password-stdin'], 'first-password-123\n');
    expect(created.code).toBe(0);
    expect(created.stdout + created.stderr).not.toContain('first-password-123');

    const dup = await gh(['user', 'create', '--username', 'dora', '--password-stdin'], 'another-password-789\n');
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/^error: /);

    // The password policy (NIST 800-63B): too short, or a common password, names the field and echoes nothing.
    for (const weak of ['short', 'password123']) {
      const refused = await gh(['user', 'create', '--username', 'erin', '--password-stdin'], `${weak}\n`);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/^error: .*password: (must be at least 8 characters|is a commonly used password)/);
      expect(refused.stderr).not.toContain(weak);
    }

    const users = JSON.parse((await gh(['user', 'list', '--json'])).stdout) as { username: string; email: string; mfaEnabled: boolean }[];
    expect(users).toEqual([expect.objectContaining({ username: 'dora', email: 'dora@example.com', mfaEnabled: false })]);

    const enrolled = await gh(['user', 'mfa', 'enroll', 'dora@example.com', '--json']);
    expect(enrolled.code).toBe(0);
    const mfa = JSON.parse(enrolled.stdout) as { secret: string; otpauthUri: string; recoveryCodes: string[] };
    expect(mfa.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(mfa.recoveryCodes).toHaveLength(10);
    const again = await gh(['user', 'mfa', 'enroll', 'dora']);
    expect(again).toMatchObject({ code: 2, stderr: 'error: dora already has MFA on; pass --force to replace the secret\n' });
  });

  it('keys rotate / list: the first key signs at once; a rotated-in key is published first and signs later', async () => {
    const firstRun = await gh(['keys', 'rotate']);
    const first = firstRun.stdout.trim();
    const second = (await gh(['keys', 'rotate'])).stdout.trim();
    expect(first).not.toBe(second);
    expect(firstRun.stderr).toMatch(new RegExp(`^key ${first} is published now and signs from \\S+ on every instance\\n$`));
    const keys = JSON.parse((await gh(['keys', 'list', '--json'])).stdout) as { kid: string; state: string; createdAt: string; signsFrom: string; retiredAt: string | null; verifiesUntil: string | null }[];
    expect(keys.map((k) => [k.kid, k.state])).toEqual([
      [second, 'next'],
      [first, 'signing'],
    ]);
    // The default propagation window: 600 s; the first key stops signing exactly when the second starts.
    expect(Date.parse(keys[0]!.signsFrom) - Date.parse(keys[0]!.createdAt)).toBe(600_000);
    expect(keys[1]!.retiredAt).toBe(keys[0]!.signsFrom);
    expect(Date.parse(keys[1]!.verifiesUntil!) - Date.parse(keys[1]!.retiredAt!)).toBe(30 * 24 * 3600 * 1000);
    const table = (await gh(['keys', 'list'])).stdout;
    expect(table.split('\n')[0]).toMatch(/^KID\s+ALG\s+STATE\s+CREATED\s+SIGNS FROM\s+SIGNS UNTIL\s+VERIFIES UNTIL/);
  });

  it('while a server runs the data folder is locked; its tokens verify; a password reset revokes them', async () => {
    const server = spawn(process.execPath, [BIN, 'serve', '--config', config], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    server.stdout.on('data', (d: Buffer) => (out += d.toString()));
    server.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => server.on('close', resolve));
    try {
      const deadline = Date.now() + 120_000;
      while (!/Gatehouse listening on (\S+);/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const url = /Gatehouse listening on (\S+);/.exec(out)?.[1];
      expect(url, out).toBeDefined();

      const locked = await gh(['user', 'list']);
      expect(locked.code).toBe(1);
      expect(locked.stderr).toMatch(new RegExp(`in use by a gatehouse server \\(pid ${server.pid}\\)`));

      const login = await runCli(['login', 'password', '--server', url!, '--username', 'DORA', '--password-stdin'], { input: 'first-password-123\n' });
      expect(login.code).toBe(0);
      const token = login.stdout.trim();
      const remote = await runCli(['token', 'verify', '--server', url!, token]);
      expect(remote).toMatchObject({ code: 0 });
      expect(remote.stdout).toMatch(/^valid: user \S+, method ece-password, expires /);

      server.kill('SIGTERM');
      expect(await exited).toBe(0);

      expect((await gh(['token', 'verify', token])).code).toBe(0);
      const reset = await gh(['user', 'reset-password', 'dora', '--password-stdin'], 'second-password-456\n');
      expect(reset).toMatchObject({ code: 0, stdout: 'password of dora reset; tokens issued before now are revoked\n' });
      const revoked = await gh(['token', 'verify', token]);
      expect(revoked).toMatchObject({ code: 1, stderr: 'error: token is not valid (token_revoked)\n' });
      expect((await gh(['token', 'verify', 'not.a.token'])).code).toBe(1);
    } finally {
      server.kill('SIGKILL');
    }
  }, 180_000);
});
