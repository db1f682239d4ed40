import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Buffer } from 'node:buffer';

const VERSION = 'g1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Thrown when a stored secret cannot be decrypted (wrong key, tampered row, or a row moved between records). */
export class SecretDecryptionError extends Error {
  override readonly name = 'SecretDecryptionError';
}

/**
 * AES-256-GCM for secrets at rest. The stored form is `g1.<keyId>.<iv>.<ciphertext+tag>` (base64url).
 * `keyId` is a short fingerprint of the key so a rotated-out key can still decrypt old rows.
 * Every value is bound to where it lives (`context`, e.g. `users.mfa_totp_secret:<userId>`) as
 * additional authenticated data: a row copied onto another user does not decrypt.
 */
export class SecretBox {
  readonly #current: { id: string; key: Buffer };
  readonly #byId = new Map<string, Buffer>();

  constructor(key: Buffer, previousKeys: Buffer[] = []) {
    this.#current = { id: keyId(key), key };
    for (const k of [key, ...previousKeys]) this.#byId.set(keyId(k), k);
  }

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#current.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, this.#current.id, iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  decrypt(stored: string, context: string): string {
    const [version, id, ivText, bodyText, ...rest] = stored.split('.');
    if (version !== VERSION || !id || !ivText || !bodyText || rest.length) {
      throw new SecretDecryptionError(`Stored secret for ${context} has an unknown format`);
    }
    const key = this.#byId.get(id);
    if (!key) {
      throw new SecretDecryptionError(
        `Stored secret for ${context} was encrypted with a key that is not configured (key id ${id}); set encryptionKey or previousEncryptionKeys`,
      );
    }
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new SecretDecryptionError(`Stored secret for ${context} is truncated`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptionError(`Stored secret for ${context} failed authentication (tampered, or moved from another record)`);
    }
  }

  encryptJson(value: unknown, context: string): string {
    return this.encrypt(JSON.stringify(value ?? null), context);
  }

  decryptJson<T>(stored: string, context: string): T {
    return JSON.parse(this.decrypt(stored, context)) as T;
  }
}

/** 8 hex characters of SHA-256 over a domain tag and the key: identifies the key, reveals nothing useful. */
function keyId(key: Buffer): string {
  return createHash('sha256').update('gatehouse-store-key-id\u0000').update(key).digest('hex').slice(0, 8);
}
