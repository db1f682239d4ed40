import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_KEY_FILE, newEncryptionKey, parseEncryptionKey, resolveEncryptionKey } from './encryption-key.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'gh-key-'));

describe('encryption key', () => {
  it('demo mode makes an owner-only key on first start and reuses it', () => {
    const dataDir = fresh();
    const first = resolveEncryptionKey({ configured: undefined, demo: true, dataDir, needed: true });
    expect(first).toMatchObject({ source: 'demo-file', created: true });
    expect(first.key).toHaveLength(32);
    expect(statSync(join(dataDir, DEMO_KEY_FILE)).mode & 0o777).toBe(0o600);
    const second = resolveEncryptionKey({ configured: undefined, demo: true, dataDir, needed: true });
    expect(second.created).toBe(false);
    expect(second.key!.equals(first.key!)).toBe(true);
  });

  it('a demo key file that lost its mode is made owner-only again', () => {
    const dataDir = fresh();
    writeFileSync(join(dataDir, DEMO_KEY_FILE), newEncryptionKey());
    chmodSync(join(dataDir, DEMO_KEY_FILE), 0o644);
    resolveEncryptionKey({ configured: undefined, demo: true, dataDir, needed: true });
    expect(statSync(join(dataDir, DEMO_KEY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('outside demo mode the key is required, with a clear error, and no file is written', () => {
    const dataDir = fresh();
    expect(() => resolveEncryptionKey({ configured: undefined, demo: false, dataDir, needed: true })).toThrow(/encryption key is required outside demo mode: set GATEHOUSE_ENCRYPTION_KEY/);
    expect(() => readFileSync(join(dataDir, DEMO_KEY_FILE))).toThrow();
  });

  it('a configured key wins; malformed or weak keys are refused without echoing them', () => {
    const key = newEncryptionKey();
    expect(resolveEncryptionKey({ configured: key, demo: true, dataDir: fresh(), needed: true }).source).toBe('config');
    const hex = randomBytes(32).toString('hex');
    expect(parseEncryptionKey(hex).toString('hex')).toBe(hex);
    expect(parseEncryptionKey(Buffer.from(hex, 'hex').toString('base64url')).toString('hex')).toBe(hex);
    for (const bad of ['short', 'correct horse battery staple correct horse!', 'a'.repeat(64)]) {
      expect(() => parseEncryptionKey(bad)).toThrow(/encryptionKey/);
      try {
        parseEncryptionKey(bad);
      } catch (err) {
        expect((err as Error).message).not.toContain(bad);
      }
    }
  });

  it('no key is needed for the memory store', () => {
    expect(resolveEncryptionKey({ configured: undefined, demo: false, dataDir: fresh(), needed: false })).toEqual({ key: null, source: 'none' });
  });
});
