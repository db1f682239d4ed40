import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseEncryptionKey } from './encryption-key.js';
import { StoreConfigError } from './store-config-error.js';

describe('parseEncryptionKey', () => {
  const raw = randomBytes(32);

  it('accepts 32 bytes as hex, base64, base64url or raw bytes', () => {
    expect(parseEncryptionKey(raw.toString('hex'))).toEqual(raw);
    expect(parseEncryptionKey(raw.toString('hex').toUpperCase())).toEqual(raw);
    expect(parseEncryptionKey(raw.toString('base64'))).toEqual(raw);
    expect(parseEncryptionKey(raw.toString('base64url'))).toEqual(raw);
    expect(parseEncryptionKey(`  ${raw.toString('base64')}\n`)).toEqual(raw);
    expect(parseEncryptionKey(new Uint8Array(raw))).toEqual(raw);
  });

  it.each([
    ['missing', undefined, /required/],
    ['null', null, /required/],
    ['empty', '', /required/],
    ['blank', '   ', /required/],
    ['16 bytes', randomBytes(16).toString('base64'), /exactly 32 bytes.*got 16/],
    ['33 bytes', randomBytes(33).toString('hex'), /exactly 32 bytes|hex \(64 characters\) or base64/],
    ['31 raw bytes', randomBytes(31), /exactly 32 bytes.*got 31/],
    ['not base64', 'this is not a key!', /hex \(64 characters\) or base64/],
    ['all zeros', Buffer.alloc(32).toString('hex'), /single repeated byte/],
    ['a password', Buffer.from('correct horse battery staple 123').toString('base64'), /looks like text/],
    ['a 32-character password given as bytes', Buffer.from('correct horse battery staple 123'), /looks like text/],
  ])('refuses %s with a clear StoreConfigError', (_name, input, message) => {
    let err: unknown;
    try {
      parseEncryptionKey(input as string);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreConfigError);
    expect((err as Error).message).toMatch(message);
  });

  it('never echoes the key it refuses', () => {
    const secretish = 'hunter2hunter2hunter2hunter2hunter2';
    expect(() => parseEncryptionKey(secretish)).toThrow(StoreConfigError);
    try {
      parseEncryptionKey(secretish);
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });

  it('names the option in the message', () => {
    expect(() => parseEncryptionKey(undefined, 'previousEncryptionKeys[0]')).toThrow(/previousEncryptionKeys\[0\]/);
  });
});
