// Password login throughput at equal hashing cost (argon2id 19 MiB, t=2, p=1): Gatehouse's ece-password strategy
// through @gatehouse-auth/express vs passport-local and better-auth on the same Express 5, each in its own process.
import { fork } from 'node:child_process';
import autocannon from 'autocannon';
import { USERS } from './servers/password-common.mjs';

const CONTENDERS = {
  gatehouse: { file: 'password-gatehouse.mjs', path: '/api/v1/users/auth/_login', body: (u) => ({ username: u.username, password: u.password }) },
  'passport-local': { file: 'password-passport.mjs', path: '/api/v1/users/auth/_login', body: (u) => ({ username: u.username, password: u.password }) },
  'better-auth': { file: 'password-better-auth.mjs', path: '/api/auth/sign-in/email', body: (u) => ({ email: u.email, password: u.password }) },
};

async function start(file) {
  const child = fork(new URL(`./servers/${file}`, import.meta.url), [], { stdio: 'ignore' });
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${file} exited ${code}`)));
  });
  return { port, stop: () => child.kill() };
}

export async function run({ duration = Number(process.env.BENCH_SECONDS ?? 8), rounds = Number(process.env.PASSWORD_ROUNDS ?? 3) } = {}) {
  const results = Object.fromEntries(Object.keys(CONTENDERS).map((k) => [k, { rps: [], p99: [] }]));
  for (let round = 0; round < rounds; round++) {
    // Each round starts with another contender, and every other round runs backwards: no one always goes first.
    const names = Object.keys(CONTENDERS);
    const order = [...names.slice(round % names.length), ...names.slice(0, round % names.length)];
    if (round % 2) order.reverse();
    for (const name of order) {
      const c = CONTENDERS[name];
      const server = await start(c.file);
      try {
        let next = 0;
        const opts = {
          url: `http://127.0.0.1:${server.port}${c.path}`,
          connections: 16,
          requests: [{ method: 'POST', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: JSON.stringify(c.body(USERS[next++ % USERS.length])) }) }],
        };
        await autocannon({ ...opts, duration: 1 });
        const r = await autocannon({ ...opts, duration });
        if (r.non2xx) throw new Error(`${name}: ${r.non2xx} non-2xx`);
        results[name].rps.push(r.requests.average);
        results[name].p99.push(r.latency.p99);
      } finally {
        server.stop();
      }
    }
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const base = mean(results.gatehouse.rps);
  return Object.entries(results).map(([name, r]) => ({
    contender: name,
    'logins/s': +mean(r.rps).toFixed(1),
    'p99 ms': mean(r.p99),
    'gatehouse / this': +(base / mean(r.rps)).toFixed(3),
    'per round': r.rps.map((x, i) => (results.gatehouse.rps[i] / x).toFixed(2)).join(' '),
  }));
}
