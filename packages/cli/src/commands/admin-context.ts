/**
 * Admin commands work directly on the configured store (the same config file as the server). With
 * embedded PGlite that means the server must not be running (one process per data folder: the lock says
 * so clearly); with PostgreSQL they run alongside it.
 */
import { mkdirSync } from 'node:fs';
import type { Gatehouse } from '@gatehouse-auth/core';
import { assertDemoAllowed, loadConfig, type LoadedConfig } from '@gatehouse-auth/server/config';
import { findConfigPath } from '../cli/config-path.js';
import type { CliIo } from '../cli/io.js';
import { CliError } from '../errors.js';

export interface AdminContext {
  gatehouse: Gatehouse;
  loaded: LoadedConfig;
}

/** Placeholders for demo upstreams: the admin needs the strategies' config schemas, not the emulators. */
const OFFLINE_DEMO_UPSTREAMS = { stsUrl: 'http://127.0.0.1:9', ociRelay: {}, idp: null };

export async function withAdmin<T>(io: CliIo, configFlag: string | undefined, fn: (ctx: AdminContext) => Promise<T>): Promise<T> {
  const loaded = loadConfig(findConfigPath(io, configFlag), io.env);
  const { config } = loaded;
  assertDemoAllowed(config, io.env);
  if (config.store.driver === 'memory') throw new CliError('the config uses the memory store: there is nothing to administer outside the server process');
  // Like the server: a first admin command on a fresh data folder creates it (PGlite's initdb included).
  if (config.store.driver === 'pglite') mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // Loaded here, not at the top: commands that need no store start faster.
  const [{ resolveEncryptionKey, buildStrategies, openStores, issuerOptionsFrom, lockDataDir }, { createGatehouse }] = await Promise.all([
    import('@gatehouse-auth/server'),
    import('@gatehouse-auth/core'),
  ]);
  const lock = config.store.driver === 'pglite' ? lockDataDir(config.dataDir, 'a gatehouse admin command') : null;
  try {
    const key = resolveEncryptionKey({ configured: config.encryptionKey, demo: config.mode === 'demo', dataDir: config.dataDir, needed: true });
    const opened = await openStores(config, key.key);
    const gatehouse = createGatehouse({
      strategies: buildStrategies(config, config.mode === 'demo' ? OFFLINE_DEMO_UPSTREAMS : null, io.env),
      stores: opened.stores,
      issuer: issuerOptionsFrom(config),
    });
    try {
      return await fn({ gatehouse, loaded });
    } finally {
      await gatehouse.close();
    }
  } finally {
    lock?.release();
  }
}
