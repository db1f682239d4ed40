import { randomUUID } from 'node:crypto';
import { AuthError, type Identity, type IdentityMethod, type IdentityStore, type TokenSettings } from '@gatehouse-auth/core';
import { isForeignKeyViolation, isUniqueViolation } from '../sql/errors.js';
import type { StoreContext } from './context.js';

interface IdentityRow {
  id: string;
  name: string;
  organization_slug: string | null;
  created_at: Date;
}

interface MethodRow {
  identity_id: string;
  method: string;
  config_enc: string;
  token: TokenSettings;
  created_at: Date;
  updated_at: Date;
}

const toIdentity = (r: IdentityRow): Identity => ({ id: r.id, name: r.name, organizationSlug: r.organization_slug, createdAt: r.created_at });

/** Identities and their per-method config. The config is encrypted: strategies may keep client secrets in it. */
export class SqlIdentityStore implements IdentityStore {
  constructor(private readonly c: StoreContext) {}

  #configContext = (identityId: string, method: string) => `identity_methods.config:${identityId}:${method}`;

  #toMethod = (r: MethodRow): IdentityMethod => ({
    identityId: r.identity_id,
    method: r.method,
    config: this.c.box.decryptJson(r.config_enc, this.#configContext(r.identity_id, r.method)),
    token: r.token,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });

  async create(input: { id?: string; name: string; organizationSlug?: string | null }, now: Date): Promise<Identity> {
    try {
      const { rows } = await this.c.db.query<IdentityRow>(
        `INSERT INTO ${this.c.t.identities} (id, name, organization_slug, created_at) VALUES ($1, $2, $3, $4)
         RETURNING id, name, organization_slug, created_at`,
        [input.id ?? randomUUID(), input.name, input.organizationSlug ?? null, now],
      );
      return toIdentity(rows[0]!);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new AuthError({ kind: 'bad_request', reasonCode: 'identity_exists', message: 'Identity already exists', fields: ['id'] });
      }
      throw err;
    }
  }

  async get(id: string): Promise<Identity | null> {
    const { rows } = await this.c.db.query<IdentityRow>(
      `SELECT id, name, organization_slug, created_at FROM ${this.c.t.identities} WHERE id = $1`,
      [id],
    );
    return rows[0] ? toIdentity(rows[0]) : null;
  }

  async list(): Promise<Identity[]> {
    const { rows } = await this.c.db.query<IdentityRow>(
      `SELECT id, name, organization_slug, created_at FROM ${this.c.t.identities} ORDER BY seq`,
    );
    return rows.map(toIdentity);
  }

  async delete(id: string): Promise<boolean> {
    // Methods go with it (ON DELETE CASCADE), in the same statement.
    const { rowCount } = await this.c.db.query(`DELETE FROM ${this.c.t.identities} WHERE id = $1`, [id]);
    return rowCount > 0;
  }

  async putMethod(
    input: { identityId: string; method: string; config: unknown; token: TokenSettings },
    now: Date,
  ): Promise<IdentityMethod> {
    const stored = await this.#insertMethod(input, now, 'DO UPDATE SET config_enc = EXCLUDED.config_enc, token = EXCLUDED.token, updated_at = EXCLUDED.updated_at');
    return stored!;
  }

  async addMethod(
    input: { identityId: string; method: string; config: unknown; token: TokenSettings },
    now: Date,
  ): Promise<IdentityMethod | null> {
    // One statement: a method already there makes the insert a no-op, so of concurrent callers one gets a row.
    return this.#insertMethod(input, now, 'DO NOTHING');
  }

  /** The method's row inserted, `onConflict` deciding what an existing one becomes; null when nothing was written. */
  async #insertMethod(
    input: { identityId: string; method: string; config: unknown; token: TokenSettings },
    now: Date,
    onConflict: 'DO NOTHING' | `DO UPDATE SET ${string}`,
  ): Promise<IdentityMethod | null> {
    try {
      const { rows } = await this.c.db.query<MethodRow>(
        `INSERT INTO ${this.c.t.identityMethods} (identity_id, method, config_enc, token, created_at, updated_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $5)
         ON CONFLICT (identity_id, method) ${onConflict}
         RETURNING identity_id, method, config_enc, token, created_at, updated_at`,
        [input.identityId, input.method, this.c.box.encryptJson(input.config, this.#configContext(input.identityId, input.method)), JSON.stringify(input.token), now],
      );
      return rows[0] ? this.#toMethod(rows[0]) : null;
    } catch (err) {
      if (isForeignKeyViolation(err)) throw new AuthError({ kind: 'not_found', reasonCode: 'identity_not_found', message: 'Identity not found' });
      throw err;
    }
  }

  async replaceMethod(
    input: { identityId: string; method: string; config: unknown; token: TokenSettings },
    now: Date,
    expectedUpdatedAt: Date,
  ): Promise<IdentityMethod | null> {
    // Compare-and-swap on updated_at, which moves forward on every write; a waiting caller re-checks it against
    // the row the first one committed and updates nothing. A deleted row matches nothing: never re-created.
    const { rows } = await this.c.db.query<MethodRow>(
      `UPDATE ${this.c.t.identityMethods} AS m
          SET config_enc = $3, token = $4::jsonb, updated_at = GREATEST($5::timestamptz, m.updated_at + interval '1 millisecond')
        WHERE m.identity_id = $1 AND m.method = $2 AND m.updated_at = $6::timestamptz
        RETURNING identity_id, method, config_enc, token, created_at, updated_at`,
      [
        input.identityId,
        input.method,
        this.c.box.encryptJson(input.config, this.#configContext(input.identityId, input.method)),
        JSON.stringify(input.token),
        now,
        expectedUpdatedAt,
      ],
    );
    return rows[0] ? this.#toMethod(rows[0]) : null;
  }

  async getMethod(identityId: string, method: string): Promise<IdentityMethod | null> {
    const { rows } = await this.c.db.query<MethodRow>(
      `SELECT identity_id, method, config_enc, token, created_at, updated_at FROM ${this.c.t.identityMethods}
       WHERE identity_id = $1 AND method = $2`,
      [identityId, method],
    );
    return rows[0] ? this.#toMethod(rows[0]) : null;
  }

  /** The identity and one method's config in one statement (a login's lookup: one round trip, not two). */
  async getWithMethod(identityId: string, method: string): Promise<{ identity: Identity; method: IdentityMethod | null } | null> {
    const { rows } = await this.c.db.query<IdentityRow & { m_method: string | null; config_enc: string | null; token: TokenSettings | null; m_created_at: Date | null; m_updated_at: Date | null }>(
      `SELECT i.id, i.name, i.organization_slug, i.created_at,
              m.method AS m_method, m.config_enc, m.token, m.created_at AS m_created_at, m.updated_at AS m_updated_at
       FROM ${this.c.t.identities} i
       LEFT JOIN ${this.c.t.identityMethods} m ON m.identity_id = i.id AND m.method = $2
       WHERE i.id = $1`,
      [identityId, method],
    );
    const r = rows[0];
    if (!r) return null;
    const found = r.m_method === null
      ? null
      : this.#toMethod({ identity_id: r.id, method: r.m_method, config_enc: r.config_enc!, token: r.token!, created_at: r.m_created_at!, updated_at: r.m_updated_at! });
    return { identity: toIdentity(r), method: found };
  }

  async listMethods(identityId: string): Promise<IdentityMethod[]> {
    const { rows } = await this.c.db.query<MethodRow>(
      `SELECT identity_id, method, config_enc, token, created_at, updated_at FROM ${this.c.t.identityMethods}
       WHERE identity_id = $1 ORDER BY created_at, method`,
      [identityId],
    );
    return rows.map(this.#toMethod);
  }

  async removeMethod(identityId: string, method: string): Promise<boolean> {
    const { rowCount } = await this.c.db.query(
      `DELETE FROM ${this.c.t.identityMethods} WHERE identity_id = $1 AND method = $2`,
      [identityId, method],
    );
    return rowCount > 0;
  }
}
