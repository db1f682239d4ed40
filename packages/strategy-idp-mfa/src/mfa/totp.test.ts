import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { MemoryReplayStore } from '@gatehouse-auth/core';
import { checkTotp, claimTotpStep, newTotpSecret, otpauthUri } from './totp.js';

const secret = newTotpSecret();
// Mid-step, so ±1 step is unambiguous.
const now = new Date(Date.UTC(2026, 0, 1, 0, 0, 15));
const epoch = now.getTime() / 1000;
const codeAt = (steps: number) => generate({ secret, epoch: epoch + steps * 30 });

describe('checkTotp', () => {
  it('accepts the current step and one either side, with the matched step', async () => {
    const step = Math.floor(epoch / 30);
    expect(await checkTotp(secret, await codeAt(0), now)).toEqual({ ok: true, timeStep: step });
    expect(await checkTotp(secret, await codeAt(-1), now)).toEqual({ ok: true, timeStep: step - 1 });
    expect(await checkTotp(secret, await codeAt(1), now)).toEqual({ ok: true, timeStep: step + 1 });
  });

  it('refuses two steps away', async () => {
    expect((await checkTotp(secret, await codeAt(-2), now)).ok).toBe(false);
    expect((await checkTotp(secret, await codeAt(2), now)).ok).toBe(false);
  });

  it('trims surrounding whitespace but nothing inside', async () => {
    const code = await codeAt(0);
    expect((await checkTotp(secret, ` \t${code}\n`, now)).ok).toBe(true);
    expect((await checkTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, now)).ok).toBe(false);
  });

  it('refuses non-codes without throwing, and a corrupt secret never matches', async () => {
    for (const bad of ['', '12345', '1234567', 'abcdef', '１２３４５６', '12345\u0000']) expect((await checkTotp(secret, bad, now)).ok).toBe(false);
    expect((await checkTotp('not base32 !!', '123456', now)).ok).toBe(false);
  });

  it('secrets are 160-bit Base32 and fresh each time', () => {
    const a = newTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(a);
  });

  it('otpauth URI carries issuer, account and secret', () => {
    const uri = new URL(otpauthUri({ issuer: 'Acme', account: 'ann@example.com', secret }));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Acme');
  });
});

describe('claimTotpStep', () => {
  it('claims a step once while any of its codes can still be accepted', async () => {
    const replay = new MemoryReplayStore();
    const step = Math.floor(epoch / 30);
    expect(await claimTotpStep(replay, 'u1', step, now)).toBe(true);
    expect(await claimTotpStep(replay, 'u1', step, now)).toBe(false);
    expect(await claimTotpStep(replay, 'u2', step, now)).toBe(true);
    // Still claimed at the last moment the code verifies (end of the next step)…
    expect(await claimTotpStep(replay, 'u1', step, new Date((step + 2) * 30_000 - 1))).toBe(false);
    // …and free after it, when checkTotp would refuse the code anyway.
    expect(await claimTotpStep(replay, 'u1', step, new Date((step + 2) * 30_000))).toBe(true);
  });
});
