import { randomUUID } from 'node:crypto';
import { AuthError, type NewUser, type User, type UserMfa, type UserPatch, type UserStore } from '@gatehouse-auth/core';
import { isForeignKeyViolation, isUniqueViolation } from '../sql/errors.js';
import type { StoreContext } from './context.js';

interface UserRow {
  id: string;
  username: string;
  email: string | null;
  display_name: string;
  password_hash: string | null;
  password_changed_at: Date | null;
  require_reset_password: boolean;
  disabled: boolean;
  title: string;
  phone: string;
  user_type: User['userType'];
  groups: string[];
  mfa_enabled: boolean;
  mfa_totp_secret_enc: string | null;
  mfa_pending_secret_enc: string | null;
  mfa_pending_created_at: Date | null;
  last_login_at: Date | null;
  source: string;
  created_at: Date;
}

const USER_COLUMNS = `id, username, email, display_name, password_hash, password_changed_at, require_reset_password, disabled,
  title, phone, user_type, groups, mfa_enabled, mfa_totp_secret_enc, mfa_pending_secret_enc, mfa_pending_created_at,
  last_login_at, source, created_at`;

/** `UserPatch` key → column. Only these can be written by `update`. */
const PATCH_COLUMNS: Record<keyof UserPatch, { column: string; cast?: string }> = {
  email: { column: 'email' },
  displayName: { column: 'display_name' },
  passwordHash: { column: 'password_hash' },
  passwordChangedAt: { column: 'password_changed_at', cast: 'timestamptz' },
  requireResetPassword: { column: 'require_reset_password', cast: 'boolean' },
  disabled: { column: 'disabled', cast: 'boolean' },
  title: { column: 'title' },
  phone: { column: 'phone' },
  groups: { column: 'groups', cast: 'text[]' },
  lastLoginAt: { column: 'last_login_at', cast: 'timestamptz' },
};

const userExists = (field: string, message = 'User already exists') =>
  new AuthError({ kind: 'bad_request', reasonCode: 'user_exists', message, fields: [field] });

const userNotFound = () => new AuthError({ kind: 'not_found', reasonCode: 'user_not_found', message: 'User not found' });

/** Users, their MFA secrets (encrypted), recovery code hashes and IdP links. */
export class SqlUserStore implements UserStore {
  constructor(private readonly c: StoreContext) {}

  #secretContext = (userId: string, which: 'totp' | 'pending') => `users.mfa_${which}_secret:${userId}`;

  #toUser = (r: UserRow): User => ({
    id: r.id,
    username: r.username,
    email: r.email,
    displayName: r.display_name,
    passwordHash: r.password_hash,
    passwordChangedAt: r.password_changed_at,
    requireResetPassword: r.require_reset_password,
    disabled: r.disabled,
    title: r.title,
    phone: r.phone,
    userType: r.user_type,
    groups: r.groups,
    mfa: {
      totpSecret: r.mfa_totp_secret_enc === null ? null : this.c.box.decrypt(r.mfa_totp_secret_enc, this.#secretContext(r.id, 'totp')),
      pendingTotpSecret:
        r.mfa_pending_secret_enc === null ? null : this.c.box.decrypt(r.mfa_pending_secret_enc, this.#secretContext(r.id, 'pending')),
      pendingCreatedAt: r.mfa_pending_created_at,
      enabled: r.mfa_enabled,
    },
    lastLoginAt: r.last_login_at,
    source: r.source,
    createdAt: r.created_at,
  });

  async create(input: NewUser, now: Date): Promise<User> {
    try {
      const { rows } = await this.c.db.query<UserRow>(
        `INSERT INTO ${this.c.t.users} (id, username, email, display_name, password_hash, password_changed_at,
           require_reset_password, disabled, title, phone, user_type, groups, last_login_at, source, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::text[], $13, $14, $15)
         RETURNING ${USER_COLUMNS}`,
        [
          input.id ?? randomUUID(),
          input.username,
          input.email ?? null,
          input.displayName,
          input.passwordHash ?? null,
          input.passwordChangedAt ?? (input.passwordHash ? now : null),
          input.requireResetPassword ?? false,
          input.disabled ?? false,
          input.title ?? '',
          input.phone ?? '',
          input.userType ?? 'USER',
          input.groups ?? [],
          input.lastLoginAt ?? null,
          input.source ?? 'password',
          now,
        ],
      );
      return this.#toUser(rows[0]!);
    } catch (err) {
      // Same answer for a taken username, email or id, as the memory store gives.
      if (isUniqueViolation(err)) throw userExists('username');
      throw err;
    }
  }

  async getById(id: string): Promise<User | null> {
    return this.#one(`SELECT ${USER_COLUMNS} FROM ${this.c.t.users} WHERE id = $1`, [id]);
  }

  async getByUsername(username: string): Promise<User | null> {
    return this.#one(`SELECT ${USER_COLUMNS} FROM ${this.c.t.users} WHERE username = $1`, [username]);
  }

  async getByEmail(email: string): Promise<User | null> {
    return this.#one(`SELECT ${USER_COLUMNS} FROM ${this.c.t.users} WHERE email = $1`, [email]);
  }

  async list(): Promise<User[]> {
    const { rows } = await this.c.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM ${this.c.t.users} ORDER BY seq`);
    return rows.map(this.#toUser);
  }

  async update(id: string, patch: UserPatch): Promise<User | null> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    for (const [key, spec] of Object.entries(PATCH_COLUMNS) as [keyof UserPatch, { column: string; cast?: string }][]) {
      if (!Object.hasOwn(patch, key) || patch[key] === undefined) continue;
      params.push(patch[key]);
      sets.push(`${spec.column} = $${params.length}${spec.cast ? `::${spec.cast}` : ''}`);
    }
    if (!sets.length) return this.getById(id);
    try {
      return await this.#one(`UPDATE ${this.c.t.users} SET ${sets.join(', ')} WHERE id = $1 RETURNING ${USER_COLUMNS}`, params);
    } catch (err) {
      if (isUniqueViolation(err, 'email_unique')) throw userExists('email', 'Email already in use');
      throw err;
    }
  }

  async setMfa(id: string, mfa: UserMfa): Promise<void> {
    await this.c.db.query(
      `UPDATE ${this.c.t.users}
       SET mfa_enabled = $2, mfa_totp_secret_enc = $3, mfa_pending_secret_enc = $4, mfa_pending_created_at = $5
       WHERE id = $1`,
      [
        id,
        mfa.enabled,
        mfa.totpSecret === null ? null : this.c.box.encrypt(mfa.totpSecret, this.#secretContext(id, 'totp')),
        mfa.pendingTotpSecret === null ? null : this.c.box.encrypt(mfa.pendingTotpSecret, this.#secretContext(id, 'pending')),
        mfa.pendingCreatedAt,
      ],
    );
  }

  async replaceRecoveryCodes(id: string, codeHashes: string[]): Promise<void> {
    try {
      await this.c.db.transaction(async (tx) => {
        await tx.query(`DELETE FROM ${this.c.t.recoveryCodes} WHERE user_id = $1`, [id]);
        if (codeHashes.length) {
          await tx.query(
            `INSERT INTO ${this.c.t.recoveryCodes} (user_id, code_hash)
             SELECT $1, h FROM unnest($2::text[]) AS h ON CONFLICT DO NOTHING`,
            [id, codeHashes],
          );
        }
      });
    } catch (err) {
      if (isForeignKeyViolation(err)) throw userNotFound();
      throw err;
    }
  }

  async consumeRecoveryCode(id: string, codeHash: string): Promise<boolean> {
    // One DELETE: of concurrent consumers exactly one sees the row go. The lookup is by a SHA-256 digest,
    // so index timing says nothing useful about the code itself.
    const { rowCount } = await this.c.db.query(
      `DELETE FROM ${this.c.t.recoveryCodes} WHERE user_id = $1 AND code_hash = $2`,
      [id, codeHash],
    );
    return rowCount > 0;
  }

  async countRecoveryCodes(id: string): Promise<number> {
    const { rows } = await this.c.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${this.c.t.recoveryCodes} WHERE user_id = $1`,
      [id],
    );
    return rows[0]?.n ?? 0;
  }

  async linkIdp(userId: string, idpId: string, subject: string): Promise<void> {
    // Inserts, or keeps an existing link to the same user; a link owned by someone else returns no row.
    let linked: number;
    try {
      ({ rowCount: linked } = await this.c.db.query(
        `INSERT INTO ${this.c.t.idpLinks} AS l (idp_id, subject, user_id) VALUES ($1, $2, $3)
         ON CONFLICT (idp_id, subject) DO UPDATE SET user_id = l.user_id WHERE l.user_id = EXCLUDED.user_id
         RETURNING 1`,
        [idpId, subject, userId],
      ));
    } catch (err) {
      if (isForeignKeyViolation(err)) throw userNotFound();
      throw err;
    }
    if (linked === 0) {
      throw new AuthError({ kind: 'bad_request', reasonCode: 'idp_link_exists', message: 'This IdP account is linked to another user' });
    }
  }

  async findByIdpLink(idpId: string, subject: string): Promise<User | null> {
    return this.#one(
      `SELECT ${USER_COLUMNS} FROM ${this.c.t.users}
       WHERE id = (SELECT user_id FROM ${this.c.t.idpLinks} WHERE idp_id = $1 AND subject = $2)`,
      [idpId, subject],
    );
  }

  async #one(sql: string, params: unknown[]): Promise<User | null> {
    const { rows } = await this.c.db.query<UserRow>(sql, params);
    return rows[0] ? this.#toUser(rows[0]) : null;
  }
}
