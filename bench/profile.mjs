// Profiles one bench server under load: `node bench/profile.mjs <fastify|express|koa> <gatehouse|bare> [seconds]`.
// Forks the server with --cpu-prof, drives the same login as adapters.bench.mjs with autocannon, stops the
// server so it writes its profile, and prints the functions with the most self time and the packages
// (by file) where time goes inclusive of callees. Profiles land in $PROFILE_DIR (default: a temp directory).
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { API_KEY, IDENTITY_ID } from './servers/common.mjs';

const [framework = 'fastify', mode = 'gatehouse', seconds = '8'] = process.argv.slice(2);
const FOCUS = process.env.PROFILE_FOCUS ?? 'packages/|bench/servers|fastify/lib|koa|express|router';
const dir = process.env.PROFILE_DIR ?? mkdtempSync(join(tmpdir(), 'gatehouse-prof-'));
mkdirSync(dir, { recursive: true });
const child = fork(new URL(`./servers/${framework}.mjs`, import.meta.url), [mode], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200'] });
const port = await new Promise((resolve) => child.once('message', (m) => resolve(m.port)));
const body = JSON.stringify({ identityId: IDENTITY_ID, apiKey: API_KEY });
const opts = { url: `http://127.0.0.1:${port}/api/v1/auth/api-key/login`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: 50 };
await autocannon({ ...opts, duration: 2 });
const r = await autocannon({ ...opts, duration: Number(seconds) });
console.log(`${framework} ${mode}: ${Math.round(r.requests.average)} req/s, ${r.requests.total} requests, non-2xx ${r.non2xx}`);
writeFileSync(join(dir, "requests.json"), JSON.stringify({ requests: r.requests.total, start: Date.now() - Number(seconds) * 1000 }));
await new Promise((resolve) => { child.once('exit', resolve); child.disconnect(); });
const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f)).sort().pop();
console.log(`profile: ${file}`);
summarise(JSON.parse(readFileSync(file, 'utf8')));

function summarise(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  for (const s of profile.samples) self.set(s, (self.get(s) ?? 0) + 1);
  const total = profile.samples.length;
  const label = (n) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const selfBy = new Map();
  const inclBy = new Map();
  const fnIncl = new Map();
  for (const [id, count] of self) {
    const n = byId.get(id);
    selfBy.set(label(n), (selfBy.get(label(n)) ?? 0) + count);
    // Inclusive by package: each package counted once per sample stack.
    const seen = new Set();
    const seenFn = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const fn = label(byId.get(cur));
      if (!seenFn.has(fn)) { seenFn.add(fn); fnIncl.set(fn, (fnIncl.get(fn) ?? 0) + count); }
      const pkg = pkgOf(byId.get(cur).callFrame.url);
      if (pkg && !seen.has(pkg)) { seen.add(pkg); inclBy.set(pkg, (inclBy.get(pkg) ?? 0) + count); }
    }
  }
  const pct = (c) => `${((100 * c) / total).toFixed(1)}%`;
  console.log(`\nself time, top 30 (of ${total} samples)`);
  for (const [k, c] of [...selfBy].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${pct(c).padStart(6)}  ${k}`);
  console.log(`\ninclusive time, Gatehouse and bench functions (${FOCUS})`);
  for (const [k, c] of [...fnIncl].filter(([k]) => new RegExp(FOCUS).test(k)).sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${pct(c).padStart(6)}  ${k}`);
  console.log('\ninclusive time by package');
  for (const [k, c] of [...inclBy].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(c).padStart(6)}  ${k}`);
}
function short(url) { return url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '').replace(/.*\/packages\//, 'packages/'); }
function pkgOf(url) {
  if (!url) return null;
  if (url.startsWith('node:')) return url;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url) ?? /packages\/([^/]+)\/(?:dist|src)\/(.*)$/.exec(url);
  if (!m) return short(url);
  return m[2] ? `@gatehouse-auth/${m[1]}/${m[2]}` : m[1];
}
