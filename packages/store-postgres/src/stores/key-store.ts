import type { KeyStore, KeySuccession, SigningAlgorithm, StoredKey } from '@gatehouse-auth/core';
import type { StoreContext } from './context.js';

interface KeyRow {
  kid: string;
  alg: SigningAlgorithm;
  public_jwk: Record<string, unknown>;
  private_jwk_enc: string;
  created_at: Date;
  not_before: Date;
  retired_at: Date | null;
  not_after: Date | null;
}

const KEY_COLUMNS = 'kid, alg, public_jwk, private_jwk_enc, created_at, not_before, retired_at, not_after';

/**
 * Signing keys. The private JWK is encrypted; the public one stays readable (it is published anyway). A unique
 * index allows one key without a successor (`retired_at IS NULL`); `addSuccessor` is one statement that retires
 * that key and inserts the new one, so of instances adding a key together exactly one succeeds.
 */
export class SqlKeyStore implements KeyStore {
  constructor(private readonly c: StoreContext) {}

  #context = (kid: string) => `signing_keys.private_jwk:${kid}`;

  async list(): Promise<StoredKey[]> {
    const { rows } = await this.c.db.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM ${this.c.t.signingKeys} ORDER BY created_at, kid`);
    return rows.map((r) => ({
      kid: r.kid,
      alg: r.alg,
      publicJwk: r.public_jwk,
      privateJwk: this.c.box.decryptJson<Record<string, unknown>>(r.private_jwk_enc, this.#context(r.kid)),
      createdAt: r.created_at,
      notBefore: r.not_before,
      retiredAt: r.retired_at,
      notAfter: r.not_after,
    }));
  }

  async addSuccessor(key: StoredKey, succession: KeySuccession): Promise<boolean> {
    const t = this.c.t.signingKeys;
    const values = [
      key.kid,
      key.alg,
      JSON.stringify(key.publicJwk),
      this.c.box.encryptJson(key.privateJwk, this.#context(key.kid)),
      key.createdAt,
      key.notBefore,
    ];
    const insert = `INSERT INTO ${t} (${KEY_COLUMNS}) SELECT $1, $2, $3::jsonb, $4, $5, $6, NULL, NULL`;
    if (succession.replaces === null) {
      // The first key: only while no key is without a successor. Two inserts racing past the NOT EXISTS meet
      // the unique index; the second waits for the first to commit and then does nothing.
      const { rowCount } = await this.c.db.query(
        `${insert} WHERE NOT EXISTS (SELECT 1 FROM ${t} WHERE retired_at IS NULL) ON CONFLICT DO NOTHING RETURNING kid`,
        values,
      );
      return rowCount === 1;
    }
    // Retire the expected key and insert its successor in one statement. The UPDATE's row lock serialises
    // concurrent callers: a waiting one re-checks `retired_at IS NULL`, finds it set, retires nothing and so
    // inserts nothing (the INSERT reads the UPDATE's result, so it runs after it).
    const { rowCount } = await this.c.db.query(
      `WITH replaced AS (
         UPDATE ${t} SET retired_at = $6, not_after = $8 WHERE kid = $7 AND retired_at IS NULL RETURNING kid
       )
       ${insert} WHERE EXISTS (SELECT 1 FROM replaced) ON CONFLICT DO NOTHING RETURNING kid`,
      [...values, succession.replaces, succession.replacedNotAfter],
    );
    return rowCount === 1;
  }

  async purgeExpired(now: Date): Promise<number> {
    const { rowCount } = await this.c.db.query(
      `DELETE FROM ${this.c.t.signingKeys} WHERE not_after IS NOT NULL AND not_after <= $1`,
      [now],
    );
    return rowCount;
  }
}

