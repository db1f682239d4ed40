// Verified OCSP answers, keyed by issuer key + serial + responder URL, kept until their nextUpdate (by the
// injected clock) and never more than `maxEntries` of them (least recently used out first). Answers without
// nextUpdate are not kept: "newer information is always available" (RFC 6960 §4.2.2.1).
export interface CachedAnswer {
  status: 'good' | 'revoked';
  thisUpdate: Date;
  nextUpdate: Date;
}

export class OcspCache {
  readonly #entries = new Map<string, CachedAnswer>();
  constructor(private readonly maxEntries: number) {}

  get(key: string, now: Date): CachedAnswer | undefined {
    const hit = this.#entries.get(key);
    if (!hit) return undefined;
    this.#entries.delete(key);
    if (now > hit.nextUpdate) return undefined;
    this.#entries.set(key, hit);
    return hit;
  }

  set(key: string, answer: CachedAnswer): void {
    this.#entries.delete(key);
    this.#entries.set(key, answer);
    while (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }
}
