import { createHash } from 'node:crypto';
import { StoreConfigError } from '../config/store-config-error.js';
import type { SqlExecutor } from '../sql/executor.js';
import { checkSchemaName, tableNames } from '../sql/tables.js';
import type { Migration } from './migration.js';

export interface MigrationReport {
  schema: string;
  /** Version found before this run (0 for an empty database). */
  from: number;
  to: number;
  applied: number[];
}

/**
 * Brings `schema` up to the newest migration. Everything runs in one transaction holding an advisory
 * lock derived from the schema name, so instances starting together apply each migration exactly once
 * and the losers simply find the work done. Refuses a database newer than the code, and one whose
 * recorded migrations differ from the code's (an edited migration).
 */
export async function migrate(db: SqlExecutor, schema: string, migrations: readonly Migration[]): Promise<MigrationReport> {
  checkSchemaName(schema);
  const t = tableNames(schema);
  const known = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1..n in order; found ${m.version} at position ${i + 1}`);
  });

  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey(schema)]);
    const found = await tx.query('SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1', [schema]);
    if (found.rowCount === 0) await tx.exec(`CREATE SCHEMA "${schema}"`);
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS ${t.migrations} (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const { rows } = await tx.query<{ version: number; name: string; checksum: string }>(
      `SELECT version, name, checksum FROM ${t.migrations} ORDER BY version`,
    );
    const current = rows.length ? rows[rows.length - 1]!.version : 0;
    if (current > known) {
      throw new StoreConfigError(
        `The database schema "${schema}" is at version ${current}, but this version of @gatehouse-auth/store-postgres only knows up to ${known}. ` +
          'Upgrade @gatehouse-auth/store-postgres (a newer instance has migrated this database); refusing to start.',
      );
    }
    for (const row of rows) {
      const m = migrations[row.version - 1];
      if (!m || m.version !== row.version || checksum(m) !== row.checksum) {
        throw new StoreConfigError(
          `Migration ${row.version} (${row.name}) recorded in schema "${schema}" does not match the code's; a released migration was changed. Refusing to start.`,
        );
      }
    }
    const pending = migrations.filter((m) => m.version > current);
    if (pending.length) await tx.exec(`SET LOCAL search_path TO "${schema}"`);
    for (const m of pending) {
      await tx.exec(m.sql);
      await tx.query(`INSERT INTO ${t.migrations} (version, name, checksum) VALUES ($1, $2, $3)`, [m.version, m.name, checksum(m)]);
    }
    return { schema, from: current, to: Math.max(current, known), applied: pending.map((m) => m.version) };
  });
}

export function checksum(m: Migration): string {
  return createHash('sha256').update(m.sql).digest('hex');
}

/** A stable signed 64-bit advisory lock key per schema. */
function lockKey(schema: string): string {
  return createHash('sha256').update(`gatehouse-migrations:${schema}`).digest().readBigInt64BE(0).toString();
}
