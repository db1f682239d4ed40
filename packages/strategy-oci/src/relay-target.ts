/**
 * Where the signed GET goes. In production: `https://<validated identity host>`, nothing else.
 *
 * Tests (and only tests) need the relay to reach an emulator on 127.0.0.1 while the caller still signs for
 * the real OCI host. `relayOverride` maps an *OCI identity host* to another origin. It is server
 * configuration, never caller input, and it is kept safe three ways:
 * 1. it is looked up only with a host that already passed the OCI-host check, and every key must itself
 *    be a valid identity host of an allowed realm, so no caller-chosen host can ever reach an override;
 * 2. the signed `host` header is forwarded unchanged, so the override cannot change what was signed;
 * 3. it is refused when the strategy is built with `NODE_ENV=production`, unless the operator also sets
 *    `allowInProduction: true` (e.g. a private OCI endpoint reached through a fixed internal origin).
 */
import type { IdentityHost } from './identity-host.js';

export interface RelayOverride {
  /** `{ 'identity.us-ashburn-1.oraclecloud.com': 'http://127.0.0.1:4321' }` */
  origins: Record<string, string>;
  /** Required to use an override when `NODE_ENV === 'production'`. */
  allowInProduction?: boolean;
}

export type RelayOrigins = ReadonlyMap<string, string>;

/** Validates an override at construction time; throws TypeError with the offending entry. */
export function compileRelayOverride(
  override: RelayOverride | undefined,
  parseHost: (host: string) => IdentityHost | null,
  env: string | undefined,
): RelayOrigins {
  const origins = new Map<string, string>();
  if (!override) return origins;
  if (env === 'production' && override.allowInProduction !== true) {
    throw new TypeError('relayOverride is refused when NODE_ENV=production; set relayOverride.allowInProduction: true if this is really intended');
  }
  for (const [host, origin] of Object.entries(override.origins)) {
    if (!parseHost(host)) throw new TypeError(`relayOverride: "${host.slice(0, 100)}" is not an OCI Identity host of an allowed realm`);
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new TypeError(`relayOverride: "${origin.slice(0, 100)}" for ${host} is not a URL`);
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.origin + '/' !== url.href) {
      throw new TypeError(`relayOverride: the target for ${host} must be a bare http(s) origin like http://127.0.0.1:4321`);
    }
    origins.set(host, url.origin);
  }
  return origins;
}

/** The relay URL for a validated identity host: `<origin>/20160918/users/<url-encoded user OCID>`. */
export function relayUrl(identity: IdentityHost, userOcid: string, overrides: RelayOrigins): URL {
  const origin = overrides.get(identity.host) ?? `https://${identity.host}`;
  const url = new URL(`/20160918/users/${encodeURIComponent(userOcid)}`, origin);
  // Belt and braces: the URL parser must agree with the host check.
  if (!overrides.has(identity.host) && (url.hostname !== identity.host || url.port !== '' || url.protocol !== 'https:')) {
    throw new TypeError('relay URL does not match the validated identity host');
  }
  return url;
}
