import { describe, expect, it } from 'vitest';
import { DpopNonces } from './nonce.js';

const secret = 'n'.repeat(32);

describe('DpopNonces', () => {
  it('accepts a nonce in its slot and the next, refuses it after, by the given clock', () => {
    const nonces = new DpopNonces({ secret, lifetimeSeconds: 60 });
    const t0 = new Date('2026-03-01T12:00:00Z');
    const nonce = nonces.issue(t0);
    expect(nonces.check(nonce, t0)).toBe(true);
    expect(nonces.check(nonce, new Date(t0.getTime() + 60_000))).toBe(true);
    expect(nonces.check(nonce, new Date(t0.getTime() + 120_000))).toBe(false);
    expect(nonces.check(nonce, new Date(t0.getTime() - 60_000))).toBe(false);
  });

  it('refuses a nonce made with another secret, a tampered one and garbage', () => {
    const t0 = new Date('2026-03-01T12:00:00Z');
    const ours = new DpopNonces({ secret });
    const theirs = new DpopNonces({ secret: 'x'.repeat(32) }).issue(t0);
    expect(ours.check(theirs, t0)).toBe(false);
    const nonce = ours.issue(t0);
    const tampered = `${nonce.slice(0, -1)}${nonce.endsWith('A') ? 'B' : 'A'}`;
    expect(ours.check(tampered, t0)).toBe(false);
    for (const junk of [undefined, 42, '', 'abc', `${nonce}.x`, 'x'.repeat(100)]) expect(ours.check(junk, t0)).toBe(false);
  });

  it('instances sharing the secret accept each other’s nonces', () => {
    const t0 = new Date('2026-03-01T12:00:00Z');
    expect(new DpopNonces({ secret }).check(new DpopNonces({ secret }).issue(t0), t0)).toBe(true);
  });

  it('refuses a short secret and a silly lifetime', () => {
    expect(() => new DpopNonces({ secret: 'short' })).toThrow(/32 characters/);
    expect(() => new DpopNonces({ secret, lifetimeSeconds: 1 })).toThrow(/lifetimeSeconds/);
  });
});
