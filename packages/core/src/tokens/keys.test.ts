// Keys as a cluster decision (DESIGN §4): several KeyManagers over one key store are several instances over one
// database. Time only moves when a test moves the ManualClock, so every bound below is exact.
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../errors/auth-error.js';
import { ManualClock } from '../runtime/clock.js';
import { createGatehouse } from '../runtime/container.js';
import { createMemoryStores, MemoryKeyStore } from '../stores/memory.js';
import type { KeyStore } from '../stores/ports.js';
import { checkKeyTimings, jwksMaxAgeSeconds, KeyManager, type KeyManagerOptions } from './keys.js';

const START = '2026-05-01T10:00:00Z';
const options = (o: Partial<KeyManagerOptions> = {}): KeyManagerOptions => ({
  algorithm: 'EdDSA',
  overlapSeconds: 3600,
  propagationSeconds: 60,
  refreshSeconds: 10,
  reloadIntervalMs: 5_000,
  ...o,
});

/** A key store that counts reads and can be switched off like a database that went away. */
function observedStore(inner: KeyStore = new MemoryKeyStore()) {
  let reads = 0;
  let down = false;
  const store: KeyStore = {
    async list() {
      reads++;
      if (down) throw new StoreUnavailableError();
      return inner.list();
    },
    addSuccessor: (key, succession) => (down ? Promise.reject(new StoreUnavailableError()) : inner.addSuccessor(key, succession)),
    purgeExpired: (now) => inner.purgeExpired(now),
  };
  return { store, reads: () => reads, setDown: (v: boolean) => void (down = v) };
}

const kids = async (m: KeyManager) => (await m.jwks()).keys.map((k) => k.kid);

describe('the first key', () => {
  it('ten instances starting together on an empty store agree on one key and serve byte-identical JWKS', async () => {
    for (let run = 0; run < 5; run++) {
      const store = new MemoryKeyStore();
      const clock = new ManualClock(START);
      const instances = Array.from({ length: 10 }, () => new KeyManager(store, clock, options()));
      const signing = await Promise.all(instances.map((m) => m.signingKey()));
      expect(new Set(signing.map((s) => s.kid)).size).toBe(1);
      const stored = await store.list();
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ kid: signing[0]!.kid, retiredAt: null, notAfter: null, notBefore: new Date(START) });
      const documents = await Promise.all(instances.map(async (m) => JSON.stringify(await m.jwks())));
      expect(new Set(documents).size).toBe(1);
    }
  });

  it('signs at once, also on an instance whose clock is behind the one that made it', async () => {
    const store = new MemoryKeyStore();
    const ahead = new KeyManager(store, new ManualClock(START), options());
    const behind = new KeyManager(store, new ManualClock('2026-05-01T09:59:55Z'), options());
    const { kid } = await ahead.signingKey();
    expect((await behind.signingKey()).kid).toBe(kid);
  });
});

describe('rotation', () => {
  it('is published by every instance within keyRefreshSeconds and signs nowhere before its notBefore', async () => {
    const store = new MemoryKeyStore();
    const clock = new ManualClock(START);
    const [a, b, c] = [0, 1, 2].map(() => new KeyManager(store, clock, options({ refreshSeconds: 10, propagationSeconds: 60 }))) as [KeyManager, KeyManager, KeyManager];
    const old = (await a.signingKey()).kid;
    await Promise.all([b.signingKey(), c.signingKey()]);

    // An admin process rotates.
    clock.advanceSeconds(1);
    const admin = new KeyManager(store, clock, options({ refreshSeconds: 10, propagationSeconds: 60 }));
    const next = await admin.rotate();
    const stored = new Map((await store.list()).map((k) => [k.kid, k]));
    expect(stored.get(next)).toMatchObject({ notBefore: new Date('2026-05-01T10:01:01Z'), retiredAt: null });
    expect(stored.get(old)).toMatchObject({ retiredAt: new Date('2026-05-01T10:01:01Z'), notAfter: new Date('2026-05-01T11:01:01Z') });

    // Within the refresh bound an instance may still serve its previous view; at the bound every one publishes it.
    clock.advanceSeconds(8.999);
    expect(await kids(b)).toEqual([old]);
    clock.advanceSeconds(0.001);
    for (const m of [a, b, c]) expect(await kids(m)).toEqual([next, old]);
    // Published, but nobody signs with it until its notBefore.
    clock.set(new Date('2026-05-01T10:01:00.999Z'));
    for (const m of [a, b, c]) expect((await m.signingKey()).kid).toBe(old);
    clock.advanceSeconds(0.001);
    for (const m of [a, b, c]) expect((await m.signingKey()).kid).toBe(next);
    // The replaced key verifies for overlapSeconds after it stopped signing, then leaves the JWKS.
    clock.set(new Date('2026-05-01T11:01:00.999Z'));
    expect(await c.verificationKey(old, 'EdDSA')).not.toBeNull();
    expect(await kids(c)).toEqual([next, old]);
    clock.advanceSeconds(0.001);
    expect(await c.verificationKey(old, 'EdDSA')).toBeNull();
    expect(await kids(c)).toEqual([next]);
  });

  it('an instance no request reached since the rotation still switches exactly at notBefore', async () => {
    const store = new MemoryKeyStore();
    const clock = new ManualClock(START);
    const idle = new KeyManager(store, clock, options({ refreshSeconds: 10, propagationSeconds: 20 }));
    const old = (await idle.signingKey()).kid;
    const next = await new KeyManager(store, clock, options({ refreshSeconds: 10, propagationSeconds: 20 })).rotate();
    // No request reached `idle` in between: its view is from START, the rotation's notBefore is START + 20 s.
    clock.advanceSeconds(19.999);
    expect((await idle.signingKey()).kid).toBe(old);
    clock.advanceSeconds(0.001);
    expect((await idle.signingKey()).kid).toBe(next);
  });

  it('two rotations at the same moment both add a key, one after the other', async () => {
    const store = new MemoryKeyStore();
    const clock = new ManualClock(START);
    const a = new KeyManager(store, clock, options());
    await a.signingKey();
    const b = new KeyManager(store, clock, options());
    const [x, y] = await Promise.all([a.rotate(), b.rotate()]);
    expect(x).not.toBe(y);
    const stored = await store.list();
    expect(stored).toHaveLength(3);
    expect(stored.filter((k) => k.retiredAt === null)).toHaveLength(1);
  });

  it('automatic rotation is decided once for the cluster, on the stored key age', async () => {
    const store = new MemoryKeyStore();
    const clock = new ManualClock(START);
    const cluster = Array.from({ length: 5 }, () => new KeyManager(store, clock, options({ rotateAfterSeconds: 1000, propagationSeconds: 60 })));
    const first = (await cluster[0]!.signingKey()).kid;
    clock.advanceSeconds(999);
    await Promise.all(cluster.map((m) => m.signingKey()));
    expect(await store.list()).toHaveLength(1);
    clock.advanceSeconds(1);
    const during = await Promise.all(cluster.map((m) => m.signingKey()));
    expect(during.map((s) => s.kid)).toEqual(Array(5).fill(first));
    const stored = await store.list();
    expect(stored).toHaveLength(2);
    const next = stored.find((k) => k.retiredAt === null)!;
    expect(next.notBefore).toEqual(new Date('2026-05-01T10:17:40Z'));
    clock.advanceSeconds(60);
    const after = await Promise.all(cluster.map((m) => m.signingKey()));
    expect(after.map((s) => s.kid)).toEqual(Array(5).fill(next.kid));
    expect(await store.list()).toHaveLength(2);
  });

  it('never signs with or verifies a replaced key past its notAfter', async () => {
    const inner = new MemoryKeyStore();
    const clock = new ManualClock(START);
    const m = new KeyManager(inner, clock, options());
    const first = (await m.signingKey()).kid;
    const next = await new KeyManager(inner, clock, options({ propagationSeconds: 20, overlapSeconds: 5 })).rotate();
    clock.advanceSeconds(25);
    const signing = await m.signingKey();
    expect(signing.kid).toBe(next);
    expect(await m.verificationKey(first, 'EdDSA')).toBeNull();
  });
});

describe('refresh and reload bounds', () => {
  it('re-reads the store before signing or serving the JWKS once its view is keyRefreshSeconds old, not sooner', async () => {
    const observed = observedStore();
    const clock = new ManualClock(START);
    const m = new KeyManager(observed.store, clock, options({ refreshSeconds: 10 }));
    await m.signingKey();
    const afterStart = observed.reads();
    clock.advanceSeconds(9.999);
    await m.signingKey();
    await m.jwks();
    expect(observed.reads()).toBe(afterStart);
    clock.advanceSeconds(0.001);
    await m.signingKey();
    await m.jwks();
    expect(observed.reads()).toBe(afterStart + 1);
  });

  it('a burst of unknown kids reloads at most once per keyReloadIntervalMs', async () => {
    const observed = observedStore();
    const clock = new ManualClock(START);
    const m = new KeyManager(observed.store, clock, options({ reloadIntervalMs: 5_000, refreshSeconds: 30, propagationSeconds: 60 }));
    await m.signingKey();
    const before = observed.reads();
    clock.advanceSeconds(5);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => m.verificationKey(`forged-${i}`, 'EdDSA')));
    expect(results.every((r) => r === null)).toBe(true);
    expect(observed.reads() - before).toBe(1);
    clock.advanceSeconds(4.999);
    await m.verificationKey('forged-again', 'EdDSA');
    expect(observed.reads() - before).toBe(1);
    clock.advanceSeconds(0.001);
    await m.verificationKey('forged-again', 'EdDSA');
    expect(observed.reads() - before).toBe(2);
  });

  it('an unknown kid that another instance just added is found by the reload', async () => {
    const store = new MemoryKeyStore();
    const clock = new ManualClock(START);
    const a = new KeyManager(store, clock, options());
    const b = new KeyManager(store, clock, options());
    await b.jwks();
    const { kid } = await a.signingKey();
    clock.advanceSeconds(5);
    expect(await b.verificationKey(kid, 'EdDSA')).not.toBeNull();
  });

  it('while the store is unreachable the JWKS comes from the last view; signing needs a fresh one', async () => {
    const observed = observedStore();
    const clock = new ManualClock(START);
    const m = new KeyManager(observed.store, clock, options({ refreshSeconds: 10 }));
    const { kid } = await m.signingKey();
    observed.setDown(true);
    clock.advanceSeconds(10);
    expect(await kids(m)).toEqual([kid]);
    await expect(m.signingKey()).rejects.toBeInstanceOf(StoreUnavailableError);
    observed.setDown(false);
    expect((await m.signingKey()).kid).toBe(kid);
  });

  it('without any view, an unreachable store is an error, not an empty JWKS', async () => {
    const observed = observedStore();
    observed.setDown(true);
    const m = new KeyManager(observed.store, new ManualClock(START), options());
    await expect(m.jwks()).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe('timings', () => {
  it('the JWKS max-age leaves a new key time to reach every cache before it signs', () => {
    expect(jwksMaxAgeSeconds({ propagationSeconds: 600, refreshSeconds: 30 })).toBe(300);
    expect(jwksMaxAgeSeconds({ propagationSeconds: 200, refreshSeconds: 30 })).toBe(140);
    expect(jwksMaxAgeSeconds({ propagationSeconds: 8, refreshSeconds: 2 })).toBe(4);
    expect(jwksMaxAgeSeconds({ propagationSeconds: 4, refreshSeconds: 2 })).toBe(0);
    expect(jwksMaxAgeSeconds({ propagationSeconds: 86_400, refreshSeconds: 30 })).toBe(300);
  });

  it('the JWKS route sends that max-age (no-cache when it is 0)', async () => {
    const get = async (issuer: NonNullable<Parameters<typeof createGatehouse>[0]>['issuer']) => {
      const gh = createGatehouse({ stores: createMemoryStores(), clock: new ManualClock(START), strategies: [], issuer });
      await gh.issuer.keys.signingKey();
      const res = await gh.handle({ method: 'GET', path: '/.well-known/jwks.json', headers: {}, query: {}, socketAddress: '127.0.0.1', protocol: 'http' });
      return res.headers['cache-control'];
    };
    expect(await get({})).toBe('public, max-age=300');
    expect(await get({ keyPropagationSeconds: 8, keyRefreshSeconds: 2 })).toBe('public, max-age=4');
    expect(await get({ keyPropagationSeconds: 4, keyRefreshSeconds: 2 })).toBe('no-cache');
  });

  it('timings that cannot keep the guarantees are refused, naming the option', () => {
    const base = { overlapSeconds: 3600, propagationSeconds: 60, refreshSeconds: 10, reloadIntervalMs: 5000 };
    expect(() => checkKeyTimings({ ...base, propagationSeconds: 19 })).toThrow(/keyPropagationSeconds \(19\) must be at least twice issuer\.keyRefreshSeconds \(10\)/);
    expect(() => checkKeyTimings({ ...base, rotateAfterSeconds: 60 })).toThrow(/rotateAfterSeconds \(60\) must be longer than issuer\.keyPropagationSeconds \(60\)/);
    expect(() => checkKeyTimings({ ...base, refreshSeconds: 0 })).toThrow(/keyRefreshSeconds must be a positive/);
    expect(() => checkKeyTimings({ ...base, overlapSeconds: Number.NaN })).toThrow(/overlapSeconds must be a positive/);
    expect(() => createGatehouse({ stores: createMemoryStores(), strategies: [], issuer: { keyPropagationSeconds: 30, keyRefreshSeconds: 30 } })).toThrow(TypeError);
    expect(() => checkKeyTimings({ ...base, rotateAfterSeconds: 61 })).not.toThrow();
  });
});
