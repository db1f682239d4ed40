import { createHash } from 'node:crypto';

/** Hex SHA-256: how temp tokens, refresh tokens and recovery codes are keyed at rest. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** 32 random bytes as base64url (43 characters). */
export const OPAQUE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
