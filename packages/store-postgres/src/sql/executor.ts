/**
 * The one seam between the stores and a database driver. `pg` and PGlite both implement it, so every
 * store runs the same SQL on both. Implementations turn connection failures and timeouts into
 * `StoreUnavailableError`; everything else (constraint violations included) is rethrown as `SqlError`.
 */
export interface QueryResult<R> {
  rows: R[];
  /** Rows inserted/updated/deleted, or returned for a SELECT. */
  rowCount: number;
}

export interface SqlRunner {
  /** One statement with `$1..$n` parameters (extended protocol). */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Several statements, no parameters (simple protocol). Used by migrations. */
  exec(sql: string): Promise<void>;
}

export interface SqlExecutor extends SqlRunner {
  /** Runs `fn` on one connection between BEGIN and COMMIT; ROLLBACK when it throws. */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /** Releases what the executor owns (a pool it created, a PGlite it opened); no-op for borrowed ones. */
  close(): Promise<void>;
}
