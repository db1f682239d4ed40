import type { ConsumeRefreshResult, RefreshTokenRecord, TokenSession, TokenStore, UseTokenResult } from '@gatehouse-auth/core';
import type { StoreContext } from './context.js';

interface SessionRow {
  jti: string;
  subject_key: string;
  auth_method: string;
  created_at: Date;
  ttl: number;
  max_expires_at: Date;
  expires_at: Date;
  num_uses_limit: number;
  num_uses: number;
  trusted_ips: string[];
  revoked_at: Date | null;
}

interface RefreshRow {
  hash: string;
  family: string;
  user_id: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

const SESSION_COLUMNS =
  'jti, subject_key, auth_method, created_at, ttl, max_expires_at, expires_at, num_uses_limit, num_uses, trusted_ips, revoked_at';
const REFRESH_COLUMNS = 'hash, family, user_id, created_at, expires_at, used_at, revoked_at';

const toSession = (r: SessionRow): TokenSession => ({
  jti: r.jti,
  subjectKey: r.subject_key,
  authMethod: r.auth_method,
  createdAt: r.created_at,
  ttl: r.ttl,
  maxExpiresAt: r.max_expires_at,
  expiresAt: r.expires_at,
  numUsesLimit: r.num_uses_limit,
  numUses: r.num_uses,
  trustedIps: r.trusted_ips,
  revokedAt: r.revoked_at,
});

const toRefresh = (r: RefreshRow): RefreshTokenRecord => ({
  hash: r.hash,
  family: r.family,
  userId: r.user_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
  revokedAt: r.revoked_at,
});

/** Sessions (use counts, revocation), subject revocations and rotating refresh tokens. */
export class SqlTokenStore implements TokenStore {
  readonly #useSql: string;
  readonly #consumeRefreshSql: string;
  readonly #readRefreshSql: string;

  constructor(private readonly c: StoreContext) {
    const { sessions, subjectRevocations, refreshTokens, revokedRefreshFamilies } = c.t;
    // One statement: check the session, and count a use only while uses remain. Concurrent callers
    // queue on the row lock and re-check `num_uses < num_uses_limit` on the newest row version, so
    // with limit N exactly N of them get the row back. Uncounted calls see the session as it was.
    this.#useSql = `
      WITH target AS (
        SELECT s.jti,
               (s.revoked_at IS NOT NULL OR EXISTS (
                  SELECT 1 FROM ${subjectRevocations} r
                  WHERE r.subject_key = s.subject_key AND s.created_at <= r.revoked_before)) AS revoked
        FROM ${sessions} s WHERE s.jti = $1
      ), counted AS (
        UPDATE ${sessions} s SET num_uses = s.num_uses + 1
        FROM target
        WHERE s.jti = target.jti AND $2::boolean AND NOT target.revoked AND s.revoked_at IS NULL
          AND s.expires_at > $3 AND s.num_uses_limit > 0 AND s.num_uses < s.num_uses_limit
        RETURNING s.*
      )
      SELECT true AS counted, false AS revoked, ${SESSION_COLUMNS} FROM counted
      UNION ALL
      SELECT false, target.revoked, ${SESSION_COLUMNS.split(', ').map((c) => `s.${c}`).join(', ')}
      FROM ${sessions} s JOIN target ON target.jti = s.jti
      WHERE NOT EXISTS (SELECT 1 FROM counted)`;
    const refreshState = `
        SELECT r.hash,
               (r.revoked_at IS NOT NULL OR EXISTS (
                  SELECT 1 FROM ${revokedRefreshFamilies} f WHERE f.family = r.family)) AS revoked
        FROM ${refreshTokens} r WHERE r.hash = $1`;
    // Marks the token used only if nothing else has: the second exchange of a token finds used_at set.
    this.#consumeRefreshSql = `
      WITH cur AS (${refreshState}
      ), used AS (
        UPDATE ${refreshTokens} r SET used_at = $2 FROM cur
        WHERE r.hash = cur.hash AND NOT cur.revoked AND r.revoked_at IS NULL AND r.used_at IS NULL AND r.expires_at > $2
        RETURNING r.*
      )
      SELECT true AS consumed, false AS revoked, ${REFRESH_COLUMNS} FROM used
      UNION ALL
      SELECT false, cur.revoked, ${REFRESH_COLUMNS.split(', ').map((c) => `r.${c}`).join(', ')}
      FROM ${refreshTokens} r JOIN cur ON cur.hash = r.hash
      WHERE NOT EXISTS (SELECT 1 FROM used)`;
    this.#readRefreshSql = `
      WITH cur AS (${refreshState})
      SELECT cur.revoked, ${REFRESH_COLUMNS.split(', ').map((c) => `r.${c}`).join(', ')}
      FROM ${refreshTokens} r JOIN cur ON cur.hash = r.hash`;
  }

  async createSession(session: TokenSession): Promise<void> {
    await this.c.db.query(
      `INSERT INTO ${this.c.t.sessions} (${SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[], $11)`,
      [
        session.jti,
        session.subjectKey,
        session.authMethod,
        session.createdAt,
        session.ttl,
        session.maxExpiresAt,
        session.expiresAt,
        session.numUsesLimit,
        session.numUses,
        session.trustedIps,
        session.revokedAt,
      ],
    );
  }

  async getSession(jti: string): Promise<TokenSession | null> {
    const { rows } = await this.c.db.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM ${this.c.t.sessions} WHERE jti = $1`, [jti]);
    return rows[0] ? toSession(rows[0]) : null;
  }

  async useSession(jti: string, opts: { consume: boolean; now: Date }): Promise<UseTokenResult> {
    const { rows } = await this.c.db.query<SessionRow & { counted: boolean; revoked: boolean }>(this.#useSql, [jti, opts.consume, opts.now]);
    const row = rows[0];
    if (!row) return { status: 'unknown', session: null };
    const session = toSession(row);
    if (row.counted) return { status: 'ok', session };
    if (row.revoked) return { status: 'revoked', session };
    if (session.expiresAt.getTime() <= opts.now.getTime()) return { status: 'expired', session };
    // The counting UPDATE refused a live session: its uses are spent (possibly by a concurrent caller).
    if (opts.consume && session.numUsesLimit > 0) return { status: 'exhausted', session };
    return { status: 'ok', session };
  }

  async extendSession(jti: string, expiresAt: Date): Promise<TokenSession | null> {
    const { rows } = await this.c.db.query<SessionRow>(
      `UPDATE ${this.c.t.sessions} SET expires_at = $2 WHERE jti = $1 AND revoked_at IS NULL RETURNING ${SESSION_COLUMNS}`,
      [jti, expiresAt],
    );
    return rows[0] ? toSession(rows[0]) : null;
  }

  async revokeSession(jti: string, now: Date): Promise<boolean> {
    const { rowCount } = await this.c.db.query(
      `UPDATE ${this.c.t.sessions} SET revoked_at = $2 WHERE jti = $1 AND revoked_at IS NULL`,
      [jti, now],
    );
    return rowCount > 0;
  }

  async revokeSubjectMethod(subjectKey: string, authMethod: string, now: Date): Promise<number> {
    const { rowCount } = await this.c.db.query(
      `UPDATE ${this.c.t.sessions} SET revoked_at = $3 WHERE subject_key = $1 AND auth_method = $2 AND revoked_at IS NULL`,
      [subjectKey, authMethod, now],
    );
    return rowCount;
  }

  async revokeSubject(subjectKey: string, before: Date): Promise<void> {
    // Only ever moves forward, whatever order concurrent revocations commit in.
    await this.c.db.query(
      `INSERT INTO ${this.c.t.subjectRevocations} AS r (subject_key, revoked_before) VALUES ($1, $2)
       ON CONFLICT (subject_key) DO UPDATE SET revoked_before = GREATEST(r.revoked_before, EXCLUDED.revoked_before)`,
      [subjectKey, before],
    );
  }

  async getSubjectRevokedBefore(subjectKey: string): Promise<Date | null> {
    const { rows } = await this.c.db.query<{ revoked_before: Date }>(
      `SELECT revoked_before FROM ${this.c.t.subjectRevocations} WHERE subject_key = $1`,
      [subjectKey],
    );
    return rows[0]?.revoked_before ?? null;
  }

  async createRefreshToken(record: Omit<RefreshTokenRecord, 'usedAt' | 'revokedAt'>): Promise<void> {
    await this.c.db.query(
      `INSERT INTO ${this.c.t.refreshTokens} (hash, family, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [record.hash, record.family, record.userId, record.createdAt, record.expiresAt],
    );
  }

  async consumeRefreshToken(hash: string, now: Date): Promise<ConsumeRefreshResult> {
    const { rows } = await this.c.db.query<RefreshRow & { consumed: boolean; revoked: boolean }>(this.#consumeRefreshSql, [hash, now]);
    const row = rows[0];
    if (!row) return { status: 'unknown' };
    if (row.consumed) return { status: 'ok', record: toRefresh(row) };
    const result = classifyRefresh(row, now);
    if (result) return result;
    // Looked unused and live, yet the UPDATE refused it: a concurrent call changed it. Read it again.
    const again = (await this.c.db.query<RefreshRow & { revoked: boolean }>(this.#readRefreshSql, [hash])).rows[0];
    if (!again) return { status: 'unknown' };
    return classifyRefresh(again, now) ?? { status: 'reused', record: toRefresh(again) };
  }

  async revokeRefreshFamily(family: string, now: Date): Promise<void> {
    // The family row also revokes tokens of the family created later.
    await this.c.db.query(
      `WITH mark AS (
         INSERT INTO ${this.c.t.revokedRefreshFamilies} (family, revoked_at) VALUES ($1, $2) ON CONFLICT (family) DO NOTHING
       )
       UPDATE ${this.c.t.refreshTokens} SET revoked_at = $2 WHERE family = $1 AND revoked_at IS NULL`,
      [family, now],
    );
  }

  async purgeExpired(now: Date): Promise<number> {
    const { sessions, refreshTokens, revokedRefreshFamilies } = this.c.t;
    const { rows } = await this.c.db.query<{ n: number }>(
      `WITH s AS (
         DELETE FROM ${sessions} WHERE expires_at <= $1 RETURNING 1
       ), r AS (
         DELETE FROM ${refreshTokens} WHERE expires_at <= $1 RETURNING 1
       ), f AS (
         -- A revoked family with no tokens left can never be presented again.
         DELETE FROM ${revokedRefreshFamilies} f
         WHERE NOT EXISTS (SELECT 1 FROM ${refreshTokens} t WHERE t.family = f.family)
       )
       SELECT ((SELECT count(*) FROM s) + (SELECT count(*) FROM r))::int AS n`,
      [now],
    );
    return rows[0]?.n ?? 0;
  }
}

function classifyRefresh(row: RefreshRow & { revoked: boolean }, now: Date): ConsumeRefreshResult | null {
  if (row.revoked) return { status: 'revoked' };
  if (row.used_at !== null) return { status: 'reused', record: toRefresh(row) };
  if (row.expires_at.getTime() <= now.getTime()) return { status: 'expired' };
  return null;
}
