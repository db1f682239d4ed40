import type { PGlite, Transaction } from '@electric-sql/pglite';
import { toStoreError } from './errors.js';
import type { QueryResult, SqlExecutor, SqlRunner } from './executor.js';

type Queryable = Pick<PGlite | Transaction, 'query' | 'exec'>;

/** The PGlite side of the seam: one embedded connection; PGlite serialises queries and transactions itself. */
export function createPgliteExecutor(db: PGlite, owned: boolean): SqlExecutor {
  const run = async <R>(target: Queryable, sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> => {
    try {
      const res = await target.query<R>(sql, params as unknown[] | undefined);
      return { rows: res.rows, rowCount: Math.max(res.affectedRows ?? 0, res.rows.length) };
    } catch (err) {
      throw toStoreError(err);
    }
  };
  const runner = (target: Queryable): SqlRunner => ({
    query: (sql, params) => run(target, sql, params),
    exec: async (sql) => {
      try {
        await target.exec(sql);
      } catch (err) {
        throw toStoreError(err);
      }
    },
  });

  return {
    ...runner(db),
    async transaction(fn) {
      // Errors from `fn` are already classified (or are the stores' own AuthErrors); BEGIN/COMMIT failures are not.
      let fromFn = false;
      try {
        return await db.transaction(async (tx) => {
          try {
            return await fn(runner(tx));
          } catch (err) {
            fromFn = true;
            throw err;
          }
        });
      } catch (err) {
        throw fromFn ? err : toStoreError(err);
      }
    },
    async close() {
      if (owned && !db.closed) await db.close();
    },
  };
}
