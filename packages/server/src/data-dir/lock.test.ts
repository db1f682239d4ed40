import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDataDir } from './lock.js';

describe('data folder lock', () => {
  it('a second holder is refused with the holder named; released locks can be taken again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-lock-'));
    const lock = lockDataDir(dir, 'a gatehouse server');
    // The same process cannot be told apart from itself: a live *other* pid is what matters.
    writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\na gatehouse server\n`);
    expect(() => lockDataDir(dir, 'an admin command')).toThrow(new RegExp(`in use by a gatehouse server \\(pid ${process.ppid}\\)`));
    writeFileSync(join(dir, LOCK_FILE), `${process.pid}\n`);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDataDir(dir, 'again').release();
  });

  it('a lock left by a dead process is taken over', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-lock-'));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(join(dir, LOCK_FILE), `${dead}\nsomething\n`);
    const lock = lockDataDir(dir, 'me');
    lock.release();
  });
});
