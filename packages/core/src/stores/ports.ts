/**
 * Store ports. Every operation that consumes or counts something is atomic in the implementation
 * (a unique insert, a conditional update) so several instances sharing one database agree.
 * Times are always passed in from the injected clock: stores never read the wall clock for decisions.
 */
import type { TokenSettings } from '../tokens/settings.js';

// ── identities ──────────────────────────────────────────────────────────────────────────────────

export interface Identity {
  id: string;
  name: string;
  /** Organisation scope; `organizationSlug` in a login must match when set. */
  organizationSlug?: string | null;
  createdAt: Date;
}

/** One login method attached to an identity: the strategy's own (already validated) config + token settings. */
export interface IdentityMethod {
  identityId: string;
  /** Strategy id, e.g. `alicloud`. */
  method: string;
  config: unknown;
  token: TokenSettings;
  createdAt: Date;
  updatedAt: Date;
}

export interface IdentityStore {
  create(input: { id?: string; name: string; organizationSlug?: string | null }, now: Date): Promise<Identity>;
  get(id: string): Promise<Identity | null>;
  list(): Promise<Identity[]>;
  /** Deletes the identity and its methods. Returns false when it did not exist. */
  delete(id: string): Promise<boolean>;
  /** Inserts or replaces the method config. Callers validate `config` first (see `GatehouseAdmin`). */
  putMethod(input: { identityId: string; method: string; config: unknown; token: TokenSettings }, now: Date): Promise<IdentityMethod>;
  getMethod(identityId: string, method: string): Promise<IdentityMethod | null>;
  listMethods(identityId: string): Promise<IdentityMethod[]>;
  removeMethod(identityId: string, method: string): Promise<boolean>;
  /**
   * Inserts the method only while the identity has none of that name: of concurrent calls exactly one gets the
   * stored method, the others null (nothing written). Unknown identity: `identity_not_found`.
   */
  addMethod(input: { identityId: string; method: string; config: unknown; token: TokenSettings }, now: Date): Promise<IdentityMethod | null>;
  /**
   * Compare-and-swap: replaces config and token only while the method exists and its `updatedAt` is still
   * `expectedUpdatedAt` (what the caller read), else null and nothing is written — a removed method is never
   * brought back, and of concurrent replacements of one read exactly one wins. The new `updatedAt` is `now`,
   * or 1 ms past the old one when `now` is not later, so it changes on every write.
   */
  replaceMethod(
    input: { identityId: string; method: string; config: unknown; token: TokenSettings },
    now: Date,
    expectedUpdatedAt: Date,
  ): Promise<IdentityMethod | null>;
  /**
   * A login's lookup in one read: the identity and its config for `method` (`method: null` when it has none),
   * or null when the identity does not exist. Optional: without it `ctx.identityMethod` makes the two reads.
   */
  getWithMethod?(identityId: string, method: string): Promise<{ identity: Identity; method: IdentityMethod | null } | null>;
}

// ── users ───────────────────────────────────────────────────────────────────────────────────────

export interface UserMfa {
  /** Base32 TOTP secret when MFA is enabled. Implementations encrypt it at rest. */
  totpSecret: string | null;
  /** A secret being enrolled, not yet confirmed. */
  pendingTotpSecret: string | null;
  pendingCreatedAt: Date | null;
  enabled: boolean;
}

export interface User {
  id: string;
  /** Normalised (see `normaliseUsername`); unique. */
  username: string;
  /** Normalised email; unique when set. */
  email: string | null;
  displayName: string;
  /** argon2id PHC string, or null for IdP-only users. */
  passwordHash: string | null;
  passwordChangedAt: Date | null;
  requireResetPassword: boolean;
  disabled: boolean;
  title: string;
  phone: string;
  userType: 'USER' | 'SYSTEM_BOT' | 'SERVICE_ACCOUNT' | 'WORKLOAD_IDENTITY';
  groups: string[];
  mfa: UserMfa;
  lastLoginAt: Date | null;
  /** Where the user came from: `password`, or `idps/<id>` for just-in-time users. */
  source: string;
  createdAt: Date;
}

export type NewUser = Pick<User, 'username' | 'displayName'> &
  Partial<Omit<User, 'id' | 'username' | 'displayName' | 'createdAt' | 'mfa'>> & { id?: string };

export type UserPatch = Partial<
  Pick<
    User,
    | 'email'
    | 'displayName'
    | 'passwordHash'
    | 'passwordChangedAt'
    | 'requireResetPassword'
    | 'disabled'
    | 'title'
    | 'phone'
    | 'groups'
    | 'lastLoginAt'
  >
>;

export interface UserStore {
  /** Throws AuthError(kind 'bad_request', reasonCode 'user_exists') on a duplicate username/email. */
  create(input: NewUser, now: Date): Promise<User>;
  getById(id: string): Promise<User | null>;
  /** `username` must already be normalised. */
  getByUsername(username: string): Promise<User | null>;
  /** `email` must already be normalised. */
  getByEmail(email: string): Promise<User | null>;
  list(): Promise<User[]>;
  update(id: string, patch: UserPatch): Promise<User | null>;
  setMfa(id: string, mfa: UserMfa): Promise<void>;
  /** Replaces all recovery codes of the user with these hashes (hex SHA-256 of the code). */
  replaceRecoveryCodes(id: string, codeHashes: string[]): Promise<void>;
  /** Atomically consumes one recovery code: of many concurrent calls with the same hash, exactly one gets true. */
  consumeRecoveryCode(id: string, codeHash: string): Promise<boolean>;
  countRecoveryCodes(id: string): Promise<number>;
  /** Links an external IdP subject to a user (unique per idp+subject). */
  linkIdp(userId: string, idpId: string, subject: string): Promise<void>;
  findByIdpLink(idpId: string, subject: string): Promise<User | null>;
}

// ── tokens ──────────────────────────────────────────────────────────────────────────────────────

/** The server-side record of an issued access token (shared by all its renewals, same `jti`). */
export interface TokenSession {
  jti: string;
  /** `identity:<id>` or `user:<id>`; revocation by subject uses it. */
  subjectKey: string;
  authMethod: string;
  createdAt: Date;
  /** Seconds; each renewal extends by this much. */
  ttl: number;
  /** Renewal budget end: createdAt + accessTokenMaxTTL. */
  maxExpiresAt: Date;
  /** Current expiry of the newest token for this session. */
  expiresAt: Date;
  /** 0 = unlimited. */
  numUsesLimit: number;
  numUses: number;
  trustedIps: string[];
  revokedAt: Date | null;
}

export type UseTokenResult =
  | { status: 'ok'; session: TokenSession }
  | { status: 'unknown' | 'revoked' | 'exhausted' | 'expired'; session: TokenSession | null };

export interface RefreshTokenRecord {
  /** hex SHA-256 of the opaque refresh token; the token itself is never stored. */
  hash: string;
  /** All rotations of one login share a family; reuse of a rotated token revokes the family. */
  family: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  /** Set when this token was exchanged for a newer one. */
  usedAt: Date | null;
  revokedAt: Date | null;
}

export type ConsumeRefreshResult =
  | { status: 'ok'; record: RefreshTokenRecord }
  | { status: 'reused'; record: RefreshTokenRecord }
  | { status: 'unknown' | 'expired' | 'revoked' };

export interface TokenStore {
  createSession(session: TokenSession): Promise<void>;
  getSession(jti: string): Promise<TokenSession | null>;
  /**
   * Atomically checks the session (not revoked, not expired at `now`, subject not revoked before its creation)
   * and, when `consume` is true and a use limit is set, counts one use: with limit N, exactly N calls succeed
   * however many run concurrently.
   */
  useSession(jti: string, opts: { consume: boolean; now: Date }): Promise<UseTokenResult>;
  /** Sets a new expiry (renewal). Returns null when the session is unknown or revoked. */
  extendSession(jti: string, expiresAt: Date): Promise<TokenSession | null>;
  revokeSession(jti: string, now: Date): Promise<boolean>;
  /** Every token of the subject created at or before `before` is revoked. */
  revokeSubject(subjectKey: string, before: Date): Promise<void>;
  /**
   * Revokes every session of the subject issued by `authMethod` (e.g. when that login method is removed from
   * an identity); other methods' sessions stay. Returns how many were revoked now (already revoked: not counted).
   */
  revokeSubjectMethod(subjectKey: string, authMethod: string, now: Date): Promise<number>;
  getSubjectRevokedBefore(subjectKey: string): Promise<Date | null>;

  createRefreshToken(record: Omit<RefreshTokenRecord, 'usedAt' | 'revokedAt'>): Promise<void>;
  /** Atomically marks the token used. A second exchange of the same token reports `reused`. */
  consumeRefreshToken(hash: string, now: Date): Promise<ConsumeRefreshResult>;
  revokeRefreshFamily(family: string, now: Date): Promise<void>;

  /** Deletes sessions and refresh tokens expired before `now`. Returns the number removed. */
  purgeExpired(now: Date): Promise<number>;
}

// ── replay (nonces, used OTPs, temp tokens) ─────────────────────────────────────────────────────

export interface TempTokenRecord<T = unknown> {
  payload: T;
  /** Failed attempts so far. */
  attempts: number;
  expiresAt: Date;
}

export interface ReplayStore {
  /**
   * Claims `key` in `namespace` until `expiresAt`. Exactly one of many concurrent claims of the same key
   * returns true; an expired claim may be claimed again.
   */
  claim(namespace: string, key: string, expiresAt: Date, now: Date): Promise<boolean>;

  /** Stores a single-use temp token (e.g. an MFA temp token id). */
  createTemp<T>(namespace: string, id: string, payload: T, expiresAt: Date, maxAttempts: number): Promise<void>;
  /** Reads without consuming; null when unknown, expired or dead. */
  peekTemp<T>(namespace: string, id: string, now: Date): Promise<TempTokenRecord<T> | null>;
  /**
   * Atomically counts a failed attempt. Returns the attempts left; at 0 the token is deleted (dead).
   * Returns -1 when the token did not exist.
   */
  failTemp(namespace: string, id: string, now: Date): Promise<number>;
  /** Atomically deletes and returns the temp token: of concurrent calls exactly one gets it. */
  consumeTemp<T>(namespace: string, id: string, now: Date): Promise<TempTokenRecord<T> | null>;

  /** Deletes expired claims and temp tokens. Returns the number removed. */
  purgeExpired(now: Date): Promise<number>;
}

// ── limiter ─────────────────────────────────────────────────────────────────────────────────────

export interface LimiterState {
  count: number;
  /** When the current window ends. */
  resetAt: Date;
}

export interface LimiterStore {
  /** Atomically adds one hit in a fixed window starting at the first hit; returns the state after. */
  hit(key: string, windowMs: number, now: Date): Promise<LimiterState>;
  /** Current state, or null when there is no live window. */
  peek(key: string, now: Date): Promise<LimiterState | null>;
  /**
   * Atomically takes back one hit of the live window (count − 1, never below 0): for an attempt whose outcome
   * was an infrastructure failure rather than the caller's. Nothing happens when no window is live at `now`.
   */
  release(key: string, now: Date): Promise<void>;
  reset(key: string): Promise<void>;
  purgeExpired(now: Date): Promise<number>;
}

// ── signing keys ────────────────────────────────────────────────────────────────────────────────

export type SigningAlgorithm = 'EdDSA' | 'ES256' | 'RS256';

export interface StoredKey {
  kid: string;
  alg: SigningAlgorithm;
  /** Public JWK (no private members). */
  publicJwk: Record<string, unknown>;
  /** Private JWK. Implementations encrypt it at rest. */
  privateJwk: Record<string, unknown>;
  /** When it was added: from then on it is published (JWKS) and verifies. */
  createdAt: Date;
  /**
   * From when it may sign. A rotation sets it a propagation window after `createdAt`, so every instance
   * publishes the key before any instance signs with it; the first key of a store signs at once.
   */
  notBefore: Date;
  /** When it stopped (or stops) signing: its successor's `notBefore`. Null while it has no successor. */
  retiredAt: Date | null;
  /** After this it is dropped from the JWKS and no longer verifies. Null while it has no successor. */
  notAfter: Date | null;
}

/**
 * Which key a new key succeeds: `replaces` is the `kid` the caller saw without a successor, or null when it saw
 * none (the store's first key). The replaced key stops signing at the new key's `notBefore` and verifies until
 * `replacedNotAfter`.
 */
export type KeySuccession = { replaces: null } | { replaces: string; replacedNotAfter: Date };

/**
 * Signing keys. At most one key has no successor (`retiredAt` null): the cluster's newest key. Adding a key
 * is a compare-and-swap on that key, so instances starting or rotating together agree on one key.
 */
export interface KeyStore {
  /** Every key still held (purged keys excepted), any order. */
  list(): Promise<StoredKey[]>;
  /**
   * Atomically adds `key` (its `retiredAt`/`notAfter` null) as the successor of `succession.replaces`, and
   * in the same step retires that key (`retiredAt` = `key.notBefore`, `notAfter` = `replacedNotAfter`).
   * Succeeds only while `replaces` is still the key without a successor (null: while no key is without one).
   * Of concurrent calls with the same `replaces` exactly one returns true; the others change nothing.
   */
  addSuccessor(key: StoredKey, succession: KeySuccession): Promise<boolean>;
  /** Deletes keys whose notAfter is at or before `now`. */
  purgeExpired(now: Date): Promise<number>;
}

// ── admin credentials ───────────────────────────────────────────────────────────────────────────

/** A credential of the admin API, as stored: never the secret, nor its hash. */
export interface AdminCredential {
  id: string;
  /** For people and audit events (`actor.name`). */
  name: string;
  /** What it may do, e.g. `identities:write`, `alicloud-auth:read`, `*:read` (docs/admin-api.md). */
  scopes: string[];
  createdAt: Date;
  /** Null: no expiry. Expired at `expiresAt` (not after). */
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** The last time it was accepted for an allowed request. */
  lastUsedAt: Date | null;
}

export interface NewAdminCredential {
  id?: string;
  name: string;
  /** Hex SHA-256 of the whole token (`gha_…`); unique. The token itself is never stored. */
  tokenHash: string;
  scopes: string[];
  expiresAt: Date | null;
}

export interface AdminCredentialStore {
  /** Throws AuthError(kind 'bad_request', reasonCode 'admin_credential_exists') on a duplicate id or token hash. */
  create(input: NewAdminCredential, now: Date): Promise<AdminCredential>;
  get(id: string): Promise<AdminCredential | null>;
  /** Every credential, revoked and expired ones included, oldest first. */
  list(): Promise<AdminCredential[]>;
  /** The credential whose token hashes to `tokenHash` (compared in constant time where the store compares), any state. */
  findByHash(tokenHash: string): Promise<AdminCredential | null>;
  /**
   * Atomically: while the credential is live at `now` (not revoked, not expired), moves `lastUsedAt` forward to
   * `now` (never back) and returns true; otherwise false and nothing is written. A revocation that returned
   * before this call started always wins.
   */
  markUsed(id: string, now: Date): Promise<boolean>;
  /** Revokes once: of concurrent calls exactly one returns true. Unknown or already revoked: false. */
  revoke(id: string, now: Date): Promise<boolean>;
}

// ── all together ────────────────────────────────────────────────────────────────────────────────

export interface Stores {
  identities: IdentityStore;
  users: UserStore;
  tokens: TokenStore;
  replay: ReplayStore;
  limiter: LimiterStore;
  keys: KeyStore;
  adminCredentials: AdminCredentialStore;
  /** Runs every `purgeExpired`. */
  purgeExpired?(now: Date): Promise<void>;
  close?(): Promise<void>;
}
