/**
 * The key that encrypts secrets at rest (signing private keys, MFA secrets). Outside demo mode it must
 * come from the configuration (better: `GATEHOUSE_ENCRYPTION_KEY`); demo mode makes one and keeps it in
 * the data folder, readable by the owner only.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEncryptionKey as parseStoreKey } from '@gatehouse-auth/store-postgres';
import { configError } from '../errors.js';

export const ENCRYPTION_KEY_BYTES = 32;
export const DEMO_KEY_FILE = 'encryption.key';

/** 64 hex digits, or base64/base64url of 32 random bytes (the store's own rules: no passwords, no repeated bytes). */
export function parseEncryptionKey(text: string, source = 'encryptionKey'): Buffer {
  try {
    return parseStoreKey(text, source);
  } catch (err) {
    throw configError(`${(err as Error).message} (make one with: gatehouse keys generate-encryption-key)`);
  }
}

export function newEncryptionKey(): string {
  return randomBytes(ENCRYPTION_KEY_BYTES).toString('base64');
}

/** Reads `<dataDir>/encryption.key`, creating it (mode 0600) on first use. */
export function demoEncryptionKey(dataDir: string): { key: Buffer; created: boolean; file: string } {
  const file = join(dataDir, DEMO_KEY_FILE);
  let created = false;
  try {
    writeFileSync(file, newEncryptionKey() + '\n', { flag: 'wx', mode: 0o600 });
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // A copied or restored file may have lost its mode: the key is only ever readable by its owner.
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return { key: parseEncryptionKey(readFileSync(file, 'utf8'), file), created, file };
}

export interface ResolvedEncryptionKey {
  key: Buffer | null;
  source: 'config' | 'demo-file' | 'none';
  file?: string;
  created?: boolean;
}

export function resolveEncryptionKey(input: { configured: string | undefined; demo: boolean; dataDir: string; needed: boolean }): ResolvedEncryptionKey {
  if (input.configured) return { key: parseEncryptionKey(input.configured, 'encryptionKey (GATEHOUSE_ENCRYPTION_KEY)'), source: 'config' };
  if (!input.needed) return { key: null, source: 'none' };
  if (input.demo) {
    const { key, created, file } = demoEncryptionKey(input.dataDir);
    return { key, source: 'demo-file', file, created };
  }
  throw configError(
    'an encryption key is required outside demo mode: set GATEHOUSE_ENCRYPTION_KEY (or encryptionKey in the config) to 32 random bytes, e.g. the output of `gatehouse keys generate-encryption-key`',
  );
}
