/**
 * The SSRF guard. The caller names the host Gatehouse will call, so it must be exactly an OCI Identity
 * endpoint of an allowed realm: `identity.<region>.<realm domain>` (or the newer
 * `identity.<region>.oci.<realm domain>`), lower case, no port, no userinfo, no trailing dot, no path.
 * Anything else is refused before any network call.
 */
import { AuthError } from '@gatehouse-auth/core';

export const DEFAULT_REALM_DOMAINS = ['oraclecloud.com'] as const;

/** `us-ashburn-1`, `eu-frankfurt-1`, `us-gov-ashburn-1`, `me-dcc-muscat-1`. */
const REGION = '[a-z]{2,3}(?:-[a-z]{2,20}){1,3}-[1-9][0-9]{0,2}';
const REALM_DOMAIN = /^(?=.{4,128}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export interface IdentityHost {
  host: string;
  region: string;
  realmDomain: string;
}

/** Lower-cases, dedupes and validates realm domains (`oraclecloud.com`, `oraclegovcloud.com`); throws on a bad one. */
export function normaliseRealmDomains(domains: readonly string[]): string[] {
  if (domains.length === 0) throw new TypeError('realmDomains: at least one realm domain is required');
  const out = new Set<string>();
  for (const raw of domains) {
    const domain = raw.toLowerCase();
    if (!REALM_DOMAIN.test(domain)) throw new TypeError(`realmDomains: "${raw.slice(0, 64)}" is not a DNS domain like oraclecloud.com`);
    out.add(domain);
  }
  return [...out];
}

/** Returns a parser that accepts only identity endpoints of `realmDomains` (already normalised). */
export function identityHostParser(realmDomains: readonly string[]): (host: string) => IdentityHost | null {
  const realms = realmDomains.map((d) => d.replaceAll('.', '\\.')).join('|');
  const pattern = new RegExp(`^identity\\.(${REGION})\\.(?:oci\\.)?(${realms})$`);
  return (host) => {
    if (host.length > 253) return null;
    const m = pattern.exec(host);
    return m ? { host, region: m[1]!, realmDomain: m[2]! } : null;
  };
}

export function invalidHost(reasonCode = 'host_not_oci_identity'): AuthError {
  return new AuthError({
    kind: 'bad_request',
    reasonCode,
    message: 'headers.host must be an OCI Identity endpoint (identity.<region>.<realm domain>) of an allowed realm',
    fields: ['headers.host'],
  });
}
