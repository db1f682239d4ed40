// Login throughput through each adapter vs a hand-written handler on the bare framework doing the same
// cryptography (bench/servers/common.mjs). Each server runs in its own process; autocannon drives it from this one.
// Pairs are interleaved (gatehouse, bare, gatehouse, bare) so drift on a shared machine hits both alike.
import { fork } from 'node:child_process';
import autocannon from 'autocannon';
import { API_KEY, IDENTITY_ID } from './servers/common.mjs';

const body = JSON.stringify({ identityId: IDENTITY_ID, apiKey: API_KEY });

async function start(framework, mode) {
  const child = fork(new URL(`./servers/${framework}.mjs`, import.meta.url), [mode], { stdio: 'ignore' });
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${framework} ${mode} exited ${code}`)));
  });
  return { port, stop: () => child.kill() };
}

async function load(port, duration) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/api/v1/auth/api-key/login`,
    method: 'POST', headers: { 'content-type': 'application/json' }, body,
    connections: 50, duration,
  });
  if (result.non2xx) throw new Error(`${result.non2xx} non-2xx responses`);
  return result;
}

export async function run({ duration = Number(process.env.BENCH_SECONDS ?? 5), rounds = 2 } = {}) {
  const rows = [];
  for (const framework of ['fastify', 'express', 'koa']) {
    const totals = { gatehouse: [], bare: [] };
    const p99 = { gatehouse: [], bare: [] };
    for (let round = 0; round < rounds; round++) {
      for (const mode of round % 2 ? ['bare', 'gatehouse'] : ['gatehouse', 'bare']) {
        const server = await start(framework, mode);
        try {
          await load(server.port, 1); // warm-up
          const r = await load(server.port, duration);
          totals[mode].push(r.requests.average);
          p99[mode].push(r.latency.p99);
        } finally {
          server.stop();
        }
      }
    }
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    rows.push({
      framework,
      'gatehouse req/s': Math.round(mean(totals.gatehouse)),
      'bare req/s': Math.round(mean(totals.bare)),
      'gatehouse/bare': +(mean(totals.gatehouse) / mean(totals.bare)).toFixed(3),
      'gatehouse p99 ms': mean(p99.gatehouse),
      'bare p99 ms': mean(p99.bare),
    });
  }
  return rows;
}
