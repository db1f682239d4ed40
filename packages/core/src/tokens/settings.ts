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
  })
  .strict()
  .refine((s) => s.accessTokenMaxTTL >= s.accessTokenTTL, {
    message: 'accessTokenMaxTTL must be at least accessTokenTTL',
    path: ['accessTokenMaxTTL'],
  });

export type TokenSettings = z.output<typeof tokenSettingsSchema>;
export type TokenSettingsInput = z.input<typeof tokenSettingsSchema>;

export const DEFAULT_TOKEN_SETTINGS: TokenSettings = tokenSettingsSchema.parse({});

/** Normalises IPv4-mapped IPv6 (`::ffff:127.0.0.1`) so a rule written for IPv4 matches. */
export function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    return ipaddr.process(address);
  } catch {
    return null;
  }
}

/** True when `address` falls inside one of `cidrs`. An unparsable address matches nothing. */
export function ipAllowed(address: string, cidrs: readonly string[]): boolean {
  const addr = parseAddress(address);
  if (!addr) return false;
  for (const cidr of cidrs) {
    const [range, bits] = parseCidr(cidr);
    const candidate = range.kind() === 'ipv4' ? parseAddress(range.toString()) : range;
    if (!candidate || candidate.kind() !== addr.kind()) continue;
    if (addr.match([candidate, bits] as [typeof addr, number])) return true;
  }
  return false;
}
