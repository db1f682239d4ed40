// What the upstream strategies add to a login on top of the cloud call itself (DESIGN §9: under 2 ms p99 over
// the emulator's own latency at 200 concurrent logins, keep-alive pooling, under 20 KB allocated per login).
//
// Four processes per strategy: the emulator (bench/servers/upstream-emulator.mjs), Fastify + Gatehouse with
// the strategy pointed at it (upstream-gatehouse.mjs), a hand-written relay on the same stack (upstream-bare.mjs,
// the floor), and this one driving load over 200 keep-alive connections at a fixed, evenly paced rate well below
// saturation (upstream-load.mjs says why not autocannon for this part). Three paths, interleaved
// direct/via/bare, bare/via/direct so drift on a shared machine hits them alike:
//   direct: the signed GET the strategy relays, sent straight to the emulator (a fresh one per call);
//   via:    the Gatehouse login with a fresh body per call; Gatehouse relays that same signed GET;
//   bare:   the same body to the hand-written relay, which sends the same GET and signs a token.
// The difference of p99s is what Gatehouse adds: parsing and validation, local checks, the relay through
// its pooled undici client, issuing and signing the token. Each server counts what it allocates (V8's own count,
// --trace-gc-nvp). Autocannon (200 connections, closed loop) measures the saturation throughput of the via path,
// to show where the offered rate sits.
import { cpus } from 'node:os';
import autocannon from 'autocannon';
import { buildAlicloudLoginBody, buildOciLoginBody } from '@gatehouse-auth/client';
import { percentEncode } from '@gatehouse-auth/testing/sts';
import { createOciTestUser, randomOcid } from '@gatehouse-auth/testing/oci';
import { ALICLOUD_KEY, IDENTITY_ID, OCI_REGION, startServer } from './servers/upstream-common.mjs';
import { createPacedLoad } from './servers/upstream-load.mjs';

const CONNECTIONS = 200;
const WARMUP_SECONDS = 2;
const FIRST_WARMUP_SECONDS = 10;
const SATURATION_SECONDS = 3;
const JSON_POST = { method: 'POST', headers: { 'content-type': 'application/json' } };

/** Exactly the query the strategy builds (strategy-alicloud percent-encode.ts): every parameter, name order. */
const stsQuery = (params) =>
  Object.keys(params)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k])}`)
    .join('&');

/** alicloud: every body carries its own SignatureNonce (STS and Gatehouse both refuse a reused one). */
async function alicloudSetup() {
  const sign = () => buildAlicloudLoginBody({ identityId: IDENTITY_ID, accessKeyId: ALICLOUD_KEY.id, accessKeySecret: ALICLOUD_KEY.secret });
  return {
    emulatorConfig: { kind: 'alicloud' },
    gatehouseConfig: { kind: 'alicloud' },
    loginPath: '/api/v1/auth/alicloud-auth/login',
    note: 'each request a fresh SignatureNonce (HMAC-SHA1 signed before the timed run)',
    // Pools are signed before each timed run, so signing never competes with the servers for CPU.
    pool(n) {
      const bodies = Array.from({ length: n }, sign);
      return {
        direct: (i) => {
          const { identityId: _identityId, ...signed } = bodies[i];
          return { method: 'GET', path: `/?${stsQuery(signed)}`, headers: { accept: 'application/json' } };
        },
        via: (i) => ({ ...JSON_POST, path: '/api/v1/auth/alicloud-auth/login', body: JSON.stringify(bodies[i]) }),
        bare: (i) => ({ ...JSON_POST, path: '/login', body: JSON.stringify(bodies[i]) }),
      };
    },
    freshBody: () => JSON.stringify(sign()),
  };
}

/**
 * oci: RSA-2048 signing costs ~1 ms, and signatures of one user within one second are identical, so a pool of
 * 256 distinct signed requests (4 users × 64 signing seconds, all inside OCI's ±5 min) is signed up front and
 * cycled. That is why `replayProtection` is off here: with it on, a cycled body is (rightly) refused.
 */
async function ociSetup() {
  const tenancyId = randomOcid('tenancy');
  const users = Array.from({ length: 4 }, (_, i) => createOciTestUser({ tenancyId, name: `bench-${i}` }));
  const now = Date.now();
  const bodies = [];
  for (let second = 0; second < 64; second++) {
    for (const u of users) {
      bodies.push(
        await buildOciLoginBody({
          identityId: IDENTITY_ID, userOcid: u.id, tenancyOcid: tenancyId, fingerprint: u.fingerprint, privateKeyPem: u.privateKeyPem, region: OCI_REGION, now: new Date(now - second * 1000),
        }),
      );
    }
  }
  const directs = bodies.map((b) => {
    // Forward what the strategy forwards: the authorization header and the headers it signs.
    const signedNames = /headers="([^"]*)"/.exec(b.headers.authorization)[1].split(' ').filter((h) => h !== '(request-target)');
    const headers = { authorization: b.headers.authorization, accept: 'application/json' };
    for (const name of signedNames) headers[name] = b.headers[name];
    return { method: 'GET', path: `/20160918/users/${encodeURIComponent(b.userOcid)}`, headers };
  });
  const posts = bodies.map((b) => JSON.stringify(b));
  let next = 0;
  return {
    emulatorConfig: { kind: 'oci', users: users.map(({ privateKeyPem: _privateKeyPem, ...u }) => u) },
    gatehouseConfig: { kind: 'oci', tenancyOcid: tenancyId },
    loginPath: '/api/v1/auth/oci-auth/login',
    note: `${bodies.length} distinct RSA-signed requests cycled; replayProtection: false (identical signatures within one second)`,
    pool: () => ({
      direct: (i) => directs[i % directs.length],
      via: (i) => ({ ...JSON_POST, path: '/api/v1/auth/oci-auth/login', body: posts[i % posts.length] }),
      bare: (i) => ({ ...JSON_POST, path: '/login', body: posts[i % posts.length] }),
    }),
    freshBody: () => posts[next++ % posts.length],
  };
}

async function saturation(origin, path, freshBody) {
  const r = await autocannon({
    url: `${origin}${path}`,
    connections: CONNECTIONS,
    duration: SATURATION_SECONDS,
    requests: [{ ...JSON_POST, setupRequest: (req) => ({ ...req, body: freshBody() }) }],
  });
  if (r.non2xx || r.errors) throw new Error(`saturation run: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r.requests.average;
}

async function measure(name, setup, { rate, seconds, rounds }) {
  const emulator = await startServer('upstream-emulator.mjs', setup.emulatorConfig);
  const gatehouse = await startServer('upstream-gatehouse.mjs', { ...setup.gatehouseConfig, emulatorUrl: emulator.origin }, { countAllocations: true });
  // The floor: a hand-written relay on the same stack (Fastify, undici), no auth logic (servers/upstream-bare.mjs).
  const bare = await startServer('upstream-bare.mjs', { kind: setup.emulatorConfig.kind, emulatorUrl: emulator.origin }, { countAllocations: true });
  const toEmulator = createPacedLoad(emulator.origin, CONNECTIONS);
  const toGatehouse = createPacedLoad(gatehouse.origin, CONNECTIONS);
  const toBare = createPacedLoad(bare.origin, CONNECTIONS);
  try {
    const phases = { direct: [], via: [], bare: [] };
    const viaConnections = [];
    let viaLogins = 0;
    let directConnections = 0;
    // A fresh Gatehouse process needs a few thousand logins before its code is optimised; run them first.
    const first = setup.pool(Math.round(rate * FIRST_WARMUP_SECONDS));
    const start = await emulator.ask('stats');
    viaLogins += check(name, 'warm-up', await toGatehouse.run({ rate, seconds: FIRST_WARMUP_SECONDS, next: first.via })).total;
    viaConnections.push((await emulator.ask('stats')).connections - start.connections);
    const firstBare = setup.pool(Math.round(rate * FIRST_WARMUP_SECONDS));
    check(name, 'bare warm-up', await toBare.run({ rate, seconds: FIRST_WARMUP_SECONDS, next: firstBare.bare }));
    const stats = { via: gatehouse, bare };
    for (let round = 0; round < rounds; round++) {
      for (const path of round % 2 ? ['bare', 'via', 'direct'] : ['direct', 'via', 'bare']) {
        const load = path === 'direct' ? toEmulator : path === 'via' ? toGatehouse : toBare;
        const server = stats[path] ?? gatehouse;
        const warm = setup.pool(Math.round(rate * WARMUP_SECONDS));
        const timed = setup.pool(Math.round(rate * seconds));
        const before = await emulator.ask('stats');
        const w = check(name, path, await load.run({ rate, seconds: WARMUP_SECONDS, next: warm[path] }));
        // Each `stats` answer covers the time since the previous one: these two open the timed window.
        const [emulatorMid, gatehouseMid] = await Promise.all([emulator.ask('stats'), server.ask('stats')]);
        const r = check(name, path, await load.run({ rate, seconds, next: timed[path] }));
        const [emulatorEnd, gatehouseEnd] = await Promise.all([emulator.ask('stats'), server.ask('stats')]);
        phases[path].push({
          ...r,
          emulator: emulatorEnd,
          gatehouse: gatehouseEnd,
          upstreamCalls: emulatorEnd.requests - emulatorMid.requests,
          gatehouseAllocated: gatehouseEnd.allocatedBytes - gatehouseMid.allocatedBytes,
        });
        if (path === 'via') {
          viaConnections.push(emulatorEnd.connections - before.connections);
          viaLogins += w.total + r.total;
        } else if (path === 'direct') {
          directConnections += emulatorEnd.connections - before.connections;
        }
      }
    }
    const saturated = await saturation(gatehouse.origin, setup.loginPath, setup.freshBody);

    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const avg = (path, pick) => mean(phases[path].map(pick));
    const ms = (v) => +v.toFixed(2);
    const perRequest = (path, who) => avg(path, (p) => p[who].cpuMicros / p.total / 1000).toFixed(3);
    const gcOf = (path, who) => {
      const gc = phases[path].map((p) => p[who].gc);
      return `${Math.round(mean(gc.map((g) => g.count)) / seconds)}/s, max ${ms(Math.max(...gc.map((g) => g.maxMs)))} ms`;
    };
    const loopOf = (path, who) => `${ms(avg(path, (p) => p[who].loopDelayP99Ms))} / ${ms(Math.max(...phases[path].map((p) => p[who].loopDelayMaxMs)))}`;
    return {
      'offered req/s': rate,
      'sent req/s': Math.round(Math.min(avg('via', (p) => p.sendRate), avg('direct', (p) => p.sendRate))),
      'direct p50 ms': ms(avg('direct', (p) => p.p50)),
      'direct p99 ms': ms(avg('direct', (p) => p.p99)),
      'via p50 ms': ms(avg('via', (p) => p.p50)),
      'via p99 ms': ms(avg('via', (p) => p.p99)),
      'Δp50 ms': ms(avg('via', (p) => p.p50) - avg('direct', (p) => p.p50)),
      'Δp99 ms': ms(avg('via', (p) => p.p99) - avg('direct', (p) => p.p99)),
      'Δp99 per round ms': phases.via.map((v, i) => ms(v.p99 - phases.direct[i].p99)).join(' / '),
      'Gatehouse CPU ms/login': perRequest('via', 'gatehouse'),
      // Everything the Gatehouse process allocated during the timed via phases (V8's own count at each
      // collection, --trace-gc-nvp), per login: HTTP parsing, the relay, undici, token issuing — all of it.
      'Gatehouse KB allocated per login': +(avg('via', (p) => p.gatehouseAllocated / p.total) / 1024).toFixed(1),
      'bare relay: p50 / p99 ms': `${ms(avg('bare', (p) => p.p50))} / ${ms(avg('bare', (p) => p.p99))}`,
      'bare relay: Δp50 / Δp99 ms over direct': `${ms(avg('bare', (p) => p.p50) - avg('direct', (p) => p.p50))} / ${ms(avg('bare', (p) => p.p99) - avg('direct', (p) => p.p99))}`,
      'bare relay: KB allocated / CPU ms per request': `${(avg('bare', (p) => p.gatehouseAllocated / p.total) / 1024).toFixed(1)} / ${perRequest('bare', 'gatehouse')}`,
      'bare relay GC pauses': gcOf('bare', 'gatehouse'),
      'emulator CPU ms/req, direct / via': `${perRequest('direct', 'emulator')} / ${perRequest('via', 'emulator')}`,
      'Gatehouse GC pauses (via)': gcOf('via', 'gatehouse'),
      'emulator GC pauses, direct / via': `${gcOf('direct', 'emulator')} / ${gcOf('via', 'emulator')}`,
      'event-loop delay p99 / max ms: Gatehouse (via)': loopOf('via', 'gatehouse'),
      'event-loop delay p99 / max ms: emulator (direct)': loopOf('direct', 'emulator'),
      'TCP conns Gatehouse opened to the emulator': `${viaConnections.reduce((a, b) => a + b, 0)} for ${viaLogins} logins (${viaConnections.join(' + ')})`,
      'new TCP conns, direct (all rounds)': directConnections,
      'upstream calls per login': +avg('via', (p) => p.upstreamCalls / p.total).toFixed(3),
      'saturation req/s (via, closed loop)': Math.round(saturated),
      requests: setup.note,
    };
  } finally {
    await Promise.all([toEmulator.close(), toGatehouse.close(), toBare.close()]);
    await Promise.all([gatehouse.stop(), bare.stop(), emulator.stop()]);
  }
}

/** Correctness only: every response 2xx, no transport errors. Timing is never asserted (shared machines). */
function check(name, path, r) {
  if (r.non2xx || r.errors) throw new Error(`${name} ${path}: ${r.non2xx} non-2xx, ${r.errors} errors; first: ${r.firstFailure}`);
  return r;
}

export async function run({
  rate = Number(process.env.UPSTREAM_RATE ?? 400),
  seconds = Number(process.env.BENCH_SECONDS ?? 10),
  rounds = Number(process.env.UPSTREAM_ROUNDS ?? 2),
} = {}) {
  const alicloud = await measure('alicloud', await alicloudSetup(), { rate, seconds, rounds });
  const oci = await measure('oci', await ociSetup(), { rate, seconds, rounds });
  // One row per measure, one column per strategy: easier to read than seventeen columns.
  const rows = Object.keys(alicloud).map((measure) => ({ measure, alicloud: alicloud[measure], oci: oci[measure] }));
  rows.push({ measure: 'setup', alicloud: `${CONNECTIONS} keep-alive connections, ${seconds} s timed per phase after ${WARMUP_SECONDS} s warm-up, ${rounds} rounds; emulator, Gatehouse, the bare relay and load in 4 processes on one ${cpus().length}-core machine`, oci: '' });
  return rows;
}
