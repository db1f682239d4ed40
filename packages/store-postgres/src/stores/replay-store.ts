import type { ReplayStore, TempTokenRecord } from '@gatehouse-auth/core';
import { digest, type StoreContext } from './context.js';

interface TempRow {
  payload_enc: string;
  attempts: number;
  expires_at: Date;
}

/**
 * Nonces / used OTPs (claims) and temp tokens. Keys and ids are stored as SHA-256 digests: keys can be
 * attacker-chosen (bounded index entries), and a temp token id is a bearer value. Payloads are encrypted.
 */
export class SqlReplayStore implements ReplayStore {
  constructor(private readonly c: StoreContext) {}

  #payloadContext = (namespace: string, idDigest: string) => `temp_tokens.payload:${namespace}:${idDigest}`;

  async claim(namespace: string, key: string, expiresAt: Date, now: Date): Promise<boolean> {
    // A new key inserts; a live one conflicts and the WHERE refuses the update; an expired one is
    // taken over. Concurrent claimers serialise on the key, so exactly one gets a row back.
    const { rowCount } = await this.c.db.query(
      `INSERT INTO ${this.c.t.replayClaims} AS c (namespace, key_digest, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (namespace, key_digest) DO UPDATE SET expires_at = EXCLUDED.expires_at
       WHERE c.expires_at <= $4
       RETURNING 1`,
      [namespace, digest(key), expiresAt, now],
    );
    return rowCount > 0;
  }

  async createTemp<T>(namespace: string, id: string, payload: T, expiresAt: Date, maxAttempts: number): Promise<void> {
    const idDigest = digest(id);
    await this.c.db.query(
      `INSERT INTO ${this.c.t.tempTokens} (namespace, id_digest, payload_enc, attempts, max_attempts, dead, expires_at)
       VALUES ($1, $2, $3, 0, $4, false, $5)
       ON CONFLICT (namespace, id_digest) DO UPDATE
         SET payload_enc = EXCLUDED.payload_enc, attempts = 0, max_attempts = EXCLUDED.max_attempts,
             dead = false, expires_at = EXCLUDED.expires_at`,
      [namespace, idDigest, this.c.box.encryptJson(payload, this.#payloadContext(namespace, idDigest)), maxAttempts, expiresAt],
    );
  }

  async peekTemp<T>(namespace: string, id: string, now: Date): Promise<TempTokenRecord<T> | null> {
    const idDigest = digest(id);
    const { rows } = await this.c.db.query<TempRow>(
      `SELECT payload_enc, attempts, expires_at FROM ${this.c.t.tempTokens}
       WHERE namespace = $1 AND id_digest = $2 AND NOT dead AND expires_at > $3`,
      [namespace, idDigest, now],
    );
    return rows[0] ? this.#toRecord<T>(rows[0], namespace, idDigest) : null;
  }

  async failTemp(namespace: string, id: string, now: Date): Promise<number> {
    // Counting and killing happen in the same row update, so a concurrent consumeTemp either runs
    // before it or finds the token dead; the dead row is deleted right after, as housekeeping.
    const idDigest = digest(id);
    const { rows } = await this.c.db.query<{ attempts: number; max_attempts: number }>(
      `UPDATE ${this.c.t.tempTokens}
       SET attempts = attempts + 1, dead = (attempts + 1 >= max_attempts)
       WHERE namespace = $1 AND id_digest = $2 AND NOT dead AND expires_at > $3
       RETURNING attempts, max_attempts`,
      [namespace, idDigest, now],
    );
    const row = rows[0];
    if (!row) return -1;
    const left = row.max_attempts - row.attempts;
    if (left <= 0) {
      await this.c.db.query(`DELETE FROM ${this.c.t.tempTokens} WHERE namespace = $1 AND id_digest = $2 AND dead`, [namespace, idDigest]);
    }
    return Math.max(0, left);
  }

  async consumeTemp<T>(namespace: string, id: string, now: Date): Promise<TempTokenRecord<T> | null> {
    const idDigest = digest(id);
    const { rows } = await this.c.db.query<TempRow>(
      `DELETE FROM ${this.c.t.tempTokens}
       WHERE namespace = $1 AND id_digest = $2 AND NOT dead AND expires_at > $3
       RETURNING payload_enc, attempts, expires_at`,
      [namespace, idDigest, now],
    );
    return rows[0] ? this.#toRecord<T>(rows[0], namespace, idDigest) : null;
  }

  async purgeExpired(now: Date): Promise<number> {
    const { rows } = await this.c.db.query<{ n: number }>(
      `WITH c AS (
         DELETE FROM ${this.c.t.replayClaims} WHERE expires_at <= $1 RETURNING 1
       ), t AS (
         DELETE FROM ${this.c.t.tempTokens} WHERE expires_at <= $1 RETURNING 1
       )
       SELECT ((SELECT count(*) FROM c) + (SELECT count(*) FROM t))::int AS n`,
      [now],
    );
    return rows[0]?.n ?? 0;
  }

  #toRecord<T>(row: TempRow, namespace: string, idDigest: string): TempTokenRecord<T> {
    return {
      payload: this.c.box.decryptJson<T>(row.payload_enc, this.#payloadContext(namespace, idDigest)),
      attempts: row.attempts,
      expiresAt: row.expires_at,
    };
  }
}
