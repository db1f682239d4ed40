import type { Migration } from './migration.js';

/**
 * Admin credentials (the admin API's bearer tokens): stored as the SHA-256 of the token, unique, so a request is
 * one index lookup; revocation and `last_used_at` are conditional updates of the row.
 */
export const adminCredentials: Migration = {
  version: 3,
  name: 'admin-credentials',
  sql: `
CREATE TABLE gatehouse_admin_credentials (
  id text PRIMARY KEY,
  name text NOT NULL,
  -- hex SHA-256 of the whole token; the token itself is never stored.
  token_hash text NOT NULL,
  scopes text[] NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  CONSTRAINT gatehouse_admin_credentials_token_hash_unique UNIQUE (token_hash)
);
`,
};
