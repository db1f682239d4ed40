// Memory stays flat over a long run of logins (DESIGN §9: < 10% growth over 200k logins, every cache bounded).
//
// One Gatehouse process (bench/servers/memory-gatehouse.mjs, --expose-gc) serves api-key and alicloud logins;
// the STS emulator runs in its own process so its memory is not counted. Autocannon drives logins in ten equal
// batches, each connection alternating api-key and alicloud (a freshly signed body, new nonce, every time).
// After each batch the server runs two full GCs and reports process.memoryUsage(), the replay store's size and
// the number of live sessions ("live"); at 10%, 50% and 100% the bench then idles until every session and
// nonce has expired and been purged and samples again ("drained": what the process keeps for good). Growth is
// measured from the 10% point (JIT done, pools open, the live set at its steady size) to the end.
//
// With the in-memory stores, sessions and nonces live until they expire and `purgeExpired` removes them (a
// deployment runs it on a timer; here every second), so the live set is rate × lifetime by design. Short
// lifetimes make it reach its steady size during the warm-up. What must not grow is anything else.
import autocannon from 'autocannon';
import { buildAlicloudLoginBody } from '@gatehouse-auth/client';
import { ALICLOUD_KEY, API_KEY, IDENTITY_ID, startServer } from './servers/upstream-common.mjs';

const TTL_SECONDS = 15; // token TTL and max TTL
const SKEW_SECONDS = 15; // alicloud Timestamp skew = how long a nonce is kept (plus 1 s)
const PURGE_EVERY_MS = 1_000;
const CONNECTIONS = 16;
// Long enough that the stores' live set is at its steady size before the first batch, whatever the rate.
const WARMUP_SECONDS = Math.max(TTL_SECONDS, SKEW_SECONDS + 1) + 1;
const BATCHES = 10;
const DRAINED_AT = [1, 5, 10]; // batches after which the server also idles until its stores are empty
const DRAIN_MS = (Math.max(TTL_SECONDS, SKEW_SECONDS + 1) + 2) * 1000 + 2 * PURGE_EVERY_MS;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const JSON_POST = { method: 'POST', headers: { 'content-type': 'application/json' } };
const loginRequests = [
  { ...JSON_POST, path: '/api/v1/auth/api-key/login', body: JSON.stringify({ identityId: IDENTITY_ID, apiKey: API_KEY }) },
  {
    ...JSON_POST,
    path: '/api/v1/auth/alicloud-auth/login',
    setupRequest: (req) => ({
      ...req,
      body: JSON.stringify(buildAlicloudLoginBody({ identityId: IDENTITY_ID, accessKeyId: ALICLOUD_KEY.id, accessKeySecret: ALICLOUD_KEY.secret })),
    }),
  },
];

async function drive(origin, opts) {
  const r = await autocannon({ url: origin, connections: CONNECTIONS, requests: loginRequests, ...opts });
  // Correctness only: every login must succeed (timing is never asserted on shared machines).
  if (r.non2xx || r.errors) throw new Error(`memory bench: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r;
}

const mb = (bytes) => +(bytes / 2 ** 20).toFixed(1);
const pct = (from, to) => `${to >= from ? '+' : ''}${((100 * (to - from)) / from).toFixed(1)}%`;

export async function run({
  target = Number(process.env.MEMORY_LOGINS ?? 200_000),
  budgetSeconds = Number(process.env.MEMORY_BUDGET_SECONDS ?? 270),
} = {}) {
  const emulator = await startServer('upstream-emulator.mjs', { kind: 'alicloud', windowSeconds: SKEW_SECONDS });
  const server = await startServer(
    'memory-gatehouse.mjs',
    { emulatorUrl: emulator.origin, ttlSeconds: TTL_SECONDS, skewSeconds: SKEW_SECONDS, purgeEveryMs: PURGE_EVERY_MS },
    { execArgv: ['--expose-gc'] },
  );
  try {
    // Warm-up doubling as calibration: how many logins fit in the time budget on this machine right now.
    const warmup = await drive(server.origin, { duration: WARMUP_SECONDS });
    const rate = warmup.requests.total / WARMUP_SECONDS;
    const step = 10_000;
    const total = Math.max(step, Math.min(target, Math.floor((rate * budgetSeconds) / step) * step));
    const perBatch = total / BATCHES;

    const samples = [];
    const started = Date.now();
    let idleSeconds = 0;
    for (let batch = 1; batch <= BATCHES; batch++) {
      await drive(server.origin, { amount: perBatch });
      const sample = { batch, logins: batch * perBatch, ...(await server.ask('sample')) };
      if (DRAINED_AT.includes(batch)) {
        // Idle until every session and nonce of the batch has expired and been purged: what is left is what
        // the process keeps for good, the clearest view of a leak.
        await sleep(DRAIN_MS);
        idleSeconds += DRAIN_MS / 1000;
        sample.drained = await server.ask('sample');
      }
      samples.push(sample);
    }
    const seconds = (Date.now() - started) / 1000 - idleSeconds;

    const first = samples[0];
    const last = samples.at(-1);
    const note =
      `${total.toLocaleString('en')} logins${total < target ? ` (target ${target.toLocaleString('en')}: cut to fit ${budgetSeconds} s at the measured ${Math.round(rate)}/s)` : ''}` +
      ` in ${Math.round(seconds)} s (${Math.round(total / seconds)}/s), api-key and alicloud alternating over ${CONNECTIONS} connections;` +
      ` token TTL ${TTL_SECONDS} s, nonce skew ${SKEW_SECONDS} s, purgeExpired every ${PURGE_EVERY_MS / 1000} s; after ${WARMUP_SECONDS} s warm-up.` +
      ` Live: sampled right after the batch. Drained: after ${DRAIN_MS / 1000} s idle, every session and nonce expired and purged`;
    const rows = samples
      .filter((s) => DRAINED_AT.includes(s.batch) || process.env.MEMORY_ALL_POINTS)
      .map((s) => ({
        point: `${(100 * s.batch) / BATCHES}%`,
        logins: s.logins,
        'heapUsed MB': mb(s.heapUsed),
        'rss MB': mb(s.rss),
        'replay store entries': s.replaySize,
        'live sessions': s.liveSessions,
        'drained: heapUsed MB': s.drained ? mb(s.drained.heapUsed) : '',
        'drained: rss MB': s.drained ? mb(s.drained.rss) : '',
        'drained: replay entries / sessions': s.drained ? `${s.drained.replaySize} / ${s.drained.liveSessions}` : '',
        note: '',
      }));
    rows[0].note = note;
    const firstDrained = samples.find((s) => s.batch === DRAINED_AT[0]).drained;
    const lastDrained = last.drained;
    rows.push({
      point: 'growth 10%→100%',
      logins: last.logins - first.logins,
      'heapUsed MB': pct(first.heapUsed, last.heapUsed),
      'rss MB': pct(first.rss, last.rss),
      'replay store entries': `max ${Math.max(...samples.map((s) => s.replaySize))}`,
      'live sessions': `max ${Math.max(...samples.map((s) => s.liveSessions))}`,
      'drained: heapUsed MB': pct(firstDrained.heapUsed, lastDrained.heapUsed),
      'drained: rss MB': pct(firstDrained.rss, lastDrained.rss),
      'drained: replay entries / sessions': '',
      note: `${last.sessionsCreated.toLocaleString('en')} sessions issued in all; heapUsed after every 10%: ${samples.map((s) => mb(s.heapUsed)).join(', ')} MB`,
    });
    return rows;
  } finally {
    await Promise.all([server.stop(), emulator.stop()]);
  }
}
