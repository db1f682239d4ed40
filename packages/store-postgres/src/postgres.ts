import type { Pool, PoolConfig } from 'pg';
import { createSqlStores, parseStoreOptions, type SqlStores, type SqlStoresOptions } from './create-stores.js';
import { createPgExecutor } from './sql/pg-executor.js';

export interface PostgresStoresOptions extends SqlStoresOptions {
  /** `postgres://user:password@host:port/db`. Either this (the stores own the pool) or `pool`. */
  connectionString?: string;
  /** A `pg.Pool` you own: not ended by `close()`; set its timeouts and an `error` listener yourself. */
  pool?: Pool;
  /** Extra settings for the pool the stores create (ssl, max connections, ...). */
  poolConfig?: PoolConfig;
  /**
   * A query that takes longer fails with `StoreUnavailableError` (503). Applied on the server
   * (`statement_timeout`, own pool only) and on the client (a partitioned network). Default 5000.
   */
  statementTimeoutMs?: number;
  /** Waiting longer for a connection fails with `StoreUnavailableError`. Default 5000. */
  connectionTimeoutMs?: number;
  /** Receives errors of idle pooled connections (e.g. the server restarted). */
  onPoolError?: (err: Error) => void;
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 5_000;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;

/**
 * Every Gatehouse store on PostgreSQL through `pg`. Migrates the schema at start (idempotent, safe with
 * several instances starting together). Several instances may share one database: every single-use or
 * counted operation is one atomic statement.
 */
export async function createPostgresStores(options: PostgresStoresOptions): Promise<SqlStores> {
  const parsed = parseStoreOptions(options);
  if (!options.pool && !options.connectionString && !options.poolConfig) {
    throw new TypeError('createPostgresStores needs `connectionString` or `pool`');
  }
  const timeout = (value: number | undefined, fallback: number, name: string) => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v <= 0) throw new TypeError(`${name} must be a positive integer (milliseconds)`);
    return v;
  };
  const db = await createPgExecutor({
    pool: options.pool,
    connectionString: options.connectionString,
    poolConfig: options.poolConfig,
    statementTimeoutMs: timeout(options.statementTimeoutMs, DEFAULT_STATEMENT_TIMEOUT_MS, 'statementTimeoutMs'),
    connectionTimeoutMs: timeout(options.connectionTimeoutMs, DEFAULT_CONNECTION_TIMEOUT_MS, 'connectionTimeoutMs'),
    onPoolError: options.onPoolError,
  });
  return createSqlStores(db, parsed);
}
