/**
 * The oci method in the admin API, as Infisical's OCI Auth: `tenancyOcid`, and `allowedUsernames` as a
 * comma-separated string (a JSON list is accepted too; null or empty: any user of the tenancy), answered as
 * `"a, b"` or null under `identityOciAuth`. `realmDomains` is Gatehouse's own (narrows the server's realms).
 */
import type { StrategyAdminApi } from '@gatehouse-auth/core';
import { z } from 'zod';
import type { OciIdentityConfig } from './schemas.js';

export const ociAdminApi: StrategyAdminApi = {
  segment: 'oci-auth',
  envelope: 'identityOciAuth',
  title: 'OCI Auth',
  fields: {
    tenancyOcid: z.string().max(512).describe('The OCID of the tenancy whose users may log in.'),
    allowedUsernames: z
      .union([z.string().max(64 * 1024), z.array(z.string().max(512)).max(256), z.null()])
      .describe('Comma-separated OCI usernames allowed to log in; null or empty: any user of the tenancy.'),
    realmDomains: z.array(z.string().max(253)).max(16).nullable().describe('Gatehouse: OCI realm domains for this identity (a subset of the server\'s); null: the server\'s.'),
  },
  required: ['tenancyOcid'],
  toConfig(fields, current) {
    const prev = current as OciIdentityConfig | undefined;
    const pick = <K extends keyof OciIdentityConfig>(name: K) => (fields[name] === undefined ? prev?.[name] : fields[name]);
    const realmDomains = pick('realmDomains');
    return { tenancyOcid: pick('tenancyOcid'), allowedUsernames: pick('allowedUsernames') ?? null, ...(realmDomains != null ? { realmDomains } : {}) };
  },
  toFields(config) {
    const c = config as OciIdentityConfig;
    return { type: 'iam', tenancyOcid: c.tenancyOcid, allowedUsernames: c.allowedUsernames?.length ? c.allowedUsernames.join(', ') : null, realmDomains: c.realmDomains ?? null };
  },
  fieldOf: (path) => (path[0] === 'allowedUsernames' || path[0] === 'realmDomains' ? path[0] : 'tenancyOcid'),
};
