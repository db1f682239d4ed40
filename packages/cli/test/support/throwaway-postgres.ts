/**
 * A PostgreSQL server of its own for a test that takes the database down (the shared test server must stay
 * up for the other suites): started by scripts/pg-test.sh in a separate state folder, stopped and started again
 * on the same port, or frozen with SIGSTOP like a machine that stopped answering.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SCRIPT = fileURLToPath(new URL('../../../../scripts/pg-test.sh', import.meta.url));
const run = promisify(execFile);

export interface ThrowawayPostgres {
  url: string;
  /** `pg_ctl stop -m fast`: sessions are terminated, new connections refused. */
  halt(): Promise<void>;
  /** Starts it again on the same port. */
  resume(): Promise<void>;
  /** SIGSTOP to the postmaster and every process it started: connections hang, nothing answers. */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** Stops it and deletes its files. */
  stop(): Promise<void>;
}

/** The postmaster and its children (backends, checkpointer, …), from /proc. */
function processTree(root: number): number[] {
  const pids = [root];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === root) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const state = mkdtempSync(join(tmpdir(), 'gh-pg-outage-'));
  const script = (command: string) => run('bash', [SCRIPT, command], { env: { ...process.env, PG_TEST_STATE: state }, maxBuffer: 1 << 20 });
  const { stdout } = await script('start');
  const url = /export DATABASE_URL=(\S+)/.exec(stdout)?.[1];
  if (!url) throw new Error('pg-test.sh start printed no DATABASE_URL');
  let frozen: number[] = [];
  const thaw = async () => {
    for (const pid of frozen.slice().reverse()) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // Already gone.
      }
    }
    frozen = [];
  };
  return {
    url,
    halt: async () => void (await script('halt')),
    resume: async () => void (await script('resume')),
    async freeze() {
      const postmaster = Number((await script('pid')).stdout.trim());
      process.kill(postmaster, 'SIGSTOP');
      frozen = processTree(postmaster);
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    },
    thaw,
    async stop() {
      await thaw();
      await script('stop');
    },
  };
}
