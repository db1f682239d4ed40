import type { PGlite } from '@electric-sql/pglite';
import { createSqlStores, parseStoreOptions, type SqlStores, type SqlStoresOptions } from './create-stores.js';
import { createPgliteExecutor } from './sql/pglite-executor.js';

export interface PgliteStoresOptions extends SqlStoresOptions {
  /** Directory for the database files; created (initdb) on first start. Undefined = in memory. */
  dataDir?: string;
  /** An open PGlite you own (not closed by `close()`); takes precedence over `dataDir`. */
  pglite?: PGlite;
  /**
   * PostgreSQL's `shared_buffers` for the PGlite this opens (a start parameter; `postgresql.conf` is left
   * alone). Default `16MB`: PGlite's own default, 128MB, is cleared at every start and made that start
   * ~0.5 s slower (docs/benchmarks.md), while Gatehouse's tables are small and the OS caches the files anyway.
   */
  sharedBuffers?: string;
}

/** `shared_buffers` of a PGlite this package opens, unless `sharedBuffers` says otherwise. */
export const DEFAULT_PGLITE_SHARED_BUFFERS = '16MB';

/**
 * Every Gatehouse store on embedded PGlite (PostgreSQL compiled to WebAssembly, in process): the same
 * SQL and migrations as `createPostgresStores`, with nothing to install. One process per data directory.
 */
export async function createPgliteStores(options: PgliteStoresOptions): Promise<SqlStores> {
  const parsed = parseStoreOptions(options);
  let db = options.pglite;
  if (!db) {
    const sharedBuffers = options.sharedBuffers ?? DEFAULT_PGLITE_SHARED_BUFFERS;
    if (!/^\d{1,6}(kB|MB|GB)$/.test(sharedBuffers)) throw new TypeError('sharedBuffers must be a size like 16MB (kB, MB or GB)');
    const { PGlite } = await import('@electric-sql/pglite');
    db = await PGlite.create(options.dataDir, { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`] });
  }
  return createSqlStores(createPgliteExecutor(db, !options.pglite), parsed);
}
