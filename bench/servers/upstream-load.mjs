// An open-loop, evenly paced load generator over N keep-alive connections (one undici Client each).
//
// Why not autocannon's `overallRate`: autocannon gives each connection a per-second quota, and every
// connection's quota refills at the same instant (one 1 s interval per connection, all created together), so
// 400 req/s over 200 connections arrives as 200 concurrent requests, then 200 more, at the top of each second.
// The p99 of that measures how long a 2-core machine takes to drain a burst (CPU queueing), not what each
// request costs. (Its coordinated-omission correction also takes 1/rate per connection, in ms, as the
// expected interval — 1 ms here — and fills the histogram with synthetic samples for every slower response.)
// Here request i is sent at t0 + i/rate on connection i mod N: the offered load is smooth, and all N
// connections stay open and in use.
import { performance } from 'node:perf_hooks';
import { Client } from 'undici';

export function createPacedLoad(origin, connections) {
  const clients = Array.from({ length: connections }, () => new Client(origin, { pipelining: 1, keepAliveTimeout: 60_000 }));

  /** Sends `rate × seconds` requests built by `next(i)` ({ method, path, headers, body }); returns latencies. */
  async function run({ rate, seconds, next }) {
    const total = Math.max(1, Math.round(rate * seconds));
    const latencies = new Float64Array(total);
    const statuses = {};
    let errors = 0;
    let firstFailure;
    let sent = 0;
    let done = 0;
    let lastSend = 0;
    const t0 = performance.now();
    await new Promise((resolve) => {
      const finish = () => {
        if (++done === total) resolve();
      };
      const fire = (i) => {
        const request = next(i);
        const start = performance.now();
        lastSend = start;
        clients[i % connections]
          .request(request)
          .then(async (res) => {
            const text = await res.body.text();
            latencies[i] = performance.now() - start;
            statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
            if (res.statusCode >= 300) firstFailure ??= `${res.statusCode} ${text.slice(0, 300)}`;
          })
          .catch((err) => {
            errors++;
            firstFailure ??= String(err);
          })
          .finally(finish);
      };
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
        while (sent < due) fire(sent++);
        if (sent < total) setTimeout(tick, 1);
      };
      tick();
    });
    // The rate the requests actually went out at: below `rate` means this process fell behind the schedule.
    const sendRate = total / ((lastSend - t0) / 1000 + 1 / rate);
    const sorted = latencies.sort();
    const pct = (p) => sorted[Math.min(total - 1, Math.ceil((p / 100) * total) - 1)];
    const ok = Object.entries(statuses).reduce((n, [code, count]) => n + (code >= 200 && code < 300 ? count : 0), 0);
    return { total, ok, non2xx: total - ok - errors, errors, firstFailure, sendRate, p50: pct(50), p90: pct(90), p99: pct(99), max: sorted[total - 1] };
  }

  return { run, close: () => Promise.all(clients.map((c) => c.close())) };
}
