/**
 * `gatehouse serve` as separate processes of the built CLI, the way a platform team runs several instances
 * behind a balancer, plus the small HTTP helpers the multi-instance tests share.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { BIN } from '../run-cli.js';

export interface Instance {
  url: string;
  pid: number;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Its JSON log lines so far. */
  logs(): Record<string, unknown>[];
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** SIGTERM, and SIGKILL if it has not exited after 30 s. */
  stop(): Promise<void>;
}

const LISTENING = /Gatehouse listening on (\S+?)[;\s]/;

export function serveEnv(env: Record<string, string>): Record<string, string | undefined> {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
}

/** Starts `gatehouse serve --config <file>` and resolves once it prints its listening line. */
export function startInstance(config: string, env: Record<string, string>, timeoutMs = 180_000): Promise<Instance> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--config', config], { env: serveEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  // These tests prove agreement, not speed: at a lower CPU priority the servers leave the machine to the suites
  // running next to them, whose own bounds are about time.
  try {
    if (child.pid) setPriority(child.pid, 10);
  } catch {
    // Not allowed here: run at normal priority.
  }
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const instance = (url: string): Instance => ({
    url,
    pid: child.pid!,
    output: () => out,
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    kill: (signal) => void child.kill(signal),
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  });
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gatehouse serve did not start within ${timeoutMs} ms:\n${out.slice(-4000)}`));
    }, timeoutMs);
    const check = () => {
      const m = LISTENING.exec(out);
      if (!m) return;
      clearTimeout(deadline);
      child.stdout!.off('data', check);
      resolve(instance(m[1]!));
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(deadline);
      reject(new Error(`gatehouse serve exited with ${code} before listening:\n${out.slice(-4000)}`));
    });
  });
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
  sentAt: number;
  receivedAt: number;
}

/** One request; a refused or reset connection rejects (the caller decides whether that is allowed). */
export async function call(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  const sentAt = Date.now();
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(init.timeoutMs ?? 60_000),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json, sentAt, receivedAt: Date.now() };
}

/** The `kid` in a compact JWS header. */
export function kidOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rows of the signing-key table of a schema, read straight from PostgreSQL. */
export async function signingKeyRows(databaseUrl: string, schema: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ kid: string; created_at: Date; not_before: Date; retired_at: Date | null; not_after: Date | null }>(
      `SELECT kid, created_at, not_before, retired_at, not_after FROM "${schema}".gatehouse_signing_keys ORDER BY created_at`,
    );
    return rows;
  } finally {
    await client.end();
  }
}

export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
