import type { Pool, PoolClient, PoolConfig } from 'pg';
import { StoreUnavailableError } from '@gatehouse-auth/core';
import { toStoreError } from './errors.js';
import type { QueryResult, SqlExecutor, SqlRunner } from './executor.js';

export interface PgExecutorOptions {
  /** A pool the caller owns; it is not ended by `close()`. */
  pool?: Pool;
  connectionString?: string;
  /** Extra `pg.Pool` settings (ssl, max, ...) when the executor creates the pool. */
  poolConfig?: PoolConfig;
  statementTimeoutMs: number;
  connectionTimeoutMs: number;
  /** Called with pool-level errors (an idle connection dropped); never with query parameters. */
  onPoolError?: (err: Error) => void;
}

/** The `pg` side of the seam: a pool, per-query client-side timeouts, outages mapped to 503. */
export async function createPgExecutor(options: PgExecutorOptions): Promise<SqlExecutor> {
  const owned = !options.pool;
  let pool: Pool;
  if (options.pool) {
    pool = options.pool;
  } else {
    if (!options.connectionString && !options.poolConfig) throw new TypeError('createPostgresStores needs connectionString or pool');
    // Loaded here, not at the top: a PGlite-only process (the CLI's embedded default) never pays for it.
    const { default: pg } = await import('pg');
    pool = new pg.Pool({
      connectionString: options.connectionString,
      ...options.poolConfig,
      // Server side: a query that runs too long is cancelled (SQLSTATE 57014 → 503).
      statement_timeout: options.statementTimeoutMs,
      // A transaction left open by a crashed request must not hold row locks forever.
      idle_in_transaction_session_timeout: Math.max(options.statementTimeoutMs * 4, 10_000),
      connectionTimeoutMillis: options.connectionTimeoutMs,
      keepAlive: true,
      application_name: options.poolConfig?.application_name ?? 'gatehouse',
    });
    // Without a listener an idle connection dropped by the server would crash the process.
    pool.on('error', (err) => options.onPoolError?.(err));
  }
  // Client side: a server that stops answering (network partition) is not cancelled by statement_timeout.
  const queryTimeout = options.statementTimeoutMs + 500;

  const run = async <R>(target: Pool | PoolClient, sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> => {
    try {
      const res = await target.query({ text: sql, values: params as unknown[] | undefined, query_timeout: queryTimeout } as never);
      // Several statements (migrations) give one result per statement; the last one is what counts.
      const all = res as unknown as { rows: R[]; rowCount: number | null } | { rows: R[]; rowCount: number | null }[];
      const r = Array.isArray(all) ? (all[all.length - 1] ?? { rows: [], rowCount: 0 }) : all;
      return { rows: r.rows ?? [], rowCount: r.rowCount ?? r.rows?.length ?? 0 };
    } catch (err) {
      throw toStoreError(err);
    }
  };
  const runner = (target: Pool | PoolClient): SqlRunner => ({
    query: (sql, params) => run(target, sql, params),
    exec: async (sql) => {
      await run(target, sql);
    },
  });
  const poolRunner = runner(pool);

  return {
    ...poolRunner,
    async transaction(fn) {
      let client: PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw toStoreError(err);
      }
      const tx = runner(client);
      try {
        await tx.exec('BEGIN');
        const result = await fn(tx);
        await tx.exec('COMMIT');
        client.release();
        return result;
      } catch (err) {
        // The database did not answer: drop the connection (the server rolls back an open transaction when its
        // client goes) instead of waiting out a ROLLBACK that would not be answered either.
        if (err instanceof StoreUnavailableError) {
          client.release(err);
          throw err;
        }
        // A failed ROLLBACK means the connection is gone: destroy it instead of returning it to the pool.
        try {
          await tx.exec('ROLLBACK');
          client.release();
        } catch (rollbackErr) {
          client.release(rollbackErr instanceof Error ? rollbackErr : true);
        }
        throw err;
      }
    },
    async close() {
      if (owned) await pool.end();
    },
  };
}
