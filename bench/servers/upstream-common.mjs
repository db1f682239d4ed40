// Shared by upstream.bench.mjs and memory.bench.mjs: the cloud principals the emulators know, and a small
// request/answer protocol over the fork() IPC channel so the parent can ask a child for its counters.
import { fork } from 'node:child_process';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

export const IDENTITY_ID = '00000000-0000-4000-8000-0000000000a1';

/** A RAM user the STS emulator knows; the alicloud identity allows its ARN. */
export const ALICLOUD_KEY = {
  id: 'LTAI5tBenchKey000000001',
  secret: 'benchSecret0123456789abcdefghij',
  arn: 'acs:ram::1234567890123456:user/bench',
  accountId: '1234567890123456',
  principalId: '216959339000009',
  identityType: 'RAMUser',
};

/** The api-key example strategy's key (memory bench). */
export const API_KEY = `ghk_${'M'.repeat(43)}`;

/** The OCI identity host callers sign for; Gatehouse relays it to the emulator through `relayOverride`. */
export const OCI_REGION = 'us-ashburn-1';
export const OCI_HOST = `identity.${OCI_REGION}.oraclecloud.com`;

/**
 * Forks `bench/servers/<file>` with one JSON argument, waits for its `{ port }`, and returns a handle whose
 * `ask(cmd)` sends `{ id, cmd }` and resolves with the child's answer.
 */
export async function startServer(file, config = {}, { execArgv = [], countAllocations = false } = {}) {
  const child = fork(new URL(`./${file}`, import.meta.url), [JSON.stringify(config)], {
    stdio: ['ignore', countAllocations ? 'pipe' : 'ignore', 'inherit', 'ipc'],
    execArgv: countAllocations ? [...execArgv, '--trace-gc-nvp'] : execArgv,
  });
  // Bytes the child allocated: V8 prints, at every collection, what was allocated since the previous one.
  let allocatedBytes = 0;
  if (countAllocations) {
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      partial += text;
      const lines = partial.split('\n');
      partial = lines.pop();
      for (const line of lines) {
        const m = / allocated=(\d+)/.exec(line);
        if (m) allocatedBytes += Number(m[1]);
      }
    });
  }
  const pending = new Map();
  let nextId = 0;
  const port = await new Promise((resolve, reject) => {
    child.on('message', (m) => {
      if (m && typeof m.port === 'number') resolve(m.port);
      else if (m && pending.has(m.id)) {
        pending.get(m.id).resolve(m.result);
        pending.delete(m.id);
      }
    });
    child.once('exit', (code, signal) => {
      const err = new Error(`${file} exited (${code ?? signal})`);
      reject(err);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    });
  });
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    ask: (cmd, args = {}) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: (result) => resolve(countAllocations && result && typeof result === 'object' ? { ...result, allocatedBytes } : result), reject });
        child.send({ id, cmd, ...args });
      }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill(), 2_000);
        child.once('exit', () => (clearTimeout(kill), resolve()));
        // Disconnecting lets the child exit on its own (and write a --cpu-prof profile); kill if it lingers.
        child.disconnect();
      }),
  };
}

/** Child side: report the port, answer `{ id, cmd }` with `handlers[cmd]`, and die with the parent. */
export function serve(port, handlers) {
  process.on('message', async (m) => {
    if (!m || typeof m.id !== 'number') return;
    const handler = handlers[m.cmd];
    process.send({ id: m.id, result: handler ? await handler(m) : { error: `unknown command ${m.cmd}` } });
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ port });
}

export function config() {
  return JSON.parse(process.argv[2] ?? '{}');
}

/**
 * Child side: what the process spent since the last `read()` — CPU time (robust to a busy machine, where
 * latency is not), GC pauses, and how late its event loop ran (a stall delays every request queued behind it).
 */
export function processMonitor() {
  let gc = { count: 0, totalMs: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.totalMs += e.duration;
      gc.maxMs = Math.max(gc.maxMs, e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let cpu = process.cpuUsage();
  return {
    read() {
      const used = process.cpuUsage(cpu);
      const out = { cpuMicros: used.user + used.system, gc, loopDelayP99Ms: loop.percentile(99) / 1e6, loopDelayMaxMs: loop.max / 1e6 };
      cpu = process.cpuUsage();
      gc = { count: 0, totalMs: 0, maxMs: 0 };
      loop.reset();
      return out;
    },
  };
}

/**
 * Child side: `allocStart` / `allocStop` commands for a sampling heap profile that keeps collected objects too,
 * so it shows where garbage is made (bench/alloc-profile.mjs). Sites are reported by function, with callers.
 */
export async function allocationProfiler() {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  return {
    allocStart: async () => {
      await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
      return { ok: true };
    },
    allocStop: async () => {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      const bySite = new Map();
      let total = 0;
      const short = (url) => url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '').replace(/.*\/packages\//, '');
      const walk = (node, stack) => {
        const f = node.callFrame;
        const name = `${f.functionName || '(anonymous)'} ${short(f.url)}:${f.lineNumber + 1}`;
        total += node.selfSize;
        if (node.selfSize) {
          const key = [...stack.slice(-2), name].join(' < ');
          bySite.set(key, (bySite.get(key) ?? 0) + node.selfSize);
        }
        for (const c of node.children) walk(c, [...stack, name]);
      };
      walk(profile.head, []);
      // And by the package of the allocating function (node: internals, a package, or Gatehouse's own).
      const byPackage = new Map();
      for (const [site, bytes] of bySite) {
        const last = site.split(' < ').pop();
        const url = last.slice(last.lastIndexOf(' ') + 1);
        const pkg = url.startsWith('node:') ? 'node' : /^(@[^/]+\/[^/]+|[^/:]+)\//.exec(url)?.[1] ?? (url.startsWith(':') ? 'builtins' : url);
        byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytes);
      }
      return { total, sites: [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 80), packages: [...byPackage].sort((a, b) => b[1] - a[1]) };
    },
  };
}
