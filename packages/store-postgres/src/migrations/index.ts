import { initial } from './0001-initial.js';
import { keySuccession } from './0002-key-succession.js';
import { adminCredentials } from './0003-admin-credentials.js';
import type { Migration } from './migration.js';

/** Every migration, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [initial, keySuccession, adminCredentials];

/** The schema version this code writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export type { Migration } from './migration.js';
export { migrate, type MigrationReport } from './migrate.js';
