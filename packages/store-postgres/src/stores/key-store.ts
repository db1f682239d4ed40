import type { KeyStore, SigningAlgorithm, StoredKey } from '@gatehouse-auth/core';
import type { StoreContext } from './context.js';

interface KeyRow {
  kid: string;
  alg: SigningAlgorithm;
  public_jwk: Record<string, unknown>;
  private_jwk_enc: string;
  created_at: Date;
  retired_at: Date | null;
  not_after: Date | null;
}

const KEY_COLUMNS = 'kid, alg, public_jwk, private_jwk_enc, created_at, retired_at, not_after';

/** Signing keys. The private JWK is encrypted; the public one stays readable (it is published anyway). */
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
      retiredAt: r.retired_at,
      notAfter: r.not_after,
    }));
  }

  async insert(key: StoredKey): Promise<void> {
    await this.c.db.query(
      `INSERT INTO ${this.c.t.signingKeys} (${KEY_COLUMNS}) VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7)`,
      [
        key.kid,
        key.alg,
        JSON.stringify(key.publicJwk),
        this.c.box.encryptJson(key.privateJwk, this.#context(key.kid)),
        key.createdAt,
        key.retiredAt,
        key.notAfter,
      ],
    );
  }

  async retire(kid: string, retiredAt: Date, notAfter: Date): Promise<boolean> {
    const { rowCount } = await this.c.db.query(
      `UPDATE ${this.c.t.signingKeys} SET retired_at = $2, not_after = $3 WHERE kid = $1 AND retired_at IS NULL`,
      [kid, retiredAt, notAfter],
    );
    return rowCount > 0;
  }

  async purgeExpired(now: Date): Promise<number> {
    const { rowCount } = await this.c.db.query(
      `DELETE FROM ${this.c.t.signingKeys} WHERE not_after IS NOT NULL AND not_after <= $1`,
      [now],
    );
    return rowCount;
  }
}
