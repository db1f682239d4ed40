/**
 * Server-provided DPoP nonces (RFC 9449 §8–9), stateless: a nonce is a time slot and an HMAC of it under a
 * secret, so every instance sharing the secret issues and accepts the same nonces without a store. A nonce is
 * accepted in its own slot and the next one (between one and two lifetimes), judged by the injected clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface DpopNonceOptions {
  /** Shared by every instance (at least 32 characters). */
  secret: string;
  /** Seconds per slot. Default 300. */
  lifetimeSeconds?: number;
}

export class DpopNonces {
  readonly #secret: string;
  readonly #slotMs: number;

  constructor(options: DpopNonceOptions) {
    if (typeof options.secret !== 'string' || options.secret.length < 32) throw new Error('dpop nonce secret: at least 32 characters');
    const lifetime = options.lifetimeSeconds ?? 300;
    if (!Number.isInteger(lifetime) || lifetime < 10 || lifetime > 86_400) throw new Error('dpop nonce lifetimeSeconds: an integer from 10 to 86400');
    this.#secret = options.secret;
    this.#slotMs = lifetime * 1000;
  }

  #mac(slot: number): Buffer {
    return createHmac('sha256', this.#secret).update(`gatehouse-dpop-nonce:${slot}`).digest().subarray(0, 16);
  }

  /** A fresh nonce for the current slot. */
  issue(now: Date): string {
    const slot = Math.floor(now.getTime() / this.#slotMs);
    return `${slot.toString(36)}.${this.#mac(slot).toString('base64url')}`;
  }

  /** True for a nonce of the current or the previous slot. */
  check(value: unknown, now: Date): boolean {
    if (typeof value !== 'string' || value.length > 64) return false;
    const match = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})$/.exec(value);
    if (!match) return false;
    const slot = parseInt(match[1]!, 36);
    const current = Math.floor(now.getTime() / this.#slotMs);
    if (slot !== current && slot !== current - 1) return false;
    return timingSafeEqual(Buffer.from(match[2]!, 'base64url'), this.#mac(slot));
  }
}
