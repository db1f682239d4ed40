import type { PGlite } from '@electric-sql/pglite';
import { createSqlStores, parseStoreOptions, type SqlStores, type SqlStoresOptions } from './create-stores.js';
import { createPgliteExecutor } from './sql/pglite-executor.js';

export interface PgliteStoresOptions extends SqlStoresOptions {
  /** Directory for the database files; created (initdb) on first start. Undefined = in memory. */
  dataDir?: string;
  /** An open PGlite you own (not closed by `close()`); takes precedence over `dataDir`. */
  pglite?: PGlite;
}

/**
 * Every Gatehouse store on embedded PGlite (PostgreSQL compiled to WebAssembly, in process): the same
 * SQL and migrations as `createPostgresStores`, with nothing to install. One process per data directory.
 */
export async function createPgliteStores(options: PgliteStoresOptions): Promise<SqlStores> {
  const parsed = parseStoreOptions(options);
  let db = options.pglite;
  if (!db) {
    const { PGlite } = await import('@electric-sql/pglite');
    db = await PGlite.create(options.dataDir);
  }
  return createSqlStores(createPgliteExecutor(db, !options.pglite), parsed);
}
