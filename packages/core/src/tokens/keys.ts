import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { AuthError, StoreUnavailableError } from '../errors/auth-error.js';
import type { Clock } from '../runtime/clock.js';
import type { KeyStore, SigningAlgorithm, StoredKey } from '../stores/ports.js';
import type { JsonWebKey as NodeJwk } from 'node:crypto';

export interface KeyManagerOptions {
  algorithm: SigningAlgorithm;
  /** Rotate automatically when the newest key is older than this many seconds (off when undefined). */
  rotateAfterSeconds?: number;
  /** How long a replaced key still verifies after it stopped signing, in seconds. Cover your longest token TTL. */
  overlapSeconds: number;
  /** A rotated-in key is published this many seconds before any instance signs with it. */
  propagationSeconds: number;
  /** The longest an instance signs or serves the JWKS from its key view before re-reading the store, seconds. */
  refreshSeconds: number;
  /** Minimum gap between store reloads triggered by an unknown `kid` (bounds work a forged kid can cause). */
  reloadIntervalMs: number;
}

/** The JWKS `Cache-Control` max-age never exceeds this, whatever the propagation window. */
export const JWKS_MAX_AGE_CAP_SECONDS = 300;

/**
 * How long resource servers may cache the JWKS: a key added at T is in every instance's JWKS by T + refresh, so a
 * cache filled just before then holds until T + refresh + max-age, which must come before the key signs at
 * T + propagation. One more refresh period is kept as margin for the insert's own latency and clock skew.
 */
export function jwksMaxAgeSeconds(options: Pick<KeyManagerOptions, 'propagationSeconds' | 'refreshSeconds'>): number {
  return Math.max(0, Math.min(JWKS_MAX_AGE_CAP_SECONDS, Math.floor(options.propagationSeconds - 2 * options.refreshSeconds)));
}

/** Throws a TypeError naming the issuer option when the key timings cannot give the guarantees above. */
export function checkKeyTimings(o: Omit<KeyManagerOptions, 'algorithm'>): void {
  const positive = (v: number | undefined, name: string) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new TypeError(`issuer.${name} must be a positive number of seconds`);
  };
  positive(o.refreshSeconds, 'keyRefreshSeconds');
  positive(o.propagationSeconds, 'keyPropagationSeconds');
  positive(o.overlapSeconds, 'overlapSeconds');
  if (!Number.isFinite(o.reloadIntervalMs) || o.reloadIntervalMs < 0) throw new TypeError('issuer.keyReloadIntervalMs must be a number of milliseconds >= 0');
  if (o.propagationSeconds < 2 * o.refreshSeconds) {
    throw new TypeError(
      `issuer.keyPropagationSeconds (${o.propagationSeconds}) must be at least twice issuer.keyRefreshSeconds (${o.refreshSeconds}): ` +
        'a new key has to reach every instance before it signs',
    );
  }
  if (o.rotateAfterSeconds !== undefined) {
    positive(o.rotateAfterSeconds, 'rotateAfterSeconds');
    if (o.rotateAfterSeconds <= o.propagationSeconds) {
      throw new TypeError(
        `issuer.rotateAfterSeconds (${o.rotateAfterSeconds}) must be longer than issuer.keyPropagationSeconds (${o.propagationSeconds}): ` +
          'otherwise a key would be replaced before it ever signs',
      );
    }
  }
}

interface LoadedKey {
  stored: StoredKey;
  publicKey: KeyObject;
  /** Made (private key imported) the first time the key signs. */
  signer: SigningKey | null;
}

export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  key: KeyObject;
}

/**
 * Owns the signing keys. The store decides (DESIGN §4, "keys are a cluster decision"): the first key and every
 * rotation are a compare-and-swap on the store's one key without a successor, so instances starting or rotating
 * together agree on one key. A rotated-in key signs from its `notBefore`, a propagation window after it was
 * added; every instance re-reads the store at least every `refreshSeconds` before it signs or serves the JWKS,
 * so the key is in every instance's JWKS before any instance signs with it. All times come from the clock.
 */
export class KeyManager {
  #keys = new Map<string, LoadedKey>();
  /** Clock time at which the last successful load started (its view holds every key added before then). */
  #loadedAt = -Infinity;
  #loading: Promise<void> | null = null;
  #backgroundReloadAt = -Infinity;
  #adding: Promise<unknown> | null = null;

  constructor(
    private readonly store: KeyStore,
    private readonly clock: Clock,
    private readonly options: KeyManagerOptions,
  ) {
    checkKeyTimings(options);
  }

  /** `Cache-Control: max-age` for the JWKS, consistent with the propagation window (see `jwksMaxAgeSeconds`). */
  get jwksMaxAgeSeconds(): number {
    return jwksMaxAgeSeconds(this.options);
  }

  /** The key new tokens are signed with. Creates the cluster's first key, or rotates when `rotateAfterSeconds` says so. */
  async signingKey(): Promise<SigningKey> {
    const ready = this.currentSigningKey();
    if (ready) return ready;
    await this.#fresh(false);
    let chosen = this.#select(this.#now());
    if (!chosen) {
      // Nothing can sign: the store holds no key yet. Of instances doing this together exactly one adds its key.
      await this.#addOnce(null);
      chosen = this.#select(this.#now());
    } else if (this.#rotationDue()) {
      // The new key only signs after the propagation window, so `chosen` stays right for this token.
      await this.#addOnce(this.#open() ?? null);
    }
    if (!chosen) throw new Error('no signing key available');
    return signerOf(chosen);
  }

  /**
   * The signing key, synchronously, when nothing has to be awaited first: the key view is within
   * `refreshSeconds`, a key signs now, and no rotation is due. Undefined otherwise (then `signingKey()`).
   */
  currentSigningKey(): SigningKey | undefined {
    const now = this.#now();
    if (now - this.#loadedAt >= this.options.refreshSeconds * 1000 || this.#rotationDue()) return undefined;
    const chosen = this.#select(now);
    return chosen ? signerOf(chosen) : undefined;
  }

  /**
   * Adds a new key as the successor of the newest one: published at once, signing `propagationSeconds` later
   * (at once when the store had no key), the replaced key verifying `overlapSeconds` after that. Returns its kid.
   */
  async rotate(): Promise<string> {
    // Another instance rotating at the same moment wins the swap; then this rotation succeeds that key.
    for (let attempt = 0; attempt < 5; attempt++) {
      await this.reload();
      const kid = await this.#add(this.#open() ?? null);
      if (kid) return kid;
    }
    throw new Error('could not rotate the signing key: other instances kept rotating at the same time');
  }

  /**
   * For synchronous verification: the key for `kid` from this instance's view, never waiting on the store. The view
   * is kept fresh in the background: re-read when older than `refreshSeconds` (a rotated-in key is published a
   * propagation window — at least two refresh periods — before it signs, so it is known before any token carries
   * it), and for an unknown kid at most once per `reloadIntervalMs`. Null for an unknown, expired or
   * other-algorithm key; throws `keys_not_loaded` (unavailable) before the view was ever loaded (`reload()`).
   * `now`: the clock's time in ms, when the caller already read it.
   */
  verificationKeySync(kid: unknown, alg: string, now: number = this.#now()): KeyObject | null {
    if (this.#loadedAt === -Infinity) {
      this.#reloadInBackground(now);
      throw new AuthError({ kind: 'unavailable', reasonCode: 'keys_not_loaded', message: 'Signing keys are not loaded yet' });
    }
    if (now - this.#loadedAt >= this.options.refreshSeconds * 1000) this.#reloadInBackground(now);
    if (typeof kid !== 'string') return null;
    const k = this.#keys.get(kid);
    if (!k) {
      if (kid.length <= 128 && now - this.#loadedAt >= this.options.reloadIntervalMs) this.#reloadInBackground(now);
      return null;
    }
    return k.stored.alg === alg && (k.stored.notAfter === null || k.stored.notAfter.getTime() > now) ? k.publicKey : null;
  }

  /**
   * A reload nobody waits for, one at a time and at most once per `reloadIntervalMs`; a failure (store outage)
   * keeps the current view, and a later call tries again.
   */
  #reloadInBackground(now: number): void {
    if (this.#loading || now - this.#backgroundReloadAt < this.options.reloadIntervalMs) return;
    this.#backgroundReloadAt = now;
    this.reload().catch(() => {});
  }

  /**
   * Seconds since the key that signs now was created, from the cached view (no store call: a metric callback
   * must not block on the database). Undefined before the first load or when no key can sign.
   */
  signingKeyAgeSeconds(): number | undefined {
    const now = this.#now();
    const chosen = this.#select(now);
    return chosen ? Math.max(0, (now - chosen.stored.createdAt.getTime()) / 1000) : undefined;
  }

  /** The cached key for `kid`, synchronously; undefined when it needs a (possibly async) lookup. */
  cachedVerificationKey(kid: unknown, alg: string): KeyObject | undefined {
    if (typeof kid !== 'string') return undefined;
    const k = this.#keys.get(kid);
    return k && k.stored.alg === alg && this.#live(k.stored) ? k.publicKey : undefined;
  }

  /** Public key for `kid`, or null when unknown, expired, or of another algorithm than the token claims. */
  async verificationKey(kid: unknown, alg: unknown): Promise<KeyObject | null> {
    if (typeof kid !== 'string' || typeof alg !== 'string' || kid.length > 128) return null;
    let k = this.#keys.get(kid);
    // Reload on first use, and for unknown kids at most once per interval (bounds work a forged kid can cause).
    if (!k && (this.#loadedAt === -Infinity || this.#now() - this.#loadedAt >= this.options.reloadIntervalMs)) {
      await this.reload();
      k = this.#keys.get(kid);
    }
    if (!k || k.stored.alg !== alg || !this.#live(k.stored)) return null;
    return k.publicKey;
  }

  /**
   * The JWKS document: every key that can still verify, the not-yet-signing one included (newest first). Built
   * from a view at most `refreshSeconds` old; while the store is unreachable, from the last view.
   */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.#fresh(true);
    const keys = [...this.#keys.values()]
      .filter((k) => this.#live(k.stored))
      .sort(
        (a, b) =>
          b.stored.createdAt.getTime() - a.stored.createdAt.getTime() ||
          b.stored.notBefore.getTime() - a.stored.notBefore.getTime() ||
          (a.stored.kid < b.stored.kid ? -1 : 1),
      )
      .map((k) => ({ ...k.stored.publicJwk }) as JWK);
    return { keys };
  }

  /** Re-reads keys from the store (picks up keys other instances added). Concurrent callers share one read. */
  async reload(): Promise<void> {
    if (this.#loading) return this.#loading;
    const started = this.#now();
    this.#loading = (async () => {
      const stored = await this.store.list();
      const next = new Map<string, LoadedKey>();
      for (const s of stored) {
        if (!this.#live(s)) continue;
        const existing = this.#keys.get(s.kid);
        next.set(s.kid, existing ? { ...existing, stored: s } : { stored: s, publicKey: createPublicKey({ key: s.publicJwk as NodeJwk, format: 'jwk' }), signer: null });
      }
      this.#keys = next;
      this.#loadedAt = started;
    })();
    try {
      await this.#loading;
    } finally {
      this.#loading = null;
    }
  }

  /** Reloads when the view is older than `refreshSeconds`. */
  async #fresh(staleOnOutage: boolean): Promise<void> {
    const stale = () => this.#now() - this.#loadedAt >= this.options.refreshSeconds * 1000;
    if (!stale()) return;
    try {
      await this.reload();
      // A reload already in flight may have started before the bound: read once more.
      if (stale()) await this.reload();
    } catch (err) {
      if (staleOnOutage && this.#loadedAt !== -Infinity && err instanceof StoreUnavailableError) return;
      throw err;
    }
  }

  /**
   * The key that signs at `now`: of the keys past their `notBefore` and not retired or expired, the one that
   * started last. A first key (nothing was published before it) also signs on an instance whose clock is
   * behind the one that made it; a rotated-in key never signs before its `notBefore`.
   */
  #select(now: number): LoadedKey | undefined {
    let best: LoadedKey | undefined;
    let first: LoadedKey | undefined;
    for (const k of this.#keys.values()) {
      const s = k.stored;
      if ((s.notAfter !== null && s.notAfter.getTime() <= now) || (s.retiredAt !== null && s.retiredAt.getTime() <= now)) continue;
      if (s.notBefore.getTime() <= now) {
        if (!best || s.notBefore > best.stored.notBefore) best = k;
      } else if (s.notBefore.getTime() === s.createdAt.getTime()) {
        first = k;
      }
    }
    return best ?? first;
  }

  /** The newest key without a successor (the one the next rotation replaces). */
  #open(): LoadedKey | undefined {
    let open: LoadedKey | undefined;
    for (const k of this.#keys.values()) {
      if (k.stored.retiredAt === null && (!open || k.stored.createdAt > open.stored.createdAt)) open = k;
    }
    return open;
  }

  #rotationDue(): boolean {
    const after = this.options.rotateAfterSeconds;
    const open = this.#open();
    return after !== undefined && open !== undefined && this.#now() - open.stored.createdAt.getTime() >= after * 1000;
  }

  /** One add at a time per process: concurrent first logins of a cold instance share one key generation. */
  async #addOnce(replaces: LoadedKey | null): Promise<void> {
    if (this.#adding) {
      await this.#adding;
      return;
    }
    const adding = this.#add(replaces).finally(() => {
      this.#adding = null;
    });
    this.#adding = adding;
    await adding;
  }

  /** Generates a key and offers it to the store as `replaces`'s successor. Returns its kid when the store took it. */
  async #add(replaces: LoadedKey | null): Promise<string | null> {
    const alg = this.options.algorithm;
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const kid = randomBytes(12).toString('base64url');
    const publicJwk = await exportJWK(publicKey);
    const privateJwk = await exportJWK(privateKey);
    // Stamped after key generation, right before the insert: the propagation window starts when the key is stored.
    const createdAt = this.clock.now();
    const notBefore = replaces ? new Date(createdAt.getTime() + this.options.propagationSeconds * 1000) : createdAt;
    const added = await this.store.addSuccessor(
      {
        kid,
        alg,
        publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
        privateJwk: { ...privateJwk, kid, alg },
        createdAt,
        notBefore,
        retiredAt: null,
        notAfter: null,
      },
      replaces
        ? { replaces: replaces.stored.kid, replacedNotAfter: new Date(notBefore.getTime() + this.options.overlapSeconds * 1000) }
        : { replaces: null },
    );
    await this.reload();
    return added ? kid : null;
  }

  #live(k: StoredKey): boolean {
    return k.notAfter === null || k.notAfter.getTime() > this.#now();
  }

  // Reload throttling and the refresh bound use the injected clock too, so tests stay deterministic.
  #now(): number {
    return this.clock.now().getTime();
  }
}

function signerOf(k: LoadedKey): SigningKey {
  k.signer ??= { kid: k.stored.kid, alg: k.stored.alg, key: createPrivateKey({ key: k.stored.privateJwk as NodeJwk, format: 'jwk' }) };
  return k.signer;
}
