// Fixtures for the SQL stores: one PGlite (slow to start) shared by a test file, a fresh schema per fixture;
// for real PostgreSQL a fresh schema per fixture too, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { StoreFixture } from '@gatehouse-auth/testing/conformance';
import pg from 'pg';
import { inject } from 'vitest';
import { createPgliteStores, createPostgresStores, type PostgresStoresOptions } from '../../src/index.js';

/** A random key per test run, in the base64 form operators would configure. */
export const TEST_KEY = randomBytes(32).toString('base64');

export const DATABASE_URL = process.env.DATABASE_URL || undefined;
export const NO_DATABASE_URL =
  'DATABASE_URL is not set; start a throwaway server with `eval "$(bash scripts/pg-test.sh start)"` (CI always sets it)';

let counter = 0;
export const freshSchema = () => `gh_test_${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;

/** An in-memory PGlite started from the run's template data directory (skips initdb). */
export async function pgliteFromTemplate(): Promise<PGlite> {
  return PGlite.create({ loadDataDir: new Blob([await readFile(inject('pgliteTemplate'))]) });
}

let shared: Promise<PGlite> | undefined;
/** One in-memory PGlite per test file; fixtures get a schema each. */
export function sharedPglite(): Promise<PGlite> {
  shared ??= pgliteFromTemplate();
  return shared;
}
export async function closeSharedPglite(): Promise<void> {
  if (shared) await (await shared).close();
  shared = undefined;
}

export async function pgliteFixture(): Promise<StoreFixture> {
  const pglite = await sharedPglite();
  const schema = freshSchema();
  const stores = await createPgliteStores({ pglite, schema, encryptionKey: TEST_KEY });
  return {
    stores,
    // A second store object over the same database (PGlite is one process; this checks shared state and re-migration).
    async peer() {
      const other = await createPgliteStores({ pglite, schema, encryptionKey: TEST_KEY });
      return { stores: other, cleanup: () => other.close() };
    },
    async cleanup() {
      await stores.close();
      await pglite.exec(`DROP SCHEMA "${schema}" CASCADE`);
    },
  };
}

/** Stores on the real server in a fresh schema; `peer()` opens a second, separate `pg.Pool` on it. */
export async function postgresFixture(url: string, extra: Partial<PostgresStoresOptions> = {}): Promise<StoreFixture> {
  const schema = freshSchema();
  const open = () => createPostgresStores({ connectionString: url, schema, encryptionKey: TEST_KEY, poolConfig: { max: 10 }, ...extra });
  const stores = await open();
  return {
    stores,
    async peer() {
      const other = await open();
      return { stores: other, cleanup: () => other.close() };
    },
    async cleanup() {
      await stores.close();
      await dropSchema(url, schema);
    },
  };
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
