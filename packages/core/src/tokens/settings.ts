import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/** Ten years, the ceiling Infisical uses for TTLs. */
const MAX_TTL_SECONDS = 315_360_000;

/** Parses `10.0.0.0/8`, `2001:db8::/32` or a bare address; throws on anything else. */
export function parseCidr(value: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  const text = value.trim();
  if (text.includes('/')) return ipaddr.parseCIDR(text);
  const addr = ipaddr.parse(text);
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}

export const cidrSchema = z.string().max(64).refine(
  (v) => {
    try {
      parseCidr(v);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IPv4 or IPv6 address or CIDR range' },
);

export const tokenSettingsSchema = z
  .object({
    /** Seconds a token lives (→ `expiresIn`). */
    accessTokenTTL: z.number().int().positive().max(MAX_TTL_SECONDS).default(2_592_000),
    /** Renewal budget counted from first issue (→ `accessTokenMaxTTL`). */
    accessTokenMaxTTL: z.number().int().positive().max(MAX_TTL_SECONDS).default(2_592_000),
    /** 0 = unlimited. */
    accessTokenNumUsesLimit: z.number().int().min(0).max(1_000_000_000).default(0),
    accessTokenTrustedIps: z.array(cidrSchema).max(256).default(['0.0.0.0/0', '::/0']),
    /**
     * Periodic tokens (Vault's `period`, Infisical's `accessTokenPeriod`), seconds; 0 = off. When set, a token
     * lives this long, each renewal extends it by this much with no max TTL, and a missed renewal ends it.
     * `accessTokenTTL` and `accessTokenMaxTTL` are then not used.
     */
    accessTokenPeriod: z.number().int().min(0).max(MAX_TTL_SECONDS).default(0),
    /** Refuse logins that carry no DPoP proof (RFC 9449): every token of the identity is bound to a key. */
    accessTokenRequireDpop: z.boolean().default(false),
    /** Bind tokens to the client certificate of the login (RFC 8705 `x5t#S256`); for certificate logins (tls-cert). */
    accessTokenCertificateBound: z.boolean().default(false),
  })
  .strict()
  .refine((s) => s.accessTokenMaxTTL >= s.accessTokenTTL, {
    message: 'accessTokenMaxTTL must be at least accessTokenTTL',
    path: ['accessTokenMaxTTL'],
  });

/** Every setting, defaults applied (what `resolveTokenSettings` returns). */
export type ResolvedTokenSettings = z.output<typeof tokenSettingsSchema>;
/** Settings added after the first release: absent from methods stored before them, so optional here. */
type LaterSettings = 'accessTokenPeriod' | 'accessTokenRequireDpop' | 'accessTokenCertificateBound';
/** Token settings as stored on an identity method; read them through `resolveTokenSettings`. */
export type TokenSettings = Omit<ResolvedTokenSettings, LaterSettings> & Partial<Pick<ResolvedTokenSettings, LaterSettings>>;
export type TokenSettingsInput = z.input<typeof tokenSettingsSchema>;

export const DEFAULT_TOKEN_SETTINGS: ResolvedTokenSettings = tokenSettingsSchema.parse({});

/** Normalises IPv4-mapped IPv6 (`::ffff:127.0.0.1`) so a rule written for IPv4 matches. */
export function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    return ipaddr.process(address);
  } catch {
    return null;
  }
}

/** Parsed CIDRs, by their text: rules are few and reused on every login and use (bounded anyway). */
const cidrCache = new Map<string, [ipaddr.IPv4 | ipaddr.IPv6, number] | null>();
const CIDR_CACHE_MAX = 4096;

function cachedCidr(cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  let parsed = cidrCache.get(cidr);
  if (parsed === undefined) {
    try {
      const [range, bits] = parseCidr(cidr);
      // An IPv4-mapped IPv6 rule (::ffff:10.0.0.0/104) matches the IPv4 addresses it maps.
      parsed = range.kind() === 'ipv6' && (range as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96
        ? [(range as ipaddr.IPv6).toIPv4Address(), bits - 96]
        : [range, bits];
    } catch {
      parsed = null;
    }
    if (cidrCache.size >= CIDR_CACHE_MAX) cidrCache.clear();
    cidrCache.set(cidr, parsed);
  }
  return parsed;
}

/**
 * Parsed client addresses and their canonical text, by the text as received, read-only (never handed out): every
 * request normalises its client address and every login checks it against the trusted IPs, and a client sends
 * many requests. Bounded; the oldest entry goes first. Longer texts than any address are parsed, not kept.
 */
interface ParsedAddress {
  addr: ipaddr.IPv4 | ipaddr.IPv6;
  text: string;
}
const addressCache = new Map<string, ParsedAddress | null>();
const ADDRESS_CACHE_MAX = 1024;

function cachedAddress(address: string): ParsedAddress | null {
  let parsed = addressCache.get(address);
  if (parsed === undefined) {
    const addr = parseAddress(address);
    parsed = addr ? { addr, text: addr.toString() } : null;
    if (address.length > 64) return parsed;
    if (addressCache.size >= ADDRESS_CACHE_MAX) addressCache.delete(addressCache.keys().next().value!);
    addressCache.set(address, parsed);
  }
  return parsed;
}

/** The canonical text of an address (IPv4-mapped IPv6 as IPv4), or null when it is not one. */
export function normalisedAddress(address: string): string | null {
  return cachedAddress(address)?.text ?? null;
}

/** True when `address` falls inside one of `cidrs`. An unparsable address matches nothing. */
export function ipAllowed(address: string, cidrs: readonly string[]): boolean {
  const addr = cachedAddress(address)?.addr;
  if (!addr) return false;
  for (const cidr of cidrs) {
    const rule = cachedCidr(cidr);
    if (!rule || rule[0].kind() !== addr.kind()) continue;
    if (rule[1] === 0 || addr.match(rule as [typeof addr, number])) return true;
  }
  return false;
}

/**
 * Token settings for one issue: defaults overlaid with the given ones. Settings from an identity method were
 * validated when written (GatehouseAdmin), so this only re-checks the invariants cheaply instead of re-parsing.
 */
const SETTING_KEYS = Object.keys(DEFAULT_TOKEN_SETTINGS) as (keyof ResolvedTokenSettings)[];
const positive = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 315_360_000;

export function resolveTokenSettings(given: Partial<TokenSettings> | undefined): ResolvedTokenSettings {
  const s: ResolvedTokenSettings = { ...DEFAULT_TOKEN_SETTINGS };
  if (given) {
    for (const key of SETTING_KEYS) {
      if (given[key] !== undefined) (s as Record<string, unknown>)[key] = given[key];
    }
  }
  if (
    !positive(s.accessTokenTTL) ||
    !positive(s.accessTokenMaxTTL) ||
    s.accessTokenMaxTTL < s.accessTokenTTL ||
    !Number.isInteger(s.accessTokenNumUsesLimit) ||
    s.accessTokenNumUsesLimit < 0 ||
    !Array.isArray(s.accessTokenTrustedIps) ||
    !Number.isInteger(s.accessTokenPeriod) ||
    s.accessTokenPeriod < 0 ||
    s.accessTokenPeriod > 315_360_000 ||
    typeof s.accessTokenRequireDpop !== 'boolean' ||
    typeof s.accessTokenCertificateBound !== 'boolean'
  ) {
    // Fall back to the schema for a precise error (only reachable from a strategy passing bad settings).
    return tokenSettingsSchema.parse(s);
  }
  return s;
}
