// Login throughput through each adapter vs a hand-written handler on the bare framework doing the same
// cryptography (bench/servers/common.mjs), and — for issue 18's claim that telemetry without an SDK costs
// nothing — Fastify + Gatehouse with the OpenTelemetry API's no-ops against the same with the telemetry code
// path bypassed (`telemetry: { enabled: false }`); and Fastify + Gatehouse signing with libsodium (sodium-native is
// installed here, so that is the default) against the same signing with node:crypto, to show what that part is worth.
//
// Both servers of a pair run at once, each in its own process, warmed up first; autocannon (in this process)
// then loads them one at a time, alternating A, B, B, A, A, B… so drift on a shared machine hits both alike.
// Two measures per phase: requests per second (the claim), and the server's CPU time per request
// (process.cpuUsage, over IPC), which other load on the machine distorts far less than throughput.
import { fork } from 'node:child_process';
import autocannon from 'autocannon';
import { API_KEY, IDENTITY_ID } from './servers/common.mjs';
import { median } from './interleave.mjs';

const body = JSON.stringify({ identityId: IDENTITY_ID, apiKey: API_KEY });

async function start(framework, mode) {
  const child = fork(new URL(`./servers/${framework}.mjs`, import.meta.url), [mode], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${framework} ${mode} exited ${code}`)));
  });
  const cpu = () =>
    new Promise((resolve) => {
      const on = (m) => {
        if (m && m.cpu) {
          child.off('message', on);
          resolve(m.cpu.user + m.cpu.system);
        }
      };
      child.on('message', on);
      child.send('cpu');
    });
  return { port, cpu, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.disconnect())) };
}

async function load(server, duration) {
  const before = await server.cpu();
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}/api/v1/auth/api-key/login`,
    method: 'POST', headers: { 'content-type': 'application/json' }, body,
    connections: 50, duration,
  });
  const cpuMicros = (await server.cpu()) - before;
  if (result.non2xx || result.errors) throw new Error(`${result.non2xx} non-2xx responses, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99, cpuPerRequest: cpuMicros / result.requests.total };
}

/** A/B over `rounds` pairs of phases, order alternating; ratios of B over A within each round. */
async function pair(framework, modeA, modeB, { duration, rounds }) {
  const a = await start(framework, modeA);
  const b = await start(framework, modeB);
  try {
    await load(a, 2); // warm-up: the code is optimised before anything is timed
    await load(b, 2);
    const phases = { a: [], b: [] };
    for (let round = 0; round < rounds; round++) {
      for (const which of round % 2 ? ['b', 'a'] : ['a', 'b']) phases[which].push(await load(which === 'a' ? a : b, duration));
    }
    return phases;
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}

export async function run({ duration = Number(process.env.BENCH_SECONDS ?? 4), rounds = Number(process.env.ADAPTER_ROUNDS ?? 4) } = {}) {
  const rows = [];
  const mean = (xs) => xs.reduce((x, y) => x + y, 0) / xs.length;
  const describe = (name, A, B, { a, b }) => {
    const perRound = a.map((x, i) => x.rps / b[i].rps);
    const cpuPerRound = a.map((x, i) => b[i].cpuPerRequest / x.cpuPerRequest);
    rows.push({
      comparison: name,
      [`A req/s`]: Math.round(mean(a.map((x) => x.rps))),
      [`B req/s`]: Math.round(mean(b.map((x) => x.rps))),
      'A/B req/s': +(mean(a.map((x) => x.rps)) / mean(b.map((x) => x.rps))).toFixed(3),
      'A/B per round': perRound.map((r) => r.toFixed(2)).join(' '),
      'server CPU µs/req, A / B': `${median(a.map((x) => x.cpuPerRequest)).toFixed(0)} / ${median(b.map((x) => x.cpuPerRequest)).toFixed(0)}`,
      'A/B by CPU': +median(cpuPerRound).toFixed(3),
      'p99 ms, A / B': `${mean(a.map((x) => x.p99))} / ${mean(b.map((x) => x.p99))}`,
      A,
      B,
    });
  };
  for (const framework of ['fastify', 'express', 'koa']) {
    describe(`${framework}: gatehouse (A) vs bare (B)`, 'gatehouse', 'bare', await pair(framework, 'gatehouse', 'bare', { duration, rounds }));
  }
  describe('fastify gatehouse: telemetry API no-op (A) vs telemetry bypassed (B)', 'gatehouse', 'gatehouse-no-telemetry', await pair('fastify', 'gatehouse', 'gatehouse-no-telemetry', { duration, rounds }));
  describe('fastify gatehouse: EdDSA by libsodium (A) vs by node:crypto (B)', 'gatehouse', 'gatehouse-node-crypto', await pair('fastify', 'gatehouse', 'gatehouse-node-crypto', { duration, rounds }));
  return rows;
}
