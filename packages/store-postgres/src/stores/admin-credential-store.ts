import { randomUUID } from 'node:crypto';
import { AuthError, type AdminCredential, type AdminCredentialStore, type NewAdminCredential } from '@gatehouse-auth/core';
import { isUniqueViolation } from '../sql/errors.js';
import type { StoreContext } from './context.js';

interface CredentialRow {
  id: string;
  name: string;
  scopes: string[];
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const COLUMNS = 'id, name, scopes, created_at, expires_at, revoked_at, last_used_at';

const toCredential = (r: CredentialRow): AdminCredential => ({
  id: r.id,
  name: r.name,
  scopes: r.scopes,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

/**
 * Admin credentials. The token hash is looked up through a unique index: the hash of a 256-bit random token
 * reveals nothing, so an index probe's timing tells an attacker nothing a guess could use. The hash is never
 * read back out.
 */
export class SqlAdminCredentialStore implements AdminCredentialStore {
  constructor(private readonly c: StoreContext) {}

  async create(input: NewAdminCredential, now: Date): Promise<AdminCredential> {
    try {
      const { rows } = await this.c.db.query<CredentialRow>(
        `INSERT INTO ${this.c.t.adminCredentials} (id, name, token_hash, scopes, created_at, expires_at)
         VALUES ($1, $2, $3, $4::text[], $5, $6) RETURNING ${COLUMNS}`,
        [input.id ?? randomUUID(), input.name, input.tokenHash, input.scopes, now, input.expiresAt],
      );
      return toCredential(rows[0]!);
    } catch (err) {
      if (isUniqueViolation(err)) throw new AuthError({ kind: 'bad_request', reasonCode: 'admin_credential_exists', message: 'Admin credential already exists' });
      throw err;
    }
  }

  async get(id: string): Promise<AdminCredential | null> {
    const { rows } = await this.c.db.query<CredentialRow>(`SELECT ${COLUMNS} FROM ${this.c.t.adminCredentials} WHERE id = $1`, [id]);
    return rows[0] ? toCredential(rows[0]) : null;
  }

  async list(): Promise<AdminCredential[]> {
    const { rows } = await this.c.db.query<CredentialRow>(`SELECT ${COLUMNS} FROM ${this.c.t.adminCredentials} ORDER BY seq`);
    return rows.map(toCredential);
  }

  async findByHash(tokenHash: string): Promise<AdminCredential | null> {
    const { rows } = await this.c.db.query<CredentialRow>(`SELECT ${COLUMNS} FROM ${this.c.t.adminCredentials} WHERE token_hash = $1`, [tokenHash]);
    return rows[0] ? toCredential(rows[0]) : null;
  }

  async markUsed(id: string, now: Date): Promise<boolean> {
    // One conditional update: a revocation committed first makes it match nothing (a waiting caller re-checks).
    const { rowCount } = await this.c.db.query(
      `UPDATE ${this.c.t.adminCredentials} SET last_used_at = GREATEST(last_used_at, $2::timestamptz)
        WHERE id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2::timestamptz)`,
      [id, now],
    );
    return rowCount > 0;
  }

  async revoke(id: string, now: Date): Promise<boolean> {
    const { rowCount } = await this.c.db.query(`UPDATE ${this.c.t.adminCredentials} SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, [id, now]);
    return rowCount > 0;
  }
}
