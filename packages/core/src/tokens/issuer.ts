import { randomId } from '../runtime/random-id.js';
import type { JWTPayload } from 'jose';
import { signCompactJws } from './jws-sign.js';
import { decodeCompactJws, verifyJwsSignature } from './jws-verify.js';
import { AuthError } from '../errors/auth-error.js';
import type { Clock } from '../runtime/clock.js';
import type { SigningAlgorithm, TokenSession, TokenStore, KeyStore } from '../stores/ports.js';
import type { Subject } from '../contract/strategy.js';
import { KeyManager } from './keys.js';
import { Telemetry } from '../telemetry/telemetry.js';
import { ipAllowed, resolveTokenSettings, type ResolvedTokenSettings, type TokenSettings } from './settings.js';
import { confirmationOf, type Confirmation, type Presentation, type TokenBinding } from '../binding/token-binding.js';

export interface IssuerOptions {
  /** `iss` of every token; use your server's public URL. */
  issuer: string;
  /** `aud` of every token. */
  audience: string;
  /** Signing algorithm of new keys. */
  algorithm: SigningAlgorithm;
  /** Allow-list for verification. Only asymmetric algorithms exist here; `none` and HS* never verify. */
  acceptAlgorithms: SigningAlgorithm[];
  /** Clock skew tolerated on exp/nbf/iat, seconds. */
  leewaySeconds: number;
  /** Rotate automatically when the signing key is this old (seconds); off when undefined. */
  rotateAfterSeconds?: number;
  /** How long a replaced key still verifies after it stopped signing (seconds). Cover your longest token TTL. */
  overlapSeconds: number;
  /**
   * A rotated-in key is published (JWKS) this many seconds before any instance signs with it. At least twice
   * `keyRefreshSeconds`; the JWKS `Cache-Control` max-age is derived from both (see `jwksMaxAgeSeconds`).
   */
  keyPropagationSeconds: number;
  /** Every instance re-reads the key store at least this often (seconds) before it signs or serves the JWKS. */
  keyRefreshSeconds: number;
  /** Unknown-kid store reload throttle. */
  keyReloadIntervalMs: number;
}

export const DEFAULT_ISSUER_OPTIONS: IssuerOptions = {
  issuer: 'gatehouse',
  audience: 'gatehouse',
  algorithm: 'EdDSA',
  acceptAlgorithms: ['EdDSA', 'ES256', 'RS256'],
  leewaySeconds: 5,
  overlapSeconds: 30 * 24 * 3600,
  keyPropagationSeconds: 600,
  keyRefreshSeconds: 30,
  keyReloadIntervalMs: 5_000,
};

export const TOKEN_TYPE = 'at+jwt';

/**
 * The renewal budget end of a periodic token's session (`accessTokenPeriod`): it has none, and every store
 * holds this date as it holds any other, so the sessions table needs no column of its own.
 */
export const NO_RENEWAL_LIMIT = new Date('9999-12-31T23:59:59.000Z');

const isPeriodic = (session: Pick<TokenSession, 'maxExpiresAt'>) => session.maxExpiresAt.getTime() >= NO_RENEWAL_LIMIT.getTime();

export interface IssuedToken {
  token: string;
  jti: string;
  kid: string;
  subject: Subject;
  authMethod: string;
  issuedAt: Date;
  expiresAt: Date;
  /** Seconds until expiry (→ `expiresIn`). */
  expiresIn: number;
  /** Seconds (→ `accessTokenMaxTTL`); 0 for a periodic token, which has none. */
  accessTokenMaxTTL: number;
  settings: ResolvedTokenSettings;
  /** `DPoP` for a DPoP-bound token (RFC 9449 §5), else `Bearer` (certificate-bound tokens too, RFC 8705). */
  tokenType: 'Bearer' | 'DPoP';
  /** The token's `cnf` claim when it is bound. */
  cnf?: Confirmation;
}

export interface VerifiedToken {
  token: string;
  jti: string;
  subject: Subject;
  subjectKey: string;
  authMethod: string;
  issuedAt: Date;
  expiresAt: Date;
  claims: JWTPayload;
  /** Present when the server-side session was checked. */
  session?: TokenSession;
}

/** What to check beyond the signature and claims. */
export type StatefulCheck = 'none' | 'check' | 'consume';

export interface VerifyOptions {
  /** Client address to check against the token's trusted IPs (skipped when undefined). */
  clientIp?: string;
  /** `consume` (default): revocation + counts one use; `check`: revocation only; `none`: offline only. */
  stateful?: StatefulCheck;
  /**
   * How the token arrived (scheme, DPoP proof, client certificate), checked against its `cnf`. Undefined:
   * bound tokens are refused, since their binding cannot be checked. `unchecked`: the caller checks the
   * binding itself (introspection answers `cnf` to a resource server, RFC 9449 §6.2).
   */
  presentation?: Presentation | 'unchecked';
}

export interface IntrospectionResponse {
  active: boolean;
  [claim: string]: unknown;
}

const RESERVED_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'sub_type', 'auth_method', 'trusted_ips', 'cnf']);

/** The subject's own claims in a token (what the strategy put in: `username`, `email`…), registered ones left out. */
export function publicClaimsOf(payload: Record<string, unknown>): Record<string, unknown> | undefined {
  const own = Object.fromEntries(Object.entries(payload).filter(([k]) => !RESERVED_CLAIMS.has(k)));
  return Object.keys(own).length ? own : undefined;
}

export const subjectKeyOf = (s: Pick<Subject, 'type' | 'id'>) => `${s.type}:${s.id}`;

const unauth = (reasonCode: string, message = 'Invalid or expired token') =>
  new AuthError({ kind: 'unauthenticated', reasonCode, message });

/** Issues, verifies, renews, revokes and introspects access tokens (DESIGN §4). */
export class TokenIssuer {
  readonly keys: KeyManager;

  constructor(
    private readonly tokens: TokenStore,
    keyStore: KeyStore,
    private readonly clock: Clock,
    readonly options: IssuerOptions,
    /** Enforces `cnf` on every use; without it bound tokens are refused wherever a presentation is needed. */
    readonly binding?: TokenBinding,
    private readonly telemetry: Telemetry = new Telemetry(),
  ) {
    this.keys = new KeyManager(keyStore, clock, {
      algorithm: options.algorithm,
      rotateAfterSeconds: options.rotateAfterSeconds,
      overlapSeconds: options.overlapSeconds,
      propagationSeconds: options.keyPropagationSeconds,
      refreshSeconds: options.keyRefreshSeconds,
      reloadIntervalMs: options.keyReloadIntervalMs,
    });
    telemetry.observeSigningKeyAge(() => this.keys.signingKeyAgeSeconds());
  }

  /** Issues a token after checking the trusted-IP list against the login's client address. */
  async issue(input: {
    subject: Subject;
    authMethod: string;
    settings?: Partial<TokenSettings>;
    clientIp: string;
    /** Binds the token (`cnf`): a DPoP key thumbprint and/or a client certificate thumbprint. */
    cnf?: Confirmation;
  }): Promise<IssuedToken> {
    const settings = resolveTokenSettings(input.settings);
    if (!ipAllowed(input.clientIp, settings.accessTokenTrustedIps)) {
      throw new AuthError({ kind: 'forbidden', reasonCode: 'ip_not_trusted', message: 'Access denied: IP address not allowed' });
    }
    const now = this.clock.now();
    const jti = randomId(16);
    const periodic = settings.accessTokenPeriod > 0;
    const ttl = periodic ? settings.accessTokenPeriod : settings.accessTokenTTL;
    const expiresAt = new Date(now.getTime() + ttl * 1000);
    const cnf = confirmation(input.cnf);
    const session: TokenSession = {
      jti,
      subjectKey: subjectKeyOf(input.subject),
      authMethod: input.authMethod,
      createdAt: now,
      ttl,
      maxExpiresAt: periodic ? NO_RENEWAL_LIMIT : new Date(now.getTime() + settings.accessTokenMaxTTL * 1000),
      expiresAt,
      numUsesLimit: settings.accessTokenNumUsesLimit,
      numUses: 0,
      trustedIps: settings.accessTokenTrustedIps,
      revokedAt: null,
    };
    await this.tokens.createSession(session);
    const { token, kid } = await this.#sign(input.subject, input.authMethod, jti, now, expiresAt, settings.accessTokenTrustedIps, cnf);
    this.telemetry.tokensIssued.add(1, { 'gatehouse.auth_method': this.telemetry.labels.value('auth_method', input.authMethod) });
    return {
      token,
      jti,
      kid,
      subject: input.subject,
      authMethod: input.authMethod,
      issuedAt: now,
      expiresAt,
      expiresIn: ttl,
      accessTokenMaxTTL: periodic ? 0 : settings.accessTokenMaxTTL,
      settings,
      ...bindingOf(cnf),
    };
  }

  /** Verifies signature (allow-listed asymmetric algorithms only), typ, iss, aud, exp/nbf, trusted IPs, and the session. */
  async verify(token: string, options: VerifyOptions = {}): Promise<VerifiedToken> {
    try {
      const verified = await this.#verify(token, options);
      this.telemetry.tokensVerified.add(1, { 'gatehouse.result': 'valid' });
      return verified;
    } catch (err) {
      this.telemetry.tokensVerified.add(1, { 'gatehouse.result': 'refused' });
      throw err;
    }
  }

  async #verify(token: string, options: VerifyOptions): Promise<VerifiedToken> {
    const verified = await this.#verifyJwt(token);
    if (options.clientIp !== undefined) {
      const ips = Array.isArray(verified.claims.trusted_ips) ? (verified.claims.trusted_ips as string[]) : null;
      if (ips && !ipAllowed(options.clientIp, ips)) {
        throw new AuthError({ kind: 'forbidden', reasonCode: 'ip_not_trusted', message: 'Access denied: IP address not allowed' });
      }
    }
    // Before the session: a thief without the key must not spend the token's uses.
    if (options.presentation !== 'unchecked') await this.#enforceBinding(verified, options.presentation);
    const stateful = options.stateful ?? 'consume';
    if (stateful === 'none') return verified;
    const result = await this.tokens.useSession(verified.jti, { consume: stateful === 'consume', now: this.clock.now() });
    if (result.status !== 'ok') {
      throw unauth(`token_${result.status}`, result.status === 'exhausted' ? 'Access token usage limit reached' : undefined);
    }
    return { ...verified, session: result.session };
  }

  /**
   * Extends a live token inside its max-TTL budget; the new token shares the session (same jti) and the
   * binding (same `cnf`). A periodic token is extended by its period with no budget, while it is live:
   * the session's expiry is checked against the clock, so a renewal that comes late finds it expired.
   */
  async renew(token: string, options: { clientIp?: string; presentation?: Presentation } = {}): Promise<IssuedToken> {
    const current = await this.verify(token, { clientIp: options.clientIp, stateful: 'check', presentation: options.presentation });
    const session = current.session!;
    const now = this.clock.now();
    if (now.getTime() >= session.maxExpiresAt.getTime()) {
      throw unauth('max_ttl_exceeded', 'Access token cannot be renewed past its max TTL');
    }
    const periodic = isPeriodic(session);
    const expiresAt = new Date(Math.min(now.getTime() + session.ttl * 1000, session.maxExpiresAt.getTime()));
    const extended = await this.tokens.extendSession(session.jti, expiresAt);
    if (!extended) throw unauth('token_revoked');
    // The renewed token says what the first one said about its subject (`username`, `email`…), bound as it was.
    const claims = publicClaimsOf(current.claims as Record<string, unknown>);
    const subject: Subject = claims ? { ...current.subject, claims } : current.subject;
    const cnf = confirmation(confirmationOf(current.claims.cnf));
    const { token: renewed, kid } = await this.#sign(subject, current.authMethod, session.jti, now, expiresAt, session.trustedIps, cnf);
    this.telemetry.tokensIssued.add(1, { 'gatehouse.auth_method': this.telemetry.labels.value('auth_method', current.authMethod) });
    const maxTtl = periodic ? 0 : Math.round((session.maxExpiresAt.getTime() - session.createdAt.getTime()) / 1000);
    return {
      token: renewed,
      jti: session.jti,
      kid,
      subject,
      authMethod: current.authMethod,
      issuedAt: now,
      expiresAt,
      expiresIn: Math.max(0, Math.round((expiresAt.getTime() - now.getTime()) / 1000)),
      accessTokenMaxTTL: maxTtl,
      settings: {
        accessTokenTTL: session.ttl,
        accessTokenMaxTTL: maxTtl,
        accessTokenNumUsesLimit: session.numUsesLimit,
        accessTokenTrustedIps: session.trustedIps,
        accessTokenPeriod: periodic ? session.ttl : 0,
        accessTokenRequireDpop: cnf?.jkt !== undefined,
        accessTokenCertificateBound: cnf?.['x5t#S256'] !== undefined,
      },
      ...bindingOf(cnf),
    };
  }

  /**
   * Revokes the token's session (every renewal of it). A bound token is revoked only by its holder: with the
   * same proof of possession any use needs (`presentation`), so a thief cannot cut the owner off either.
   */
  async revoke(token: string, options: { presentation?: Presentation | 'unchecked' } = {}): Promise<void> {
    const verified = await this.#verifyJwt(token);
    if (options.presentation !== 'unchecked') await this.#enforceBinding(verified, options.presentation);
    if (await this.tokens.revokeSession(verified.jti, this.clock.now())) this.telemetry.tokensRevoked.add(1);
  }

  async revokeById(jti: string): Promise<boolean> {
    const revoked = await this.tokens.revokeSession(jti, this.clock.now());
    if (revoked) this.telemetry.tokensRevoked.add(1);
    return revoked;
  }

  /** Revokes every token issued to the subject up to now. */
  async revokeSubject(subject: Pick<Subject, 'type' | 'id'>): Promise<void> {
    await this.tokens.revokeSubject(subjectKeyOf(subject), this.clock.now());
    this.telemetry.tokensRevoked.add(1, { 'gatehouse.scope': 'subject' });
  }

  /** RFC 7662 answer. Counts a use, since a resource server introspects to use the token. */
  async introspect(token: string, options: { clientIp?: string } = {}): Promise<IntrospectionResponse> {
    let v: VerifiedToken;
    try {
      // The binding is the resource server's to check (RFC 9449 §6.2): it gets `cnf` to check against.
      v = await this.verify(token, { clientIp: options.clientIp, stateful: 'consume', presentation: 'unchecked' });
    } catch (err) {
      if (err instanceof AuthError && (err.kind === 'unauthenticated' || err.kind === 'forbidden')) return { active: false };
      throw err;
    }
    const s = v.session!;
    const cnf = confirmation(confirmationOf(v.claims.cnf));
    return {
      active: true,
      token_type: cnf?.jkt ? 'DPoP' : 'Bearer',
      iss: v.claims.iss,
      aud: v.claims.aud,
      sub: v.subject.id,
      sub_type: v.subject.type,
      auth_method: v.authMethod,
      jti: v.jti,
      iat: Math.floor(v.issuedAt.getTime() / 1000),
      exp: Math.floor(v.expiresAt.getTime() / 1000),
      ...(s.numUsesLimit > 0 ? { uses_remaining: Math.max(0, s.numUsesLimit - s.numUses) } : {}),
      ...(cnf ? { cnf } : {}),
    };
  }

  jwks() {
    return this.keys.jwks();
  }

  rotateKeys() {
    return this.keys.rotate();
  }

  async #enforceBinding(verified: VerifiedToken, presentation: Presentation | undefined): Promise<void> {
    const cnf = verified.claims.cnf;
    if (cnf === undefined && presentation?.scheme !== 'DPoP') return;
    if (!this.binding) throw unauth('token_binding_unverifiable');
    await this.binding.enforce(verified.token, cnf, presentation);
  }

  async #sign(subject: Subject, authMethod: string, jti: string, now: Date, expiresAt: Date, trustedIps: string[], cnf?: Confirmation) {
    const { kid, alg, key } = await this.keys.signingKey();
    const extra: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(subject.claims ?? {})) if (!RESERVED_CLAIMS.has(k)) extra[k] = v;
    const allowsAll = trustedIps.length === 0 || (trustedIps.includes('0.0.0.0/0') && trustedIps.includes('::/0'));
    const iat = Math.floor(now.getTime() / 1000);
    const token = signCompactJws(alg, key, { kid, typ: TOKEN_TYPE }, {
      ...extra,
      sub_type: subject.type,
      auth_method: authMethod,
      ...(allowsAll ? {} : { trusted_ips: trustedIps }),
      ...(cnf ? { cnf } : {}),
      iss: this.options.issuer,
      aud: this.options.audience,
      sub: subject.id,
      jti,
      iat,
      nbf: iat,
      exp: Math.floor(expiresAt.getTime() / 1000),
    });
    return { token, kid };
  }

  /** Signature (fast path in jws-verify.ts), then the same claim checks jose's jwtVerify would make. */
  async #verifyJwt(token: string): Promise<VerifiedToken> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 8192) throw unauth('token_malformed');
    const jws = decodeCompactJws(token);
    if (!jws) throw unauth('token_invalid');
    const { header, payload } = jws;
    const alg = header.alg;
    if (typeof alg !== 'string' || !(this.options.acceptAlgorithms as string[]).includes(alg)) throw unauth('token_alg_not_allowed');
    if (header.crit !== undefined || header.b64 !== undefined) throw unauth('token_invalid');
    const key = this.keys.cachedVerificationKey(header.kid, alg) ?? (await this.keys.verificationKey(header.kid, alg));
    if (!key) throw unauth('token_unknown_key');
    if (!verifyJwsSignature(alg as SigningAlgorithm, key, jws)) throw unauth('token_bad_signature');
    if (header.typ !== TOKEN_TYPE) throw unauth('token_claim_typ');

    const now = Math.floor(this.clock.now().getTime() / 1000);
    const leeway = this.options.leewaySeconds;
    const { sub, jti, exp, iat, nbf, iss, aud } = payload;
    if (typeof sub !== 'string' || typeof jti !== 'string' || !isNumericDate(exp) || !isNumericDate(iat)) throw unauth('token_invalid');
    if (iss !== this.options.issuer) throw unauth('token_claim_iss');
    const audOk = typeof aud === 'string' ? aud === this.options.audience : Array.isArray(aud) && aud.includes(this.options.audience);
    if (!audOk) throw unauth('token_claim_aud');
    if (nbf !== undefined && (!isNumericDate(nbf) || nbf > now + leeway)) throw unauth('token_claim_nbf');
    if (exp <= now - leeway) throw unauth('token_expired');

    const subType = payload.sub_type;
    if (subType !== 'identity' && subType !== 'user') throw unauth('token_invalid');
    const subject: Subject = { type: subType, id: sub };
    return {
      token,
      jti,
      subject,
      subjectKey: subjectKeyOf(subject),
      authMethod: String(payload.auth_method ?? ''),
      issuedAt: new Date(iat * 1000),
      expiresAt: new Date(exp * 1000),
      claims: payload as JWTPayload,
    };
  }
}

/** The `cnf` to sign, or undefined when nothing binds the token. */
function confirmation(cnf: Confirmation | undefined): Confirmation | undefined {
  if (!cnf) return undefined;
  const out: Confirmation = {};
  if (cnf.jkt) out.jkt = cnf.jkt;
  if (cnf['x5t#S256']) out['x5t#S256'] = cnf['x5t#S256'];
  return out.jkt || out['x5t#S256'] ? out : undefined;
}

function bindingOf(cnf: Confirmation | undefined): Pick<IssuedToken, 'tokenType' | 'cnf'> {
  return { tokenType: cnf?.jkt ? 'DPoP' : 'Bearer', ...(cnf ? { cnf } : {}) };
}

function isNumericDate(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

