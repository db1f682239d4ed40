import { Buffer } from 'node:buffer';
import { StoreConfigError } from './store-config-error.js';

export type EncryptionKeyInput = string | Uint8Array;

const HEX_64 = /^[0-9a-fA-F]{64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Turns the configured key into 32 raw bytes. Accepts 64 hex characters, base64 / base64url of 32
 * bytes, or 32 raw bytes. Refuses anything that does not look like random key material: a wrong
 * length, one byte repeated, or only printable ASCII (a password pasted where a key belongs).
 */
export function parseEncryptionKey(input: EncryptionKeyInput | undefined | null, name = 'encryptionKey'): Buffer {
  if (input === undefined || input === null || (typeof input === 'string' && input.trim() === '')) {
    throw new StoreConfigError(
      `${name} is required: 32 random bytes as hex (64 characters) or base64, e.g. from \`openssl rand -base64 32\``,
    );
  }
  let key: Buffer;
  if (typeof input === 'string') {
    const text = input.trim();
    if (HEX_64.test(text)) key = Buffer.from(text, 'hex');
    else if (BASE64.test(text)) key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    else throw new StoreConfigError(`${name} must be hex (64 characters) or base64 of 32 bytes`);
  } else {
    key = Buffer.from(input);
  }
  if (key.length !== 32) {
    throw new StoreConfigError(`${name} must be exactly 32 bytes (AES-256), got ${key.length}`);
  }
  if (key.every((b) => b === key[0])) {
    throw new StoreConfigError(`${name} is a single repeated byte; generate 32 random bytes instead`);
  }
  // 32 random bytes are all printable ASCII with probability ~1e-14: this is a password, not a key.
  if (key.every((b) => b >= 0x20 && b <= 0x7e)) {
    throw new StoreConfigError(`${name} looks like text, not random bytes; generate it with \`openssl rand -base64 32\``);
  }
  return key;
}
