/** The example's config and login page, started in this process (memory store, free ports, a throwaway data folder). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { loadConfig, startServer, type RunningServer } from '@gatehouse-auth/server';
import { mountLoginPage } from '../../src/mount-login-page.js';

export const EXAMPLE_CONFIG = fileURLToPath(new URL('../../gatehouse.config.yaml', import.meta.url));

export const sink = () => new Writable({ write: (_chunk, _enc, cb) => cb() });

export async function startExampleInProcess(): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-example-'));
  const loaded = loadConfig(EXAMPLE_CONFIG, { GATEHOUSE_PORT: '0', GATEHOUSE_TLS_PORT: '0', GATEHOUSE_DATA_DIR: dataDir });
  loaded.config.store.driver = 'memory';
  return startServer(loaded, { env: {}, out: sink(), logDestination: sink(), register: mountLoginPage });
}
