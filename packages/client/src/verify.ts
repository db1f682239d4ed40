/**
 * Offline verification for resource servers: the auth server's JWKS is fetched (bounded, cached, with a
 * cooldown so a stream of forged `kid`s can't make us hammer it) and tokens are checked exactly as the
 * core does: asymmetric algorithms only, `typ: at+jwt`, `iss`, `aud`, `exp`/`nbf`, trusted IPs, and the
 * token's binding (`cnf`: DPoP proofs, client certificates) with the core's own check (`@gatehouse-auth/core/dpop`).
 * Use introspection instead when use limits and revocation must be enforced.
 */
import ipaddr from 'ipaddr.js';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import {
  BindingRefusal, bindingChallenge, checkTokenBinding, DEFAULT_DPOP_POLICY, DpopNonces, type DpopPolicy, type TokenPresentation,
} from '@gatehouse-auth/core/dpop';

export interface RemoteVerifierOptions {
  /** e.g. `https://auth.example.com/.well-known/jwks.json` */
  jwksUrl: string | URL;
  issuer: string;
  audience: string;
  algorithms?: ('EdDSA' | 'ES256' | 'RS256')[];
  leewaySeconds?: number;
  /** JWKS fetch timeout (ms). */
  timeoutMs?: number;
  /** Minimum time between JWKS refetches triggered by an unknown kid (ms). */
  cooldownMs?: number;
  /**
   * After the offline checks, ask the auth server (RFC 7662) so revocation and use limits apply.
   * `secret` is sent as `Authorization: Bearer`: a Gatehouse server requires one unless configured to serve introspection openly.
   */
  introspection?: { url: string | URL; secret?: string; timeoutMs?: number };
  /**
   * DPoP-bound tokens: the proof policy (algorithm allow-list, max age, clock skew), where proof `jti`s are
   * remembered (default: this process, bounded; several instances of a resource server should share a store,
   * e.g. a Gatehouse `ReplayStore`: `{ claim: (key, exp, now) => stores.replay.claim('dpop-jti', key, exp, now) }`),
   * and server nonces (a secret shared by every instance).
   */
  dpop?: Partial<DpopPolicy> & { replay?: ProofReplay; nonce?: { secret: string; lifetimeSeconds?: number } };
  /** The clock every time check reads (tests). Default: the system clock. */
  clock?: { now(): Date };
}

/** Remembers DPoP proof ids: `claim` is true for the first sighting of `key`, false for every later one. */
export interface ProofReplay {
  claim(key: string, expiresAt: Date, now: Date): Promise<boolean>;
}

/**
 * The default `ProofReplay`: one process's memory, bounded. Entries live as long as a proof could be accepted
 * (max age plus skew, about a minute); when full of live entries it refuses new proofs (503) rather than
 * forget one, since forgetting would let a replay through.
 */
export class MemoryProofReplay implements ProofReplay {
  readonly #seen = new Map<string, number>();
  constructor(private readonly maxEntries = 100_000) {}
  async claim(key: string, expiresAt: Date, now: Date): Promise<boolean> {
    const t = now.getTime();
    const until = this.#seen.get(key);
    if (until !== undefined && until > t) return false;
    if (this.#seen.size >= this.maxEntries) {
      for (const [k, exp] of this.#seen) if (exp <= t) this.#seen.delete(k);
      if (this.#seen.size >= this.maxEntries) throw new TokenVerificationError('dpop_replay_cache_full', 'unavailable');
    }
    this.#seen.set(key, expiresAt.getTime());
    return true;
  }
}

/** How the token arrived (scheme, method, URLs, DPoP proof, client certificate): what a Gatehouse guard passes. */
export type RemotePresentation = TokenPresentation;

export interface VerifiedPrincipal {
  subject: { type: 'identity' | 'user'; id: string };
  tokenId: string;
  authMethod: string;
  expiresAt: Date;
  claims: JWTPayload;
}

const MESSAGES = {
  unauthenticated: 'Invalid or expired token',
  forbidden: 'Access denied: IP address not allowed',
  unavailable: 'The token could not be checked right now',
} as const;

/**
 * Thrown for every refusal. Gatehouse's guards recognise it by `name` + `kind` (this package does not depend on
 * the core), so a guard renders it as its dialect's 401/403/503.
 */
export class TokenVerificationError extends Error {
  override readonly name = 'TokenVerificationError';
  constructor(
    readonly reasonCode: string,
    readonly kind: keyof typeof MESSAGES = 'unauthenticated',
    /** The challenge of a binding refusal: `www-authenticate` (RFC 9449 §7.1, RFC 6750 §3) and `dpop-nonce`. */
    readonly headers?: Record<string, string>,
  ) {
    super(MESSAGES[kind]);
  }
}

export function createRemoteVerifier(options: RemoteVerifierOptions) {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
    timeoutDuration: options.timeoutMs ?? 5_000,
    cooldownDuration: options.cooldownMs ?? 30_000,
  });
  const policy: DpopPolicy = { ...DEFAULT_DPOP_POLICY, ...pick(options.dpop, ['algorithms', 'maxAgeSeconds', 'clockSkewSeconds']) };
  const replay = options.dpop?.replay ?? new MemoryProofReplay();
  const nonces = options.dpop?.nonce ? new DpopNonces(options.dpop.nonce) : undefined;
  const clock = options.clock ?? { now: () => new Date() };
  return {
    /**
     * `presentation`: how the token came (a Gatehouse guard passes it). A bound token without one is refused.
     * `unchecked` skips the binding check: only for inspection tools, never to admit a request.
     */
    async verify(token: string, context: { clientIp?: string; presentation?: RemotePresentation | 'unchecked' } = {}): Promise<VerifiedPrincipal> {
      if (typeof token !== 'string' || token.length === 0 || token.length > 8192) throw new TokenVerificationError('token_malformed');
      const now = clock.now();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          algorithms: options.algorithms ?? ['EdDSA', 'ES256', 'RS256'],
          issuer: options.issuer,
          audience: options.audience,
          typ: 'at+jwt',
          clockTolerance: options.leewaySeconds ?? 5,
          requiredClaims: ['sub', 'jti', 'exp', 'iat'],
          currentDate: now,
        }));
      } catch (err) {
        if (err instanceof errors.JWTExpired) throw new TokenVerificationError('token_expired');
        if (err instanceof errors.JOSEError) throw new TokenVerificationError('token_invalid');
        throw err;
      }
      if (payload.sub_type !== 'identity' && payload.sub_type !== 'user') throw new TokenVerificationError('token_invalid');
      const ips = payload.trusted_ips;
      if (context.clientIp !== undefined && Array.isArray(ips) && !ipAllowed(context.clientIp, ips as string[])) {
        throw new TokenVerificationError('ip_not_trusted', 'forbidden');
      }
      if (context.presentation !== 'unchecked') {
        try {
          await checkTokenBinding(token, payload.cnf, context.presentation, policy, { now, claim: (key, expiresAt) => replay.claim(key, expiresAt, now), nonce: nonces });
        } catch (err) {
          if (!(err instanceof BindingRefusal)) throw err;
          const headers: Record<string, string> = { 'www-authenticate': bindingChallenge(err, policy) };
          if (err.error === 'use_dpop_nonce' && nonces) headers['dpop-nonce'] = nonces.issue(now);
          throw new TokenVerificationError(err.reasonCode, 'unauthenticated', headers);
        }
      }
      if (options.introspection && !(await introspect(options.introspection, token))) {
        throw new TokenVerificationError('token_inactive');
      }
      return {
        subject: { type: payload.sub_type, id: payload.sub! },
        tokenId: payload.jti!,
        authMethod: String(payload.auth_method ?? ''),
        expiresAt: new Date(payload.exp! * 1000),
        claims: payload,
      };
    },
  };
}

/** POSTs the token to the introspection route: no redirects, a timeout, a small response cap. */
async function introspect(config: NonNullable<RemoteVerifierOptions['introspection']>, token: string): Promise<boolean> {
  let res: Response;
  try {
    res = await fetch(config.url, {
      method: 'POST',
      redirect: 'error',
      signal: AbortSignal.timeout(config.timeoutMs ?? 3_000),
      headers: { 'content-type': 'application/json', ...(config.secret ? { authorization: `Bearer ${config.secret}` } : {}) },
      body: JSON.stringify({ token }),
    });
  } catch {
    throw new TokenVerificationError('introspection_unreachable', 'unavailable');
  }
  const text = await res.text();
  if (!res.ok || text.length > 16_384) throw new TokenVerificationError(`introspection_status_${res.status}`, 'unavailable');
  try {
    return (JSON.parse(text) as { active?: unknown }).active === true;
  } catch {
    throw new TokenVerificationError('introspection_garbage', 'unavailable');
  }
}

function ipAllowed(address: string, cidrs: string[]): boolean {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.process(address);
  } catch {
    return false;
  }
  return cidrs.some((cidr) => {
    try {
      const [range, bits] = cidr.includes('/') ? ipaddr.parseCIDR(cidr) : [ipaddr.parse(cidr), cidr.includes(':') ? 128 : 32];
      const r = range.kind() === 'ipv6' && (range as ipaddr.IPv6).isIPv4MappedAddress() ? (range as ipaddr.IPv6).toIPv4Address() : range;
      return r.kind() === addr.kind() && addr.match([r, r.kind() === range.kind() ? bits : bits - 96] as [typeof addr, number]);
    } catch {
      return false;
    }
  });
}

function pick<T extends object, K extends keyof T>(value: T | undefined, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (value?.[k] !== undefined) out[k] = value[k];
  return out;
}
