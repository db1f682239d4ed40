/**
 * Admin tokens: `gha_` + 32 random bytes (base64url, 43 characters) + a CRC-32 of those bytes (base64url, 6
 * characters). The prefix lets secret scanners find a leaked token (`gha_[A-Za-z0-9_-]{49}`), the checksum lets
 * them (and us) tell a real token from a look-alike without asking the store.
 *
 * Stored as hex SHA-256 of the whole token, not argon2: the token is 256 bits from the CSPRNG, so there is no
 * dictionary to slow down — a fast hash is as strong as a slow one here — and an unsalted digest can be looked
 * up by index (a per-credential salt would force a scan of every credential on every request).
 */
import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const ADMIN_TOKEN_PREFIX = 'gha_';
/** A whole admin token, as secret scanners may match it. */
export const ADMIN_TOKEN_PATTERN = /^gha_[A-Za-z0-9_-]{49}$/;

const SECRET_BYTES = 32;
const SECRET_CHARS = 43;

function checksum(secret: Buffer): string {
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc32(secret) >>> 0);
  return sum.toString('base64url');
}

/** A new admin token (shown once, never stored). */
export function generateAdminToken(): string {
  const secret = randomBytes(SECRET_BYTES);
  return `${ADMIN_TOKEN_PREFIX}${secret.toString('base64url')}${checksum(secret)}`;
}

/** Prefix, length, alphabet and checksum: what can be told without the store. */
export function isWellFormedAdminToken(token: string): boolean {
  if (!ADMIN_TOKEN_PATTERN.test(token)) return false;
  const body = token.slice(ADMIN_TOKEN_PREFIX.length);
  const secret = Buffer.from(body.slice(0, SECRET_CHARS), 'base64url');
  // Base64url of 32 bytes has unused low bits in its last character: a canonical re-encoding must give it back.
  return secret.length === SECRET_BYTES && secret.toString('base64url') === body.slice(0, SECRET_CHARS) && checksum(secret) === body.slice(SECRET_CHARS);
}

/** What the store keeps and looks up: hex SHA-256 of the whole token. */
export function hashAdminToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
