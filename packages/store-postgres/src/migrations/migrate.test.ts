import { randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreConfigError } from '../config/store-config-error.js';
import { createPgliteStores } from '../pglite.js';
import { createPostgresStores } from '../postgres.js';
import { createPgliteExecutor } from '../sql/pglite-executor.js';
import { MIGRATIONS, SCHEMA_VERSION } from './index.js';
import { checksum, migrate } from './migrate.js';
import { pgliteFromTemplate } from '../../test/support/fixtures.js';

const KEY = randomBytes(32).toString('hex');
const DATABASE_URL = process.env.DATABASE_URL || undefined;
const schemaName = () => `gh_mig_${process.pid}_${randomBytes(4).toString('hex')}`;

describe('migrations on PGlite', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await pgliteFromTemplate();
  });
  afterAll(async () => {
    await db.close();
  });

  const versions = async (schema: string) =>
    (await db.query<{ version: number; name: string; checksum: string }>(`SELECT version, name, checksum FROM "${schema}".gatehouse_migrations ORDER BY version`)).rows;

  it('creates the schema and applies every migration once; a second start applies nothing', async () => {
    const schema = schemaName();
    const first = await createPgliteStores({ pglite: db, schema, encryptionKey: KEY });
    expect(first.migration).toEqual({ schema, from: 0, to: SCHEMA_VERSION, applied: MIGRATIONS.map((m) => m.version) });
    const second = await createPgliteStores({ pglite: db, schema, encryptionKey: KEY });
    expect(second.migration).toEqual({ schema, from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
    expect(await versions(schema)).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name, checksum: checksum(m) })));
    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [schema],
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual([
      'gatehouse_admin_credentials',
      'gatehouse_identities',
      'gatehouse_identity_methods',
      'gatehouse_idp_links',
      'gatehouse_limiter',
      'gatehouse_migrations',
      'gatehouse_recovery_codes',
      'gatehouse_refresh_tokens',
      'gatehouse_replay_claims',
      'gatehouse_revoked_refresh_families',
      'gatehouse_signing_keys',
      'gatehouse_subject_revocations',
      'gatehouse_temp_tokens',
      'gatehouse_token_sessions',
      'gatehouse_users',
    ]);
  });

  it('refuses a database migrated by newer code, naming both versions', async () => {
    const schema = schemaName();
    await createPgliteStores({ pglite: db, schema, encryptionKey: KEY });
    await db.query(`INSERT INTO "${schema}".gatehouse_migrations (version, name, checksum) VALUES ($1, 'from-the-future', 'x')`, [SCHEMA_VERSION + 1]);
    const err = await createPgliteStores({ pglite: db, schema, encryptionKey: KEY }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreConfigError);
    expect((err as Error).message).toMatch(new RegExp(`version ${SCHEMA_VERSION + 1}.*only knows up to ${SCHEMA_VERSION}.*refusing to start`));
    // The refusal changed nothing.
    expect((await versions(schema)).map((v) => v.version)).toEqual([...MIGRATIONS.map((m) => m.version), SCHEMA_VERSION + 1]);
  });

  it('schemaVersion() reads the newest recorded migration now, not the one found at start', async () => {
    const schema = schemaName();
    const stores = await createPgliteStores({ pglite: db, schema, encryptionKey: KEY });
    expect(await stores.schemaVersion()).toBe(SCHEMA_VERSION);
    // Another instance with newer code migrates after this one started.
    await db.query(`INSERT INTO "${schema}".gatehouse_migrations (version, name, checksum) VALUES ($1, 'newer', 'x')`, [SCHEMA_VERSION + 1]);
    expect(await stores.schemaVersion()).toBe(SCHEMA_VERSION + 1);
    expect(stores.migration.to).toBe(SCHEMA_VERSION);
  });

  it('refuses to run when a released migration was edited', async () => {
    const schema = schemaName();
    const executor = createPgliteExecutor(db, false);
    await migrate(executor, schema, MIGRATIONS);
    const edited = MIGRATIONS.map((m, i) => (i === 0 ? { ...m, sql: `${m.sql}\n-- edited` } : m));
    await expect(migrate(executor, schema, edited)).rejects.toThrow(/Migration 1 \(initial\).*does not match/);
  });

  it('applies pending migrations in order, recording each, and rolls back a failing one entirely', async () => {
    const schema = schemaName();
    const executor = createPgliteExecutor(db, false);
    await migrate(executor, schema, MIGRATIONS);
    const next = [
      ...MIGRATIONS,
      { version: SCHEMA_VERSION + 1, name: 'add-a', sql: 'CREATE TABLE gatehouse_extra_a (id int)' },
      { version: SCHEMA_VERSION + 2, name: 'broken', sql: 'CREATE TABLE gatehouse_extra_b (id int); SELECT * FROM no_such_table' },
    ];
    await expect(migrate(executor, schema, next)).rejects.toThrow(/no_such_table/);
    expect((await versions(schema)).map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const extra = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE 'gatehouse_extra_%'`, [schema]);
    expect(extra.rows).toEqual([]);
    const report = await migrate(executor, schema, next.slice(0, -1));
    expect(report).toEqual({ schema, from: SCHEMA_VERSION, to: SCHEMA_VERSION + 1, applied: [SCHEMA_VERSION + 1] });
  });

  it('0002 gives a database with several keys without a successor (earlier versions) exactly one, the newest', async () => {
    const schema = schemaName();
    const executor = createPgliteExecutor(db, false);
    await migrate(executor, schema, MIGRATIONS.slice(0, 1));
    const insert = (kid: string, created: string, retired: string | null) =>
      db.query(
        `INSERT INTO "${schema}".gatehouse_signing_keys (kid, alg, public_jwk, private_jwk_enc, created_at, retired_at, not_after)
         VALUES ($1, 'EdDSA', '{}'::jsonb, 'x', $2, $3, $4)`,
        [kid, created, retired, retired ? '2030-01-01T00:00:00Z' : null],
      );
    await insert('old-retired', '2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z');
    await insert('a', '2025-03-01T00:00:00Z', null);
    await insert('b', '2025-03-01T00:00:01Z', null);
    await insert('c', '2025-03-01T00:00:00.5Z', null);
    expect((await migrate(executor, schema, MIGRATIONS)).applied).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
    const { rows } = await db.query<{ kid: string; created_at: Date; not_before: Date; retired_at: Date | null; not_after: Date | null; verifies_30_days: boolean }>(
      `SELECT kid, created_at, not_before, retired_at, not_after, not_after >= now() + interval '29 days' AS verifies_30_days
         FROM "${schema}".gatehouse_signing_keys ORDER BY kid`,
    );
    const byKid = new Map(rows.map((r) => [r.kid, r]));
    expect(rows.filter((r) => r.retired_at === null).map((r) => r.kid)).toEqual(['b']);
    for (const kid of ['a', 'c']) expect(byKid.get(kid)!.verifies_30_days).toBe(true);
    expect(byKid.get('old-retired')!.retired_at).toEqual(new Date('2025-02-01T00:00:00Z'));
    for (const r of rows) expect(r.not_before).toEqual(r.created_at);
    // From now on the database itself refuses a second key without a successor.
    await expect(
      db.query(
        `INSERT INTO "${schema}".gatehouse_signing_keys (kid, alg, public_jwk, private_jwk_enc, created_at, not_before)
         VALUES ('d', 'EdDSA', '{}'::jsonb, 'x', now(), now())`,
      ),
    ).rejects.toThrow(/unique|duplicate/i);
  });

  it('refuses schema names that are not plain identifiers', async () => {
    for (const schema of ['Public', 'a-b', 'x"; DROP TABLE y; --', '', '1abc']) {
      await expect(createPgliteStores({ pglite: db, schema, encryptionKey: KEY })).rejects.toBeInstanceOf(StoreConfigError);
    }
  });

  it('refuses a missing or weak key before touching the database', async () => {
    await expect(createPgliteStores({ pglite: db, encryptionKey: '' })).rejects.toThrow(/encryptionKey is required/);
    await expect(createPgliteStores({ pglite: db, encryptionKey: Buffer.alloc(32, 7).toString('hex') })).rejects.toThrow(/repeated byte/);
    await expect(createPostgresStores({ connectionString: 'postgres://nobody@127.0.0.1:1/x', encryptionKey: 'short' })).rejects.toBeInstanceOf(
      StoreConfigError,
    );
  });
});

describe.skipIf(!DATABASE_URL)('migrations on PostgreSQL', () => {
  it('six instances starting at once on an empty schema: each migration is applied exactly once', async () => {
    const schema = schemaName();
    const starts = await Promise.all(
      Array.from({ length: 6 }, () => createPostgresStores({ connectionString: DATABASE_URL!, schema, encryptionKey: KEY, poolConfig: { max: 2 } })),
    );
    try {
      const applied = starts.map((s) => s.migration.applied);
      expect(applied.filter((a) => a.length > 0)).toEqual([MIGRATIONS.map((m) => m.version)]);
      expect(applied.filter((a) => a.length === 0)).toHaveLength(5);
      // They all work on the same data.
      await starts[0]!.replay.claim('n', 'k', new Date('2030-01-01'), new Date('2026-01-01'));
      expect(await starts[5]!.replay.claim('n', 'k', new Date('2030-01-01'), new Date('2026-01-01'))).toBe(false);
    } finally {
      await Promise.all(starts.map((s) => s.close()));
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      const rows = (await client.query(`SELECT version FROM "${schema}".gatehouse_migrations`)).rows;
      await client.query(`DROP SCHEMA "${schema}" CASCADE`);
      await client.end();
      expect(rows).toHaveLength(MIGRATIONS.length);
    }
  });

  it('validates timeouts', async () => {
    await expect(createPostgresStores({ connectionString: DATABASE_URL!, encryptionKey: KEY, statementTimeoutMs: 0 })).rejects.toThrow(/statementTimeoutMs/);
    await expect(createPostgresStores({ encryptionKey: KEY })).rejects.toThrow(/connectionString` or `pool/);
  });
});

describe.skipIf(DATABASE_URL)('migrations on PostgreSQL', () => {
  it.skip('needs DATABASE_URL (scripts/pg-test.sh start)', () => undefined);
});
