/**
 * Per-IdP cache of discovered server metadata and the downloaded JWKS. Keys are only the configured IdP ids,
 * so the cache is bounded by the configuration; entries are refetched after their TTL. Concurrent logins
 * share one discovery request; a failed discovery is not cached.
 */
import type { ExportedJWKSCache, ServerMetadata } from 'openid-client';

/** openid-client treats a JWKS cache older than 300 s as stale; hand it over only well before that. */
const JWKS_REUSE_SECONDS = 240;

export interface CachedIdpMetadata {
  metadata: ServerMetadata;
  jwks: ExportedJWKSCache | undefined;
  fetchedAt: number;
}

export class IdpMetadataCache {
  readonly #entries = new Map<string, CachedIdpMetadata>();
  readonly #pending = new Map<string, Promise<CachedIdpMetadata>>();
  readonly #pendingJwks = new Map<string, Promise<ExportedJWKSCache | undefined>>();

  constructor(private readonly ids: ReadonlySet<string>) {}

  async get(id: string, ttlMs: number, now: Date, discover: () => Promise<ServerMetadata>): Promise<CachedIdpMetadata> {
    if (!this.ids.has(id)) throw new Error(`IdP ${id} is not configured`);
    const entry = this.#entries.get(id);
    if (entry && now.getTime() - entry.fetchedAt < ttlMs) return entry;
    let pending = this.#pending.get(id);
    if (!pending) {
      pending = discover()
        .then((metadata) => {
          const fresh: CachedIdpMetadata = { metadata, jwks: undefined, fetchedAt: now.getTime() };
          this.#entries.set(id, fresh);
          return fresh;
        })
        .finally(() => this.#pending.delete(id));
      this.#pending.set(id, pending);
    }
    return pending;
  }

  /**
   * The cached JWKS while openid-client would still use it, else one shared download for all concurrent
   * logins (a burst must not become a burst at the IdP). `uat` is openid-client's own cache clock (wall time,
   * seconds): it only decides when to download again, never whether a token is valid.
   */
  async jwks(id: string, download: () => Promise<ExportedJWKSCache | undefined>): Promise<ExportedJWKSCache | undefined> {
    const entry = this.#entries.get(id);
    if (entry?.jwks && Math.floor(Date.now() / 1000) - entry.jwks.uat < JWKS_REUSE_SECONDS) return entry.jwks;
    let pending = this.#pendingJwks.get(id);
    if (!pending) {
      pending = download()
        .then((jwks) => {
          this.saveJwks(id, jwks);
          return jwks;
        })
        .finally(() => this.#pendingJwks.delete(id));
      this.#pendingJwks.set(id, pending);
    }
    return pending;
  }

  /** Keeps the JWKS openid-client used (it may have refetched on an unknown `kid`) for the next login. */
  saveJwks(id: string, jwks: ExportedJWKSCache | undefined): void {
    const entry = this.#entries.get(id);
    if (entry && jwks && (!entry.jwks || jwks.uat >= entry.jwks.uat)) entry.jwks = jwks;
  }

  get size(): number {
    return this.#entries.size;
  }
}
