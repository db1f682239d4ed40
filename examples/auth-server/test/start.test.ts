/**
 * Acceptance 1 of issue 10: the README's start line (`npm start` = `bash scripts/start.sh`) brings the example
 * server up on a fresh data folder and prints where it listens and a CLI command for each login; every printed
 * command, run exactly as printed, logs in; the printed demo admin token lists the demo identities. SIGTERM shuts the server down cleanly; a restart keeps the
 * issued tokens valid and seeds nothing twice; demo mode refuses to start with NODE_ENV=production.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRemoteVerifier } from '@gatehouse-auth/client';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The environment of someone typing the README's start line: no DATABASE_URL (CI exports one for the store
 * suites, and demo mode rightly refuses a PostgreSQL store).
 */
function readmeEnv(): NodeJS.ProcessEnv {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  return env;
}

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const START_TIMEOUT_MS = 240_000;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

interface Started {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcessWithoutNullStreams>();

/** `bash scripts/start.sh` from the repository root, as the README says, on a given data folder and free ports. */
function start(dataDir: string, extraEnv: Record<string, string> = {}): Started {
  const child = spawn('bash', ['scripts/start.sh'], {
    cwd: REPO,
    env: { ...readmeEnv(), GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_PORT: '0', GATEHOUSE_TLS_PORT: '0', ...extraEnv },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, output: () => out, closed };
}

async function waitFor(started: Started, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited = false;
  void started.closed.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (pattern.test(started.output())) return started.output();
    if (exited) throw new Error(`the server exited before printing ${pattern}:\n${started.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${pattern}:\n${started.output().slice(-3000)}`);
}

function run(command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { cwd: REPO, env: readmeEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const field = (output: string, label: string) => new RegExp(`^${label}\\s+(\\S+)`, 'm').exec(output)?.[1];

function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });
}

/** Which strategy a printed command logs in with. */
function strategyOf(command: string): string {
  const kind = /gatehouse login (\w+)/.exec(command)?.[1];
  if (kind === 'password') return command.includes('--email') ? 'idp-mfa' : 'ece-password';
  return kind === 'tls' ? 'tls-cert' : (kind ?? 'unknown');
}

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
});

describe('npm start (scripts/start.sh) on a fresh data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-start-'));
  const tokens = new Map<string, string>();
  let httpUrl = '';

  it('prints where it listens and a command for each of the five logins; each command, run as printed, logs in', async () => {
    const server = start(dataDir);
    const output = await waitFor(server, /Stop the server with Ctrl\+C/);
    httpUrl = field(output, 'HTTP listening on')!;
    expect(httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(field(output, 'HTTPS \\(mTLS\\) on')).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(output).toMatch(/DEMO MODE/);

    const health = (await (await fetch(`${httpUrl}/healthz`)).json()) as { status: string; mode: string };
    expect(health).toMatchObject({ status: 'ok', mode: 'demo' });

    const printed = [...output.matchAll(/^\s*\$ (.+)$/gm)].map((m) => m[1]!);
    const commands = printed.filter((c) => /gatehouse login /.test(c));
    expect(commands.map(strategyOf).sort()).toEqual(['alicloud', 'ece-password', 'idp-mfa', 'oci', 'tls-cert']);

    // The demo admin token (every scope) and the admin API call printed with it: it lists the demo identities.
    const adminToken = field(output, 'Demo admin token')!;
    expect(adminToken).toMatch(/^gha_[A-Za-z0-9_-]{49}$/);
    expect(readFileSync(join(dataDir, 'demo', 'admin.token'), 'utf8')).toBe(`${adminToken}\n`);
    expect(printed.filter((c) => !commands.includes(c))).toEqual([`curl -s -H 'Authorization: Bearer ${adminToken}' ${httpUrl}/api/v1/identities`]);
    const identities = await fetch(`${httpUrl}/api/v1/identities`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(identities.status).toBe(200);
    expect(((await identities.json()) as { identities: { name: string }[] }).identities.map((i) => i.name).sort()).toEqual(['demo-alicloud-machine', 'demo-oci-machine', 'demo-tls-machine']);

    const verifier = createRemoteVerifier({ jwksUrl: `${httpUrl}/.well-known/jwks.json`, issuer: 'gatehouse', audience: 'gatehouse' });
    for (const command of commands) {
      const result = await run(command);
      expect({ command, code: result.code, stderr: result.stderr.replace(/^npm warn.*\n/gm, '') }).toEqual({ command, code: 0, stderr: '' });
      const token = result.stdout.trim();
      expect(token).toMatch(JWT);
      // Signed by this server, for the strategy the command names.
      const verified = await verifier.verify(token);
      expect(verified.authMethod).toBe(strategyOf(command));
      tokens.set(strategyOf(command), token);
    }

    server.child.kill('SIGTERM');
    const exit = await server.closed;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(server.output()).toMatch(/"msg":"shut down cleanly"/);
    expect(await refused(httpUrl)).toBe(true);
  }, 2 * START_TIMEOUT_MS);

  it('a restart keeps the issued tokens valid and seeds nothing twice', async () => {
    expect(tokens.size).toBe(5);
    const server = start(dataDir);
    const output = await waitFor(server, /Stop the server with Ctrl\+C/);
    const url = field(output, 'HTTP listening on')!;
    expect(output).toMatch(/"identitiesCreated":0,"usersCreated":0,"adminTokensCreated":0/);
    const verifier = createRemoteVerifier({ jwksUrl: `${url}/.well-known/jwks.json`, issuer: 'gatehouse', audience: 'gatehouse' });
    // The demo's introspection secret, from the file the banner names; without it introspection is refused.
    const secretFile = /Authorization: Bearer <the secret in (\S+)>/.exec(output)?.[1];
    expect(secretFile).toBeTruthy();
    const secret = readFileSync(secretFile!, 'utf8').trim();
    const introspect = (token: string, authorization?: string) =>
      fetch(`${url}/api/v1/auth/token/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ token }),
      });
    for (const [strategy, token] of tokens) {
      expect((await verifier.verify(token)).authMethod).toBe(strategy);
      // The server's own check (revocation, session) agrees: the sessions survived in PGlite.
      const introspection = await introspect(token, `Bearer ${secret}`);
      expect(((await introspection.json()) as { active: boolean }).active).toBe(true);
    }
    expect((await introspect(tokens.values().next().value!)).status).toBe(401);
    server.child.kill('SIGTERM');
    expect(await server.closed).toEqual({ code: 0, signal: null });
  }, START_TIMEOUT_MS);

  it('demo mode refuses to start with NODE_ENV=production', async () => {
    const server = start(mkdtempSync(join(tmpdir(), 'gh-start-prod-')), { NODE_ENV: 'production' });
    const exit = await server.closed;
    expect(exit.code).toBe(2);
    expect(server.output()).toMatch(/error: refusing to start in demo mode with NODE_ENV=production/);
    expect(server.output()).not.toMatch(/listening/);
  }, START_TIMEOUT_MS);
});
