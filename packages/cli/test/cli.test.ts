/**
 * The CLI as a user meets it: the built `gatehouse` command in a child process. Bad input gives one line
 * `error: …` and exit code 2, failed operations exit 1, never a stack trace.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT, runCli, STACK_FRAME } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-cli-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function expectUsageError(result: { code: number | null; stderr: string; stdout: string }, message: RegExp) {
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/^error: /m);
  expect(result.stderr).toMatch(message);
  expect(result.stderr + result.stdout).not.toMatch(STACK_FRAME);
}

describe.runIf(BUILT)('gatehouse (built CLI)', () => {
  it('--help lists every command and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['serve', 'identity', 'user', 'keys', 'token', 'login', 'totp', 'config']) expect(r.stdout).toContain(cmd);
    const login = await runCli(['login', '--help']);
    expect(login.code).toBe(0);
    for (const sub of ['alicloud', 'oci', 'tls', 'password']) expect(login.stdout).toContain(sub);
  });

  it('--version prints the version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('unknown commands and options, missing arguments: exit 2 with a clear message', async () => {
    expectUsageError(await runCli(['frobnicate']), /unknown command 'frobnicate'/);
    expectUsageError(await runCli(['login', 'alicloud', '--identity-id', 'i', '--bogus']), /unknown option '--bogus'/);
    expectUsageError(await runCli(['login', 'oci']), /required option '--identity-id <id>' not specified/);
    expectUsageError(await runCli(['identity', 'attach', 'only-one-arg']), /missing required argument 'method'/);
  });

  it('a bad --server URL, a missing file, a malformed credentials file: exit 2 naming the input', async () => {
    expectUsageError(await runCli(['login', 'alicloud', '--server', 'ftp://x', '--identity-id', 'i', '--credentials-file', '/nope']), /--server: must be an http/);
    expectUsageError(await runCli(['login', 'alicloud', '--identity-id', 'i', '--credentials-file', join(dir, 'missing.json')]), /--credentials-file .*cannot read \(ENOENT\)/);
    expectUsageError(await runCli(['login', 'alicloud', '--identity-id', 'i', '--credentials-file', file('creds.json', '{"accessKeyId": 5}')]), /needs accessKeyId and accessKeySecret/);
    expectUsageError(await runCli(['login', 'tls', '--server', 'http://127.0.0.1:1', '--identity-id', 'i', '--cert', 'c', '--key', 'k']), /https:\/\/ URL of the mTLS listener/);
    expectUsageError(await runCli(['login', 'oci', '--identity-id', 'i', '--oci-config', file('oci', '[DEFAULT]\nuser=x\n')]), /missing fingerprint, tenancy, region, key_file/);
  });

  it('password logins: exactly one of --username/--email, and a password source is required', async () => {
    expectUsageError(await runCli(['login', 'password', '--password-stdin']), /--username .* or --email/);
    expectUsageError(await runCli(['login', 'password', '--username', 'u', '--email', 'e@x', '--password-stdin']), /exactly one/);
    expectUsageError(await runCli(['login', 'password', '--username', 'u']), /no password given: use --password-stdin/);
    expectUsageError(await runCli(['login', 'password', '--username', 'u', '--password', 'a', '--password-stdin']), /one way only/);
    expectUsageError(await runCli(['login', 'password', '--username', 'u', '--otp', '123456', '--password-stdin'], { input: 'pw\n' }), /--otp and --recovery-code are for the --email/);
  });

  it('an unreachable server: exit 1, the server named, the password never echoed', async () => {
    const port = await closedPort();
    const r = await runCli(['login', 'password', '--server', `http://127.0.0.1:${port}`, '--username', 'u', '--password-stdin'], { input: 'hunter2-secret\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: cannot reach http://127.0.0.1:${port} (ECONNREFUSED)\n`);
    expect(r.stdout + r.stderr).not.toContain('hunter2-secret');
  });

  it('config files: missing, malformed and invalid ones exit 2 naming the problem', async () => {
    expectUsageError(await runCli(['config', 'check', '--config', join(dir, 'none.json')]), /config file not found/);
    expectUsageError(await runCli(['config', 'check', '--config', file('bad.yaml', 'server: [unclosed')]), /not valid YAML/);
    const invalid = await runCli(['config', 'check', '--config', file('invalid.json', JSON.stringify({ mode: 'demo', server: { port: 70000 }, extra: 1 }))]);
    expectUsageError(invalid, /server\.port/);
    expect(invalid.stderr).toMatch(/extra/);
    expectUsageError(await runCli(['identity', 'list'], { cwd: dir }), /no config file: pass --config/);
  });

  it('config check reports a valid config; demo mode is refused with NODE_ENV=production', async () => {
    const cfg = file('demo.yaml', 'mode: demo\n');
    const ok = await runCli(['config', 'check', '--config', cfg]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/valid[\s\S]*mode: demo/);
    expectUsageError(await runCli(['config', 'check', '--config', cfg], { env: { NODE_ENV: 'production' } }), /refusing to start in demo mode with NODE_ENV=production/);
  });

  it('config schema prints a JSON Schema of the config file', async () => {
    const r = await runCli(['config', 'schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['mode', 'server', 'store', 'tokens', 'strategies', 'encryptionKey']));
  });

  it('totp code: a code for a valid secret, exit 2 for garbage', async () => {
    const good = await runCli(['totp', 'code', '--secret-file', file('secret', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\n')]);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^\d{6}\n$/);
    expectUsageError(await runCli(['totp', 'code', '--secret-stdin'], { input: 'not base32 !!' }), /must be base32/);
  });

  it('keys generate-encryption-key prints 32 random bytes in base64, different each time', async () => {
    const a = (await runCli(['keys', 'generate-encryption-key'])).stdout.trim();
    const b = (await runCli(['keys', 'generate-encryption-key'])).stdout.trim();
    expect(Buffer.from(a, 'base64')).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it('a production config without an encryption key is refused with the fix named', async () => {
    const cfg = file('prod.json', JSON.stringify({ dataDir: join(dir, 'prod-data') }));
    writeFileSync(join(dir, 'x'), '');
    const r = await runCli(['serve', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/encryption key is required outside demo mode: set GATEHOUSE_ENCRYPTION_KEY/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });
});
