import { createHash } from 'node:crypto';
import type { SecretBox } from '../crypto/secret-box.js';
import type { SqlExecutor } from '../sql/executor.js';
import type { Tables } from '../sql/tables.js';

/** What every SQL store needs: the executor, the qualified table names, the at-rest cipher. */
export interface StoreContext {
  db: SqlExecutor;
  t: Tables;
  box: SecretBox;
}

/** Hex SHA-256, for keys that come from request input (bounded index entries) or are bearer values. */
export const digest = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');
