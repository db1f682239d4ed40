import type { Migration } from './migration.js';

/**
 * The initial schema. Runs with `search_path` set to the target schema, so names are unqualified.
 * Conventions: every time is `timestamptz` written from the injected clock (no `now()` defaults);
 * secrets live in `*_enc` columns (AES-256-GCM, see SecretBox); bearer values and attacker-chosen keys
 * are stored as SHA-256 digests (`*_digest`), which also bounds index entry sizes.
 */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE gatehouse_identities (
  id text PRIMARY KEY,
  name text NOT NULL,
  organization_slug text,
  created_at timestamptz NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY
);

CREATE TABLE gatehouse_identity_methods (
  identity_id text NOT NULL REFERENCES gatehouse_identities (id) ON DELETE CASCADE,
  method text NOT NULL,
  -- The strategy's validated config, encrypted: it may hold client secrets.
  config_enc text NOT NULL,
  token jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (identity_id, method)
);

CREATE TABLE gatehouse_users (
  id text PRIMARY KEY,
  username text NOT NULL,
  email text,
  display_name text NOT NULL,
  password_hash text,
  password_changed_at timestamptz,
  require_reset_password boolean NOT NULL,
  disabled boolean NOT NULL,
  title text NOT NULL,
  phone text NOT NULL,
  user_type text NOT NULL,
  groups text[] NOT NULL,
  mfa_enabled boolean NOT NULL DEFAULT false,
  mfa_totp_secret_enc text,
  mfa_pending_secret_enc text,
  mfa_pending_created_at timestamptz,
  last_login_at timestamptz,
  source text NOT NULL,
  created_at timestamptz NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  CONSTRAINT gatehouse_users_username_unique UNIQUE (username),
  CONSTRAINT gatehouse_users_email_unique UNIQUE (email)
);

CREATE TABLE gatehouse_recovery_codes (
  user_id text NOT NULL REFERENCES gatehouse_users (id) ON DELETE CASCADE,
  -- hex SHA-256 of the code, as handed in by the caller; the code itself is never stored.
  code_hash text NOT NULL,
  PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE gatehouse_idp_links (
  idp_id text NOT NULL,
  subject text NOT NULL,
  user_id text NOT NULL REFERENCES gatehouse_users (id) ON DELETE CASCADE,
  PRIMARY KEY (idp_id, subject)
);
CREATE INDEX gatehouse_idp_links_user ON gatehouse_idp_links (user_id);

CREATE TABLE gatehouse_token_sessions (
  jti text PRIMARY KEY,
  subject_key text NOT NULL,
  auth_method text NOT NULL,
  created_at timestamptz NOT NULL,
  ttl integer NOT NULL,
  max_expires_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  num_uses_limit integer NOT NULL,
  num_uses integer NOT NULL,
  trusted_ips text[] NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX gatehouse_token_sessions_expires ON gatehouse_token_sessions (expires_at);
CREATE INDEX gatehouse_token_sessions_subject ON gatehouse_token_sessions (subject_key);

CREATE TABLE gatehouse_subject_revocations (
  subject_key text PRIMARY KEY,
  revoked_before timestamptz NOT NULL
);

CREATE TABLE gatehouse_refresh_tokens (
  -- hex SHA-256 of the opaque refresh token, as handed in by the caller.
  hash text PRIMARY KEY,
  family text NOT NULL,
  user_id text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX gatehouse_refresh_tokens_family ON gatehouse_refresh_tokens (family);
CREATE INDEX gatehouse_refresh_tokens_expires ON gatehouse_refresh_tokens (expires_at);

CREATE TABLE gatehouse_revoked_refresh_families (
  family text PRIMARY KEY,
  revoked_at timestamptz NOT NULL
);

CREATE TABLE gatehouse_replay_claims (
  namespace text NOT NULL,
  key_digest text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (namespace, key_digest)
);
CREATE INDEX gatehouse_replay_claims_expires ON gatehouse_replay_claims (expires_at);

CREATE TABLE gatehouse_temp_tokens (
  namespace text NOT NULL,
  id_digest text NOT NULL,
  payload_enc text NOT NULL,
  attempts integer NOT NULL,
  max_attempts integer NOT NULL,
  -- Set by the failed attempt that used up the budget; a dead token is never returned again.
  dead boolean NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (namespace, id_digest)
);
CREATE INDEX gatehouse_temp_tokens_expires ON gatehouse_temp_tokens (expires_at);

CREATE TABLE gatehouse_limiter (
  key_digest text PRIMARY KEY,
  count integer NOT NULL,
  reset_at timestamptz NOT NULL
);
CREATE INDEX gatehouse_limiter_reset ON gatehouse_limiter (reset_at);

CREATE TABLE gatehouse_signing_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL,
  public_jwk jsonb NOT NULL,
  private_jwk_enc text NOT NULL,
  created_at timestamptz NOT NULL,
  retired_at timestamptz,
  not_after timestamptz
);
`,
};
