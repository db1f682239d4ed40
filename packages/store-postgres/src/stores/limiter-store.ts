import type { LimiterState, LimiterStore } from '@gatehouse-auth/core';
import { digest, type StoreContext } from './context.js';

/** Fixed-window counters. Keys are digested: they are built from usernames and client addresses. */
export class SqlLimiterStore implements LimiterStore {
  constructor(private readonly c: StoreContext) {}

  async hit(key: string, windowMs: number, now: Date): Promise<LimiterState> {
    // One upsert: a new or expired window starts at 1, a live one counts up. Concurrent hits serialise on the row.
    // In its own transaction, committed only once the upsert has answered: a hit sent to a server that stopped
    // answering (frozen, partitioned) is rolled back when the connection is dropped, instead of landing after the
    // caller got its 503 — an attempt that failed for want of a database is never counted later.
    const { rows } = await this.c.db.transaction((tx) => tx.query<{ count: number; reset_at: Date }>(
      `INSERT INTO ${this.c.t.limiter} AS l (key_digest, count, reset_at) VALUES ($1, 1, $3)
       ON CONFLICT (key_digest) DO UPDATE SET
         count = CASE WHEN l.reset_at <= $2 THEN 1 ELSE l.count + 1 END,
         reset_at = CASE WHEN l.reset_at <= $2 THEN EXCLUDED.reset_at ELSE l.reset_at END
       RETURNING count, reset_at`,
      [digest(key), now, new Date(now.getTime() + windowMs)],
    ));
    const row = rows[0]!;
    return { count: row.count, resetAt: row.reset_at };
  }

  async peek(key: string, now: Date): Promise<LimiterState | null> {
    const { rows } = await this.c.db.query<{ count: number; reset_at: Date }>(
      `SELECT count, reset_at FROM ${this.c.t.limiter} WHERE key_digest = $1 AND reset_at > $2`,
      [digest(key), now],
    );
    return rows[0] ? { count: rows[0].count, resetAt: rows[0].reset_at } : null;
  }

  async release(key: string, now: Date): Promise<void> {
    // A conditional decrement in one statement: concurrent releases serialise on the row and stop at zero.
    await this.c.db.query(
      `UPDATE ${this.c.t.limiter} SET count = count - 1 WHERE key_digest = $1 AND reset_at > $2 AND count > 0`,
      [digest(key), now],
    );
  }

  async reset(key: string): Promise<void> {
    await this.c.db.query(`DELETE FROM ${this.c.t.limiter} WHERE key_digest = $1`, [digest(key)]);
  }

  async purgeExpired(now: Date): Promise<number> {
    const { rowCount } = await this.c.db.query(`DELETE FROM ${this.c.t.limiter} WHERE reset_at <= $1`, [now]);
    return rowCount;
  }
}
