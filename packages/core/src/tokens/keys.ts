import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Clock } from '../runtime/clock.js';
import type { KeyStore, SigningAlgorithm, StoredKey } from '../stores/ports.js';
import type { JsonWebKey as NodeJwk } from 'node:crypto';

export interface KeyManagerOptions {
  algorithm: SigningAlgorithm;
  /** Rotate automatically when the signing key is older than this many seconds (off when undefined). */
  rotateAfterSeconds?: number;
  /** How long a retired key still verifies, in seconds. Should cover the longest token TTL you issue. */
  overlapSeconds: number;
  /** Minimum gap between store reloads triggered by an unknown `kid` (bounds work a forged kid can cause). */
  reloadIntervalMs: number;
}

interface LoadedKey {
  stored: StoredKey;
  publicKey: KeyObject;
  /** Present while the key may still sign (not retired). */
  privateKey: KeyObject | null;
}

/**
 * Owns the signing keys: creates the first on demand, persists every key through the key store (so a
 * restart keeps tokens valid), rotates with an overlap window, and serves the verification set.
 */
export class KeyManager {
  #keys = new Map<string, LoadedKey>();
  #loadedAt = -Infinity;
  #loading: Promise<void> | null = null;
  #rotating: Promise<void> | null = null;

  constructor(
    private readonly store: KeyStore,
    private readonly clock: Clock,
    private readonly options: KeyManagerOptions,
  ) {}

  /** The key new tokens are signed with, creating or rotating it when needed. */
  async signingKey(): Promise<{ kid: string; alg: SigningAlgorithm; key: KeyObject }> {
    if (this.#loadedAt === -Infinity) await this.reload();
    let current = this.#current();
    const now = this.clock.now().getTime();
    const tooOld =
      current &&
      this.options.rotateAfterSeconds !== undefined &&
      now - current.stored.createdAt.getTime() >= this.options.rotateAfterSeconds * 1000;
    if (!current || tooOld) {
      await this.rotate();
      current = this.#current();
    }
    if (!current?.privateKey) throw new Error('no signing key available');
    return { kid: current.stored.kid, alg: current.stored.alg, key: current.privateKey };
  }

  /** Creates a new signing key and retires the previous ones (they verify for `overlapSeconds` more). */
  async rotate(): Promise<string> {
    // One rotation at a time inside this process; across instances every inserted key is valid anyway.
    while (this.#rotating) await this.#rotating;
    let kid = '';
    this.#rotating = (async () => {
      const now = this.clock.now();
      const { publicKey, privateKey } = await generateKeyPair(this.options.algorithm, { extractable: true });
      kid = randomBytes(12).toString('base64url');
      const publicJwk = await exportJWK(publicKey);
      const privateJwk = await exportJWK(privateKey);
      await this.store.insert({
        kid,
        alg: this.options.algorithm,
        publicJwk: { ...publicJwk, kid, alg: this.options.algorithm, use: 'sig' },
        privateJwk: { ...privateJwk, kid, alg: this.options.algorithm },
        createdAt: now,
        retiredAt: null,
        notAfter: null,
      });
      const notAfter = new Date(now.getTime() + this.options.overlapSeconds * 1000);
      // Every signing key in the store, not only those this process has loaded: a fresh process (an admin
      // command, another instance) rotating must retire the key the others sign with.
      for (const k of await this.store.list()) {
        if (k.retiredAt === null && k.kid !== kid) await this.store.retire(k.kid, now, notAfter);
      }
      await this.reload();
    })();
    try {
      await this.#rotating;
    } finally {
      this.#rotating = null;
    }
    return kid;
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

  /** The JWKS document: every key that can still verify. */
  async jwks(): Promise<{ keys: JWK[] }> {
    if (this.#loadedAt === -Infinity || this.#now() - this.#loadedAt >= this.options.reloadIntervalMs) {
      await this.reload();
    }
    const keys = [...this.#keys.values()]
      .filter((k) => this.#live(k.stored))
      .sort((a, b) => b.stored.createdAt.getTime() - a.stored.createdAt.getTime())
      .map((k) => ({ ...k.stored.publicJwk }) as JWK);
    return { keys };
  }

  /** Re-reads keys from the store (picks up rotations done by other instances). */
  async reload(): Promise<void> {
    if (this.#loading) return this.#loading;
    this.#loading = (async () => {
      const stored = await this.store.list();
      const next = new Map<string, LoadedKey>();
      for (const s of stored) {
        if (!this.#live(s)) continue;
        const existing = this.#keys.get(s.kid);
        if (existing) {
          next.set(s.kid, { ...existing, stored: s });
          continue;
        }
        const publicKey = createPublicKey({ key: s.publicJwk as NodeJwk, format: 'jwk' });
        const privateKey = s.retiredAt === null ? createPrivateKey({ key: s.privateJwk as NodeJwk, format: 'jwk' }) : null;
        next.set(s.kid, { stored: s, publicKey, privateKey });
      }
      this.#keys = next;
      this.#loadedAt = this.#now();
    })();
    try {
      await this.#loading;
    } finally {
      this.#loading = null;
    }
  }

  #current(): LoadedKey | undefined {
    let best: LoadedKey | undefined;
    for (const k of this.#keys.values()) {
      if (k.stored.retiredAt !== null || k.stored.alg !== this.options.algorithm || !k.privateKey) continue;
      if (!best || k.stored.createdAt > best.stored.createdAt) best = k;
    }
    return best;
  }

  #live(k: StoredKey): boolean {
    return k.notAfter === null || k.notAfter.getTime() > this.clock.now().getTime();
  }

  // Reload throttling uses the injected clock too, so tests stay deterministic.
  #now(): number {
    return this.clock.now().getTime();
  }
}
