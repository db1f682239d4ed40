import type { Stores } from '@gatehouse-auth/core';
import { parseEncryptionKey, type EncryptionKeyInput } from './config/encryption-key.js';
import { SecretBox } from './crypto/secret-box.js';
import { MIGRATIONS, migrate, type MigrationReport } from './migrations/index.js';
import type { SqlExecutor } from './sql/executor.js';
import { checkSchemaName, tableNames } from './sql/tables.js';
import type { StoreContext } from './stores/context.js';
import { SqlAdminCredentialStore } from './stores/admin-credential-store.js';
import { SqlIdentityStore } from './stores/identity-store.js';
import { SqlKeyStore } from './stores/key-store.js';
import { SqlLimiterStore } from './stores/limiter-store.js';
import { SqlReplayStore } from './stores/replay-store.js';
import { SqlTokenStore } from './stores/token-store.js';
import { SqlUserStore } from './stores/user-store.js';

/** Options shared by the `pg` and the PGlite entry points. */
export interface SqlStoresOptions {
  /**
   * 32 random bytes for AES-256-GCM of secrets at rest: 64 hex characters or base64 (e.g.
   * `openssl rand -base64 32`), or raw bytes. Required; weak or malformed keys are refused at start.
   */
  encryptionKey: EncryptionKeyInput;
  /** Keys that still decrypt rows written before a key rotation; new writes use `encryptionKey`. */
  previousEncryptionKeys?: EncryptionKeyInput[];
  /** PostgreSQL schema holding the `gatehouse_*` tables; created when missing. Default `public`. */
  schema?: string;
}

/** The core's `Stores`, with `purgeExpired` and `close` always present. */
export interface SqlStores extends Stores {
  /** Deletes expired nonces, temp tokens, limiter windows, sessions, refresh tokens and dropped keys. */
  purgeExpired(now: Date): Promise<void>;
  /** Ends the pool / closes PGlite when the stores created it; leaves borrowed ones open. */
  close(): Promise<void>;
  readonly schema: string;
  /** What the start-up migration found and did. */
  readonly migration: MigrationReport;
  /**
   * The newest migration recorded in the database now (one query). Differs from `SCHEMA_VERSION` when another
   * instance with newer code migrated it since this one started: readiness reports that.
   */
  schemaVersion(): Promise<number>;
}

export interface ParsedStoreSecrets {
  box: SecretBox;
  schema: string;
}

/** Validates key and schema before any connection is opened, so bad config fails fast and clearly. */
export function parseStoreOptions(options: SqlStoresOptions): ParsedStoreSecrets {
  const key = parseEncryptionKey(options?.encryptionKey);
  const previous = (options.previousEncryptionKeys ?? []).map((k, i) => parseEncryptionKey(k, `previousEncryptionKeys[${i}]`));
  return { box: new SecretBox(key, previous), schema: checkSchemaName(options.schema ?? 'public') };
}

/** Migrates, then builds every store over one executor. Closes the executor when migration fails. */
export async function createSqlStores(db: SqlExecutor, parsed: ParsedStoreSecrets): Promise<SqlStores> {
  let migration: MigrationReport;
  try {
    migration = await migrate(db, parsed.schema, MIGRATIONS);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  const c: StoreContext = { db, t: tableNames(parsed.schema), box: parsed.box };
  const stores = {
    identities: new SqlIdentityStore(c),
    users: new SqlUserStore(c),
    tokens: new SqlTokenStore(c),
    replay: new SqlReplayStore(c),
    limiter: new SqlLimiterStore(c),
    keys: new SqlKeyStore(c),
    adminCredentials: new SqlAdminCredentialStore(c),
  };
  let closed: Promise<void> | undefined;
  return {
    ...stores,
    schema: parsed.schema,
    migration,
    async schemaVersion() {
      const { rows } = await db.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${c.t.migrations}`);
      return Number(rows[0]?.v ?? 0);
    },
    async purgeExpired(now: Date) {
      await Promise.all([
        stores.tokens.purgeExpired(now),
        stores.replay.purgeExpired(now),
        stores.limiter.purgeExpired(now),
        stores.keys.purgeExpired(now),
      ]);
    },
    close() {
      closed ??= db.close();
      return closed;
    },
  };
}
