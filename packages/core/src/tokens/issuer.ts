import type { KeyObject } from 'node:crypto';
import { randomId } from '../runtime/random-id.js';
import type { JWTPayload } from 'jose';
import { encodeJwsHeader, signWithEncodedHeader } from './jws-sign.js';
import type { Ed25519Signer } from './ed25519.js';
import { decodeJsonPart, isBase64url, verifyCompactSignature } from './jws-verify.js';
import { AuthError } from '../errors/auth-error.js';
import type { Clock } from '../runtime/clock.js';
import type { SigningAlgorithm, TokenSession, TokenStore, KeyStore } from '../stores/ports.js';
import type { Subject } from '../contract/strategy.js';
import { KeyManager, type SigningKey } from './keys.js';
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
  /**
   * Which library makes EdDSA signatures: `auto` (default) uses libsodium through the optional peer dependency
   * `sodium-native` when it is installed (~40% less CPU per signature), else node:crypto; `node:crypto` always
   * uses node:crypto. The signatures are the same either way (Ed25519 is deterministic).
   */
  ed25519Signer: Ed25519Signer;
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
  ed25519Signer: 'auto',
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
    const signer = this.keys.currentSigningKey() ?? (await this.keys.signingKey());
    const token = this.#sign(signer, input.subject, input.authMethod, jti, now, expiresAt, settings.accessTokenTrustedIps, cnf);
    const kid = signer.kid;
    this.#countIssued(input.authMethod);
    const issued: IssuedToken = {
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
      tokenType: cnf?.jkt ? 'DPoP' : 'Bearer',
    };
    if (cnf) issued.cnf = cnf;
    return issued;
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
    if (options.clientIp !== undefined) this.#checkTrustedIps(verified, options.clientIp);
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
    const signer = this.keys.currentSigningKey() ?? (await this.keys.signingKey());
    const renewed = this.#sign(signer, subject, current.authMethod, session.jti, now, expiresAt, session.trustedIps, cnf);
    const kid = signer.kid;
    this.#countIssued(current.authMethod);
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

  /** Encoded protected headers by kid: the same bytes for every token a key signs. Bounded by the keys in use. */
  readonly #headers = new Map<string, string>();

  #encodedHeader(kid: string, alg: SigningAlgorithm): string {
    // A kid names one key, of one algorithm.
    let header = this.#headers.get(kid);
    if (header === undefined) {
      if (this.#headers.size >= 16) this.#headers.clear();
      header = encodeJwsHeader(alg, { kid, typ: TOKEN_TYPE });
      this.#headers.set(kid, header);
    }
    return header;
  }

  #countIssued(authMethod: string): void {
    const t = this.telemetry;
    if (t.metering) t.tokensIssued.add(1, { 'gatehouse.auth_method': t.labels.value('auth_method', authMethod) });
  }

  async #enforceBinding(verified: VerifiedToken, presentation: Presentation | undefined): Promise<void> {
    const cnf = verified.claims.cnf;
    if (cnf === undefined && presentation?.scheme !== 'DPoP') return;
    if (!this.binding) throw unauth('token_binding_unverifiable');
    await this.binding.enforce(verified.token, cnf, presentation);
  }

  /** The signed token; synchronous once the key is in hand (`currentSigningKey`, else `await signingKey()`). */
  #sign(signer: SigningKey, subject: Subject, authMethod: string, jti: string, now: Date, expiresAt: Date, trustedIps: string[], cnf?: Confirmation): string {
    const { kid, alg, key } = signer;
    const allowsAll = trustedIps.length === 0 || (trustedIps.includes('0.0.0.0/0') && trustedIps.includes('::/0'));
    const iat = Math.floor(now.getTime() / 1000);
    // Built by assignment, in this order: the subject's own claims (never a registered one), then ours.
    const payload: Record<string, unknown> = {};
    const claims = subject.claims;
    if (claims) for (const k of Object.keys(claims)) if (!RESERVED_CLAIMS.has(k) && k !== '__proto__') payload[k] = claims[k];
    payload.sub_type = subject.type;
    payload.auth_method = authMethod;
    if (!allowsAll) payload.trusted_ips = trustedIps;
    if (cnf) payload.cnf = cnf;
    payload.iss = this.options.issuer;
    payload.aud = this.options.audience;
    payload.sub = subject.id;
    payload.jti = jti;
    payload.iat = iat;
    payload.nbf = iat;
    payload.exp = Math.floor(expiresAt.getTime() / 1000);
    return signWithEncodedHeader(alg, key, this.#encodedHeader(kid, alg), payload, this.options.ed25519Signer);
  }

  /**
   * Offline verification with no `await` anywhere, for resource servers: signature (allow-listed asymmetric
   * algorithms only), `typ`, `iss`, `aud`, `exp`/`nbf` and trusted IPs — the checks of `verify(token, { stateful:
   * 'none' })`, with the same reason codes. Keys come from this instance's view, refreshed in the background
   * (`KeyManager.verificationKeySync`); call `await issuer.keys.reload()` once at start-up, or the first calls
   * are refused as `keys_not_loaded` (503). No session check: a revoked token passes until it expires (use
   * `verify` with `stateful: 'check'` where revocation must apply). A bound token (`cnf`) is refused unless
   * `presentation: 'unchecked'` says the caller checks the binding itself: its proof needs the replay store.
   */
  verifySync(token: string, options: { clientIp?: string; presentation?: 'unchecked' } = {}): VerifiedToken {
    try {
      const now = this.clock.now().getTime();
      const parsed = this.#parseJwt(token);
      const key = this.keys.verificationKeySync(parsed.header.kid, parsed.header.alg, now);
      const verified = this.#checkJwt(token, parsed, key, Math.floor(now / 1000));
      if (options.clientIp !== undefined) this.#checkTrustedIps(verified, options.clientIp);
      if (options.presentation !== 'unchecked') this.#refuseBoundWithoutPresentation(verified);
      if (this.telemetry.metering) this.telemetry.tokensVerified.add(1, { 'gatehouse.result': 'valid' });
      return verified;
    } catch (err) {
      if (this.telemetry.metering) this.telemetry.tokensVerified.add(1, { 'gatehouse.result': 'refused' });
      throw err;
    }
  }

  /** Signature (jws-verify.ts on node:crypto), then the same claim checks jose's jwtVerify would make. */
  async #verifyJwt(token: string): Promise<VerifiedToken> {
    const parsed = this.#parseJwt(token);
    const { kid, alg } = parsed.header;
    const key = this.keys.cachedVerificationKey(kid, alg) ?? (await this.keys.verificationKey(kid, alg));
    return this.#checkJwt(token, parsed, key, Math.floor(this.clock.now().getTime() / 1000));
  }

  /**
   * Protected headers already seen on a token whose signature verified, by their encoded text: every token a key
   * signs carries the same one, so its alphabet, JSON and `alg`/`crit`/`b64` checks are made once per key, not per
   * token. Only headers of verified tokens enter, and the map is bounded. The last one is compared first (a
   * prefix comparison, cheaper than hashing the header for a lookup): tokens of the current key.
   */
  readonly #checkedHeaders = new Map<string, CheckedHeader>();
  #lastHeader: CheckedHeader | undefined;

  /** Shape, header and payload: everything before the key lookup. Refusals in the order the checks always ran. */
  #parseJwt(token: string): ParsedJwt {
    if (typeof token !== 'string' || token.length === 0 || token.length > 8192) throw unauth('token_malformed');
    let known = this.#lastHeader;
    let a: number;
    // A base64url header holds no '.': when the token starts with a known header and a dot, that is its first dot.
    if (known && token.charCodeAt(known.encoded.length) === 46 && token.startsWith(known.encoded)) {
      a = known.encoded.length;
    } else {
      a = token.indexOf('.');
      known = a > 0 ? this.#checkedHeaders.get(token.slice(0, a)) : undefined;
    }
    const b = token.indexOf('.', a + 1);
    if (a <= 0 || b <= a + 1 || b === token.length - 1 || token.indexOf('.', b + 1) !== -1) throw unauth('token_invalid');
    const header = known ? undefined : decodeJsonPart(token.slice(0, a));
    const payload = (known || header) && decodeJsonPart(token.slice(a + 1, b));
    const signature = payload && token.slice(b + 1);
    if (!signature || !isBase64url(signature)) throw unauth('token_invalid');
    if (known) return { header: known, known: true, payload, secondDot: b, signature };
    const alg = header!.alg;
    if (typeof alg !== 'string' || !(this.options.acceptAlgorithms as string[]).includes(alg)) throw unauth('token_alg_not_allowed');
    if (header!.crit !== undefined || header!.b64 !== undefined) throw unauth('token_invalid');
    const checked: CheckedHeader = { encoded: token.slice(0, a), alg: alg as SigningAlgorithm, kid: header!.kid, typOk: header!.typ === TOKEN_TYPE };
    return { header: checked, known: false, payload, secondDot: b, signature };
  }

  /** Signature, then the claims, in the order the checks always ran; `now` in seconds. */
  #checkJwt(token: string, parsed: ParsedJwt, key: KeyObject | null, now: number): VerifiedToken {
    if (!key) throw unauth('token_unknown_key');
    const header = parsed.header;
    if (!verifyCompactSignature(header.alg, key, token, parsed.secondDot, parsed.signature)) throw unauth('token_bad_signature');
    if (!parsed.known) {
      if (this.#checkedHeaders.size >= 64) this.#checkedHeaders.clear();
      this.#checkedHeaders.set(header.encoded, header);
    }
    this.#lastHeader = header;
    if (!header.typOk) throw unauth('token_claim_typ');

    const payload = parsed.payload;
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

  #checkTrustedIps(verified: VerifiedToken, clientIp: string): void {
    const ips = Array.isArray(verified.claims.trusted_ips) ? (verified.claims.trusted_ips as string[]) : null;
    if (ips && !ipAllowed(clientIp, ips)) {
      throw new AuthError({ kind: 'forbidden', reasonCode: 'ip_not_trusted', message: 'Access denied: IP address not allowed' });
    }
  }

  /** What `#enforceBinding` decides without a presentation, synchronously: a bound token is refused. */
  #refuseBoundWithoutPresentation(verified: VerifiedToken): void {
    const cnf = verified.claims.cnf;
    if (cnf === undefined) return;
    if (!this.binding) throw unauth('token_binding_unverifiable');
    this.binding.refuseUnpresented(cnf);
  }
}

interface CheckedHeader {
  /** The header as it appears in the token. */
  encoded: string;
  alg: SigningAlgorithm;
  kid: unknown;
  typOk: boolean;
}

interface ParsedJwt {
  header: CheckedHeader;
  /** The header came from `#checkedHeaders`. */
  known: boolean;
  payload: Record<string, unknown>;
  secondDot: number;
  /** The signature part, checked as base64url. */
  signature: string;
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

