import { StoreConfigError } from '../config/store-config-error.js';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Refuses anything but a plain lower-case identifier, so the name can be quoted into SQL safely. */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new StoreConfigError(`schema must match ${SCHEMA_NAME.source} (got ${JSON.stringify(schema.slice(0, 80))})`);
  }
  return schema;
}

/** Fully qualified table names: every runtime statement names its schema, so a borrowed pool needs no search_path. */
export function tableNames(schema: string) {
  const s = `"${checkSchemaName(schema)}"`;
  return {
    migrations: `${s}.gatehouse_migrations`,
    identities: `${s}.gatehouse_identities`,
    identityMethods: `${s}.gatehouse_identity_methods`,
    users: `${s}.gatehouse_users`,
    recoveryCodes: `${s}.gatehouse_recovery_codes`,
    idpLinks: `${s}.gatehouse_idp_links`,
    sessions: `${s}.gatehouse_token_sessions`,
    subjectRevocations: `${s}.gatehouse_subject_revocations`,
    refreshTokens: `${s}.gatehouse_refresh_tokens`,
    revokedRefreshFamilies: `${s}.gatehouse_revoked_refresh_families`,
    replayClaims: `${s}.gatehouse_replay_claims`,
    tempTokens: `${s}.gatehouse_temp_tokens`,
    limiter: `${s}.gatehouse_limiter`,
    signingKeys: `${s}.gatehouse_signing_keys`,
    adminCredentials: `${s}.gatehouse_admin_credentials`,
  } as const;
}

export type Tables = ReturnType<typeof tableNames>;
