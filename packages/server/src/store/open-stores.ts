/**
 * Opens the configured store: embedded PGlite in `<dataDir>/pglite` (default), a PostgreSQL server, or
 * memory (tests). Secrets at rest (signing keys, MFA secrets) are encrypted by the store with the key.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createMemoryStores, type Stores } from '@gatehouse-auth/core';
import type { GatehouseConfig } from '../config/schema.js';

export interface OpenedStores {
  stores: Stores;
  driver: GatehouseConfig['store']['driver'];
  /** Where the data lives, for logs (never includes credentials). */
  location: string;
  /** One cheap query; throws when the store cannot answer. */
  check(): Promise<void>;
  /** The database schema version now and the one this code writes (null for the memory store). */
  schema: { expected: number; current(): Promise<number> } | null;
  close(): Promise<void>;
}

export const PGLITE_DIR = 'pglite';

/** `postgres://user:secret@host/db` → `postgres://host/db`: connection strings are never logged whole. */
export function redactConnectionString(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'postgres';
  }
}

const checkOf = (stores: Stores) => async () => {
  await stores.limiter.peek('gatehouse:healthz', new Date());
};

/** What `store.*` sets on the PostgreSQL stores: schema, pool size and the timeouts that bound an outage. */
export function postgresPoolOptions(config: GatehouseConfig) {
  return {
    schema: config.store.schema,
    poolConfig: { max: config.store.poolSize },
    connectionTimeoutMs: config.store.connectionTimeoutMs,
    statementTimeoutMs: config.store.statementTimeoutMs,
  };
}

export async function openStores(config: GatehouseConfig, encryptionKey: Buffer | null, onPoolError?: (err: Error) => void): Promise<OpenedStores> {
  const driver = config.store.driver;
  if (driver === 'memory') {
    const stores = createMemoryStores();
    return { stores, driver, location: 'memory', check: checkOf(stores), schema: null, close: async () => stores.close?.() };
  }
  if (!encryptionKey) throw new Error('an encryption key is required for a persistent store');
  // Loaded on demand: `gatehouse login …` never pays for the database drivers.
  const { createPgliteStores, createPostgresStores, SCHEMA_VERSION } = await import('@gatehouse-auth/store-postgres');
  const schemaOf = (stores: { schemaVersion(): Promise<number> }) => ({ expected: SCHEMA_VERSION, current: () => stores.schemaVersion() });
  if (driver === 'pglite') {
    const dir = join(config.dataDir, PGLITE_DIR);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stores = await createPgliteStores({ dataDir: dir, encryptionKey, schema: config.store.schema });
    return { stores, driver, location: dir, check: checkOf(stores), schema: schemaOf(stores), close: () => stores.close() };
  }
  const url = config.store.url!;
  const stores = await createPostgresStores({ connectionString: url, encryptionKey, ...postgresPoolOptions(config), ...(onPoolError ? { onPoolError } : {}) });
  return { stores, driver, location: redactConnectionString(url), check: checkOf(stores), schema: schemaOf(stores), close: () => stores.close() };
}
