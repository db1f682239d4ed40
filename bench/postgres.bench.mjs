// The PostgreSQL path (DESIGN §9): login throughput with the real PostgreSQL stores as a ratio of the memory
// stores', the statements (= round trips) each login sends, and PGlite's cold start on an existing data directory.
//
// Throughput: two Fastify + Gatehouse processes (bench/servers/store-gatehouse.mjs), one per store, loaded in
// turn by autocannon (50 connections, closed loop), rounds alternating memory/postgres. Two logins: the api-key
// example (identity + method lookup, one session insert) and the signed-request example (lockout counters, the
// nonce claimed once, the session). PostgreSQL is DATABASE_URL, or a throwaway server started here with
// scripts/pg-test.sh (durability off: fsync, synchronous_commit — it measures the store's work, not the disk).
//
// Cold start: a data directory is created and migrated once; then fresh Node processes each open it with
// createPgliteStores and answer a first query. Measured from process start (performance.timeOrigin) to that
// answer, and from spawn, five times.
import { execFileSync, fork, spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { canonicalString } from '@gatehouse-auth/example-custom-strategy';
import { API_KEY, IDENTITY_ID } from './servers/common.mjs';
import { startServer } from './servers/upstream-common.mjs';
import { median } from './interleave.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SECRET = randomBytes(32).toString('base64url');

function ensurePostgres() {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: () => {} };
  const env = { ...process.env, PG_TEST_STATE: join(ROOT, '.pg-bench') };
  const out = execFileSync('bash', ['scripts/pg-test.sh', 'start'], { cwd: ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const url = /DATABASE_URL=['"]?([^'"\s]+)/.exec(out)?.[1];
  if (!url) throw new Error('scripts/pg-test.sh start printed no DATABASE_URL');
  return { url, stop: () => spawnSync('bash', ['scripts/pg-test.sh', 'stop'], { cwd: ROOT, env, stdio: 'ignore' }) };
}

let next = 0;
const LOGINS = {
  'api-key': () => ({ path: '/api/v1/auth/api-key/login', body: () => JSON.stringify({ identityId: IDENTITY_ID, apiKey: API_KEY }) }),
  'signed-request': () => ({
    path: '/api/v1/auth/signed-request/login',
    body: () => {
      // 64 identities in turn (bench/servers/store-gatehouse.mjs): the lockout refuses many concurrent attempts on one.
      const identityId = `00000000-0000-4000-8000-${String((next++ % 64) + 100).padStart(12, '0')}`;
      const signed = { identityId, timestamp: new Date().toISOString(), nonce: randomBytes(18).toString('base64url') };
      return JSON.stringify({ ...signed, signature: createHmac('sha256', Buffer.from(SECRET, 'base64url')).update(canonicalString(signed)).digest('hex') });
    },
  }),
};

async function load(server, login, duration) {
  const before = await server.ask('stats');
  const r = await autocannon({
    url: `${server.origin}${login.path}`,
    connections: 50,
    duration,
    requests: [{ method: 'POST', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: login.body() }) }],
  });
  const after = await server.ask('stats');
  if (r.non2xx || r.errors) throw new Error(`${login.path}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p99: r.latency.p99, statements: (after.queries - before.queries) / r.requests.total };
}

async function throughput(databaseUrl, { duration, rounds }) {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const servers = {
    memory: await startServer('store-gatehouse.mjs', { store: 'memory', secret: SECRET }),
    postgres: await startServer('store-gatehouse.mjs', { store: 'postgres', databaseUrl, schema, secret: SECRET }),
  };
  const rows = [];
  try {
    for (const [name, make] of Object.entries(LOGINS)) {
      const login = make();
      for (const s of Object.values(servers)) await load(s, login, 2); // warm-up
      const runs = { memory: [], postgres: [] };
      for (let round = 0; round < rounds; round++) {
        for (const store of round % 2 ? ['postgres', 'memory'] : ['memory', 'postgres']) runs[store].push(await load(servers[store], login, duration));
      }
      const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const m = mean(runs.memory.map((r) => r.rps));
      const p = mean(runs.postgres.map((r) => r.rps));
      rows.push({
        login: name,
        'memory logins/s': Math.round(m),
        'postgres logins/s': Math.round(p),
        'postgres/memory': +(p / m).toFixed(3),
        'per round': runs.postgres.map((r, i) => (r.rps / runs.memory[i].rps).toFixed(2)).join(' '),
        'statements (round trips) per login': +median(runs.postgres.map((r) => r.statements)).toFixed(2),
        'p99 ms, memory / postgres': `${mean(runs.memory.map((r) => r.p99))} / ${mean(runs.postgres.map((r) => r.p99))}`,
      });
    }
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
  return rows;
}

/** Node process start to a first answered query, on a data directory that already holds a migrated database. */
async function pgliteColdStart(times = 5) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-pglite-bench-'));
  try {
    const first = await coldStart(dataDir); // creates the cluster and migrates: not a cold start on an existing dir
    const runs = [];
    for (let i = 0; i < times; i++) runs.push(await coldStart(dataDir));
    return {
      'first start (initdb + migrations) ms': Math.round(first.inProcess),
      'cold start on the existing dir, from process start ms (median)': Math.round(median(runs.map((r) => r.inProcess))),
      'same, from spawn ms (median)': Math.round(median(runs.map((r) => r.fromSpawn))),
      runs: runs.map((r) => Math.round(r.inProcess)).join(' / '),
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function coldStart(dataDir) {
  const spawned = performance.now();
  const child = fork(new URL('./servers/pglite-open.mjs', import.meta.url), [dataDir], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ inProcess: m.readyMs, fromSpawn: performance.now() - spawned }));
    child.once('exit', (code) => code && reject(new Error(`pglite-open exited ${code}`)));
  });
}

export async function run({ duration = Number(process.env.BENCH_SECONDS ?? 4), rounds = Number(process.env.POSTGRES_ROUNDS ?? 2) } = {}) {
  const pgServer = ensurePostgres();
  let rows;
  try {
    rows = await throughput(pgServer.url, { duration, rounds });
  } finally {
    pgServer.stop();
  }
  const cold = await pgliteColdStart();
  for (const [k, v] of Object.entries(cold)) rows.push({ login: `PGlite: ${k}`, 'memory logins/s': v });
  return rows;
}
