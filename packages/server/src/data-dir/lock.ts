/**
 * Embedded PGlite is single-process: two processes opening one data folder would corrupt it. The server
 * (and each admin command) holds `<dataDir>/gatehouse.pid`; a second opener gets a clear error instead.
 * A lock whose process is gone is stale and taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataDirInUseError } from '../errors.js';

export const LOCK_FILE = 'gatehouse.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string, purpose: string): DataDirLock {
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n${purpose}\n`, { flag: 'wx', mode: 0o600 });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (readFileSync(file, 'utf8').split('\n')[0] === String(process.pid)) rmSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: number | null = null;
      let what = 'another process';
      try {
        const [pidLine, purposeLine] = readFileSync(file, 'utf8').split('\n');
        holder = Number(pidLine);
        if (purposeLine) what = purposeLine;
      } catch {
        // unreadable: treat as stale
      }
      if (holder && Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
        throw new DataDirInUseError(
          `the data folder ${dataDir} is in use by ${what} (pid ${holder}); embedded PGlite allows one process at a time: stop it first, or use PostgreSQL (DATABASE_URL) to share a store`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new DataDirInUseError(`could not lock the data folder ${dataDir}`);
}
