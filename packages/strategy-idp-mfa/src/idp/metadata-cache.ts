/**
 * Per-IdP cache of discovered server metadata and the downloaded JWKS. Keys are only the configured IdP ids,
 * so the cache is bounded by the configuration; entries are refetched after their TTL. Concurrent logins
 * share one discovery request; a failed discovery is not cached.
 */
import type { ExportedJWKSCache, ServerMetadata } from 'openid-client';

export interface CachedIdpMetadata {
  metadata: ServerMetadata;
  jwks: ExportedJWKSCache | undefined;
  fetchedAt: number;
}

export class IdpMetadataCache {
  readonly #entries = new Map<string, CachedIdpMetadata>();
  readonly #pending = new Map<string, Promise<CachedIdpMetadata>>();

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

  /** Keeps the JWKS openid-client downloaded, so the next login does not download it again. */
  saveJwks(id: string, jwks: ExportedJWKSCache | undefined): void {
    const entry = this.#entries.get(id);
    if (entry && jwks) entry.jwks = jwks;
  }

  get size(): number {
    return this.#entries.size;
  }
}
