/**
 * Acceptance 3 (timing half): an unknown username and a wrong password for a real user take the same time.
 * Real argon2id cost (19 MiB, t=2: that is the point), ≥ 200 interleaved attempts of each through the full
 * pipeline, compared as distributions (Mann-Whitney U, two-sided) — never against a duration threshold.
 * A control run against a deliberately leaky backend shows the same test does detect a real difference.
 * Medians and p-values are written to test-artifacts/enumeration-timing.json (gitignored).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, quantile } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { ManualClock, createGatehouse, createMemoryStores, type Gatehouse } from '@gatehouse-auth/core';
import { DEFAULT_ARGON2, PasswordVerifier, createPasswordUser } from '@gatehouse-auth/core/password';
import { ECE_LOGIN_PATH, ecePasswordStrategy, type AuthenticationBackend } from '../src/index.js';
import { mannWhitneyU, permutationTestMedians } from '@gatehouse-auth/testing/stats';

const PAIRS = 250;
const WARMUP_PAIRS = 20;
/** A false alarm at this alpha happens once in a thousand runs when there is truly no difference. */
const ALPHA = 0.001;
const ARTIFACT = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-artifacts', 'enumeration-timing.json');

// Same length, so neither parsing nor hashing a key differs between the two kinds.
const KNOWN = 'operator';
const UNKNOWN = 'operatos';

async function loginTimer(gh: Gatehouse) {
  return async (username: string): Promise<number> => {
    const start = process.hrtime.bigint();
    const res = await gh.handle({
      method: 'POST',
      path: ECE_LOGIN_PATH,
      headers: { 'content-type': 'application/json' },
      socketAddress: '127.0.0.1',
      protocol: 'http',
      body: { username, password: 'not-the-password' },
    });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (res.status !== 401) throw new Error(`expected 401, got ${res.status}`);
    return elapsed;
  };
}

/** ABBA interleaving: drift and bursts of load from other processes fall on both kinds alike. */
async function sample(time: (u: string) => Promise<number>, pairs: number) {
  const unknown: number[] = [];
  const wrong: number[] = [];
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      unknown.push(await time(UNKNOWN));
      wrong.push(await time(KNOWN));
    } else {
      wrong.push(await time(KNOWN));
      unknown.push(await time(UNKNOWN));
    }
  }
  return { unknown, wrong };
}

const summary = (xs: number[]) => ({
  n: xs.length,
  medianMs: round(median(xs)),
  p25Ms: round(quantile(xs, 0.25)),
  p75Ms: round(quantile(xs, 0.75)),
});
const round = (v: number) => Math.round(v * 1000) / 1000;

async function gatehouseWith(backend?: AuthenticationBackend) {
  const clock = new ManualClock('2026-03-01T12:00:00Z');
  const stores = createMemoryStores();
  const gh = createGatehouse({
    // A raised lockout limit: hundreds of failures for one name must not turn into 429s mid-run.
    strategies: [ecePasswordStrategy({ argon2: DEFAULT_ARGON2, lockout: { maxFailures: 1_000_000, windowMs: 60_000, accountCeiling: 1_000_000, addressCeiling: 1_000_000 }, ...(backend ? { backend } : {}) })],
    stores,
    clock,
  });
  await createPasswordUser(stores, { username: KNOWN, password: 'the-real-password' }, { now: clock.now(), params: DEFAULT_ARGON2 });
  return gh;
}

describe('enumeration by timing', () => {
  it(`unknown user vs wrong password: ${PAIRS} interleaved attempts each at the real argon2id cost show no significant difference`, { timeout: 600_000 }, async () => {
    const gh = await gatehouseWith();
    const time = await loginTimer(gh);
    await sample(time, WARMUP_PAIRS); // JIT, the dummy hash, allocator warm-up
    const { unknown, wrong } = await sample(time, PAIRS);
    const mw = mannWhitneyU(unknown, wrong);
    const perm = permutationTestMedians(unknown, wrong, 5000);
    const record = {
      test: 'Mann-Whitney U, two-sided, normal approximation with tie and continuity corrections; plus a seeded permutation test (5000 rounds) on |median difference|',
      alpha: ALPHA,
      argon2: DEFAULT_ARGON2,
      node: process.version,
      unknownUser: summary(unknown),
      wrongPassword: summary(wrong),
      mannWhitney: { u: mw.u, z: round(mw.z), p: mw.p },
      permutationOnMedians: { observedDiffMs: round(perm.observed), p: perm.p },
    };
    mkdirSync(dirname(ARTIFACT), { recursive: true });
    writeFileSync(ARTIFACT, `${JSON.stringify(record, null, 2)}\n`);
    await gh.close();

    expect(unknown.length).toBeGreaterThanOrEqual(200);
    expect(wrong.length).toBeGreaterThanOrEqual(200);
    expect(mw.p, JSON.stringify(record)).toBeGreaterThan(ALPHA);
  });

  it('control: the same comparison flags a backend that skips argon2 for unknown users', { timeout: 120_000 }, async () => {
    const verifier = new PasswordVerifier(DEFAULT_ARGON2);
    const leaky: AuthenticationBackend = {
      name: 'leaky',
      async authenticate(username, password, ctx) {
        const user = await ctx.stores.users.getByUsername(username);
        if (!user) return null; // the mistake: no dummy hash
        return (await verifier.verify(user.passwordHash, password)).ok ? { userId: user.id } : null;
      },
    };
    const gh = await gatehouseWith(leaky);
    const time = await loginTimer(gh);
    await sample(time, 5);
    const { unknown, wrong } = await sample(time, 30);
    await gh.close();
    expect(mannWhitneyU(unknown, wrong).p).toBeLessThan(ALPHA);
  });
});
