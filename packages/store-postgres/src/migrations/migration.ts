/** One schema change. Versions are consecutive from 1; a migration is never edited once released. */
export interface Migration {
  version: number;
  name: string;
  /** Statements, run with `search_path` set to the store's schema inside the migration transaction. */
  sql: string;
}
