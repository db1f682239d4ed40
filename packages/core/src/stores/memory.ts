/**
 * In-memory stores for tests and single-process apps. Every read-modify-write below runs without an
 * `await` in between, so on Node's single thread it is atomic: concurrency proofs hold here too.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { AuthError } from '../errors/auth-error.js';
import type {
  AdminCredential,
  AdminCredentialStore,
  ConsumeRefreshResult,
  Identity,
  IdentityMethod,
  IdentityStore,
  KeyStore,
  KeySuccession,
  LimiterState,
  LimiterStore,
  NewAdminCredential,
  NewUser,
  RefreshTokenRecord,
  ReplayStore,
  StoredKey,
  Stores,
  TempTokenRecord,
  TokenSession,
  TokenStore,
  UseTokenResult,
  User,
  UserMfa,
  UserPatch,
  UserStore,
} from './ports.js';

const clone = <T>(v: T): T => structuredClone(v);

/**
 * Identities and methods are read on every login: store them as deep-frozen copies and hand those out, so reads
 * cost nothing and a caller can't mutate the store through what it was given.
 */
function frozen<T>(v: T): T {
  const copy = structuredClone(v);
  const freeze = (o: unknown) => {
    if (o && typeof o === 'object' && !Object.isFrozen(o)) {
      Object.freeze(o);
      for (const child of Object.values(o)) freeze(child);
    }
  };
  freeze(copy);
  return copy;
}

/** Deletes the entries `expired` picks; returns how many. */
function purge<K, V>(map: Map<K, V>, expired: (v: V) => boolean): number {
  let n = 0;
  for (const [k, v] of map) {
    if (expired(v)) {
      map.delete(k);
      n++;
    }
  }
  return n;
}

export class MemoryIdentityStore implements IdentityStore {
  #identities = new Map<string, Identity>();
  #methods = new Map<string, IdentityMethod>();

  async create(input: { id?: string; name: string; organizationSlug?: string | null }, now: Date): Promise<Identity> {
    const id = input.id ?? randomUUID();
    if (this.#identities.has(id)) throw new AuthError({ kind: 'bad_request', reasonCode: 'identity_exists', message: 'Identity already exists', fields: ['id'] });
    const identity = frozen<Identity>({ id, name: input.name, organizationSlug: input.organizationSlug ?? null, createdAt: now });
    this.#identities.set(id, identity);
    return identity;
  }
  async get(id: string) {
    return this.#identities.get(id) ?? null;
  }
  async list() {
    return [...this.#identities.values()];
  }
  async delete(id: string) {
    for (const key of this.#methods.keys()) if (key.startsWith(`${id}\u0000`)) this.#methods.delete(key);
    return this.#identities.delete(id);
  }
  async putMethod(input: { identityId: string; method: string; config: unknown; token: IdentityMethod['token'] }, now: Date) {
    if (!this.#identities.has(input.identityId)) throw new AuthError({ kind: 'not_found', reasonCode: 'identity_not_found', message: 'Identity not found' });
    const key = `${input.identityId}\u0000${input.method}`;
    const prev = this.#methods.get(key);
    const m = frozen<IdentityMethod>({ ...input, createdAt: prev?.createdAt ?? now, updatedAt: now });
    this.#methods.set(key, m);
    return m;
  }
  async getMethod(identityId: string, method: string) {
    return this.#methods.get(`${identityId}\u0000${method}`) ?? null;
  }
  async getWithMethod(identityId: string, method: string) {
    const identity = this.#identities.get(identityId);
    return identity ? { identity, method: this.#methods.get(`${identityId}\u0000${method}`) ?? null } : null;
  }
  async listMethods(identityId: string) {
    return [...this.#methods.values()].filter((m) => m.identityId === identityId);
  }
  async removeMethod(identityId: string, method: string) {
    return this.#methods.delete(`${identityId}\u0000${method}`);
  }
  // Check and write with no await in between: atomic on Node's single thread.
  async addMethod(input: { identityId: string; method: string; config: unknown; token: IdentityMethod['token'] }, now: Date) {
    if (!this.#identities.has(input.identityId)) throw new AuthError({ kind: 'not_found', reasonCode: 'identity_not_found', message: 'Identity not found' });
    const key = `${input.identityId}\u0000${input.method}`;
    if (this.#methods.has(key)) return null;
    const m = frozen<IdentityMethod>({ ...input, createdAt: now, updatedAt: now });
    this.#methods.set(key, m);
    return m;
  }
  async replaceMethod(input: { identityId: string; method: string; config: unknown; token: IdentityMethod['token'] }, now: Date, expectedUpdatedAt: Date) {
    const key = `${input.identityId}\u0000${input.method}`;
    const prev = this.#methods.get(key);
    if (!prev || prev.updatedAt.getTime() !== expectedUpdatedAt.getTime()) return null;
    const updatedAt = new Date(Math.max(now.getTime(), prev.updatedAt.getTime() + 1));
    const m = frozen<IdentityMethod>({ ...input, createdAt: prev.createdAt, updatedAt });
    this.#methods.set(key, m);
    return m;
  }
}

const EMPTY_MFA: UserMfa = { totpSecret: null, pendingTotpSecret: null, pendingCreatedAt: null, enabled: false };

export class MemoryUserStore implements UserStore {
  #users = new Map<string, User>();
  #recovery = new Map<string, string[]>();
  #links = new Map<string, string>();

  async create(input: NewUser, now: Date): Promise<User> {
    const dup = [...this.#users.values()].some(
      (u) => u.username === input.username || (input.email != null && u.email === input.email),
    );
    if (dup || (input.id && this.#users.has(input.id))) {
      throw new AuthError({ kind: 'bad_request', reasonCode: 'user_exists', message: 'User already exists', fields: ['username'] });
    }
    const user: User = {
      id: input.id ?? randomUUID(),
      username: input.username,
      email: input.email ?? null,
      displayName: input.displayName,
      passwordHash: input.passwordHash ?? null,
      passwordChangedAt: input.passwordChangedAt ?? (input.passwordHash ? now : null),
      requireResetPassword: input.requireResetPassword ?? false,
      disabled: input.disabled ?? false,
      title: input.title ?? '',
      phone: input.phone ?? '',
      userType: input.userType ?? 'USER',
      groups: input.groups ?? [],
      mfa: { ...EMPTY_MFA },
      lastLoginAt: input.lastLoginAt ?? null,
      source: input.source ?? 'password',
      createdAt: now,
    };
    this.#users.set(user.id, user);
    return clone(user);
  }
  async getById(id: string) {
    const u = this.#users.get(id);
    return u ? clone(u) : null;
  }
  async getByUsername(username: string) {
    for (const u of this.#users.values()) if (u.username === username) return clone(u);
    return null;
  }
  async getByEmail(email: string) {
    for (const u of this.#users.values()) if (u.email !== null && u.email === email) return clone(u);
    return null;
  }
  async list() {
    return [...this.#users.values()].map(clone);
  }
  async update(id: string, patch: UserPatch) {
    const u = this.#users.get(id);
    if (!u) return null;
    if (patch.email != null && [...this.#users.values()].some((o) => o.id !== id && o.email === patch.email)) {
      throw new AuthError({ kind: 'bad_request', reasonCode: 'user_exists', message: 'Email already in use', fields: ['email'] });
    }
    Object.assign(u, clone(patch));
    return clone(u);
  }
  async setMfa(id: string, mfa: UserMfa) {
    const u = this.#users.get(id);
    if (u) u.mfa = clone(mfa);
  }
  async replaceRecoveryCodes(id: string, codeHashes: string[]) {
    this.#recovery.set(id, [...codeHashes]);
  }
  async consumeRecoveryCode(id: string, codeHash: string) {
    const codes = this.#recovery.get(id);
    if (!codes) return false;
    const wanted = Buffer.from(codeHash);
    // Compare every code in constant time, so timing does not tell how many prefixes matched.
    let index = -1;
    codes.forEach((c, i) => {
      const b = Buffer.from(c);
      if (b.length === wanted.length && timingSafeEqual(b, wanted) && index === -1) index = i;
    });
    if (index === -1) return false;
    codes.splice(index, 1);
    return true;
  }
  async countRecoveryCodes(id: string) {
    return this.#recovery.get(id)?.length ?? 0;
  }
  async linkIdp(userId: string, idpId: string, subject: string) {
    const key = `${idpId}\u0000${subject}`;
    const existing = this.#links.get(key);
    if (existing && existing !== userId) {
      throw new AuthError({ kind: 'bad_request', reasonCode: 'idp_link_exists', message: 'This IdP account is linked to another user' });
    }
    this.#links.set(key, userId);
  }
  async findByIdpLink(idpId: string, subject: string) {
    const id = this.#links.get(`${idpId}\u0000${subject}`);
    return id ? this.getById(id) : null;
  }
}

/**
 * A session as this store keeps it: times as epoch milliseconds and the trusted IPs frozen (the usual
 * allow-everything list shared), so a stored session is one small object rather than four Dates and an array —
 * a memory store holds every live session, and what it holds is what the garbage collector walks.
 */
interface StoredSession {
  jti: string;
  subjectKey: string;
  authMethod: string;
  createdAt: number;
  ttl: number;
  maxExpiresAt: number;
  expiresAt: number;
  numUsesLimit: number;
  numUses: number;
  trustedIps: readonly string[];
  revokedAt: number | null;
}

const ALLOW_ALL: readonly string[] = Object.freeze(['0.0.0.0/0', '::/0']);

function frozenIps(ips: readonly string[]): readonly string[] {
  if (ips.length === 2 && ips[0] === ALLOW_ALL[0] && ips[1] === ALLOW_ALL[1]) return ALLOW_ALL;
  return Object.freeze([...ips]);
}

function stored(s: TokenSession): StoredSession {
  return {
    jti: s.jti,
    subjectKey: s.subjectKey,
    authMethod: s.authMethod,
    createdAt: s.createdAt.getTime(),
    ttl: s.ttl,
    maxExpiresAt: s.maxExpiresAt.getTime(),
    expiresAt: s.expiresAt.getTime(),
    numUsesLimit: s.numUsesLimit,
    numUses: s.numUses,
    trustedIps: frozenIps(s.trustedIps),
    revokedAt: s.revokedAt ? s.revokedAt.getTime() : null,
  };
}

/** What callers get: a fresh `TokenSession` (their own Dates and array), never the stored record. */
function sessionOf(s: StoredSession): TokenSession {
  return {
    jti: s.jti,
    subjectKey: s.subjectKey,
    authMethod: s.authMethod,
    createdAt: new Date(s.createdAt),
    ttl: s.ttl,
    maxExpiresAt: new Date(s.maxExpiresAt),
    expiresAt: new Date(s.expiresAt),
    numUsesLimit: s.numUsesLimit,
    numUses: s.numUses,
    trustedIps: [...s.trustedIps],
    revokedAt: s.revokedAt === null ? null : new Date(s.revokedAt),
  };
}

export class MemoryTokenStore implements TokenStore {
  #sessions = new Map<string, StoredSession>();
  #subjectRevocations = new Map<string, Date>();
  #refresh = new Map<string, RefreshTokenRecord>();
  #revokedFamilies = new Set<string>();

  async createSession(session: TokenSession) {
    this.#sessions.set(session.jti, stored(session));
  }
  async getSession(jti: string) {
    const s = this.#sessions.get(jti);
    return s ? sessionOf(s) : null;
  }
  async useSession(jti: string, opts: { consume: boolean; now: Date }): Promise<UseTokenResult> {
    const s = this.#sessions.get(jti);
    if (!s) return { status: 'unknown', session: null };
    const revokedBefore = this.#subjectRevocations.get(s.subjectKey);
    if (s.revokedAt !== null || (revokedBefore && s.createdAt <= revokedBefore.getTime())) {
      return { status: 'revoked', session: sessionOf(s) };
    }
    if (s.expiresAt <= opts.now.getTime()) return { status: 'expired', session: sessionOf(s) };
    if (opts.consume && s.numUsesLimit > 0) {
      if (s.numUses >= s.numUsesLimit) return { status: 'exhausted', session: sessionOf(s) };
      s.numUses += 1;
    }
    return { status: 'ok', session: sessionOf(s) };
  }
  async extendSession(jti: string, expiresAt: Date) {
    const s = this.#sessions.get(jti);
    if (!s || s.revokedAt !== null) return null;
    s.expiresAt = expiresAt.getTime();
    return sessionOf(s);
  }
  async revokeSession(jti: string, now: Date) {
    const s = this.#sessions.get(jti);
    if (!s || s.revokedAt !== null) return false;
    s.revokedAt = now.getTime();
    return true;
  }
  async revokeSubject(subjectKey: string, before: Date) {
    const prev = this.#subjectRevocations.get(subjectKey);
    if (!prev || prev < before) this.#subjectRevocations.set(subjectKey, before);
  }
  async revokeSubjectMethod(subjectKey: string, authMethod: string, now: Date) {
    let n = 0;
    for (const s of this.#sessions.values()) {
      if (s.subjectKey === subjectKey && s.authMethod === authMethod && s.revokedAt === null) {
        s.revokedAt = now.getTime();
        n++;
      }
    }
    return n;
  }
  async getSubjectRevokedBefore(subjectKey: string) {
    return this.#subjectRevocations.get(subjectKey) ?? null;
  }
  async createRefreshToken(record: Omit<RefreshTokenRecord, 'usedAt' | 'revokedAt'>) {
    this.#refresh.set(record.hash, { ...clone(record), usedAt: null, revokedAt: null });
  }
  async consumeRefreshToken(hash: string, now: Date): Promise<ConsumeRefreshResult> {
    const r = this.#refresh.get(hash);
    if (!r) return { status: 'unknown' };
    if (r.revokedAt || this.#revokedFamilies.has(r.family)) return { status: 'revoked' };
    if (r.usedAt) return { status: 'reused', record: clone(r) };
    if (r.expiresAt.getTime() <= now.getTime()) return { status: 'expired' };
    r.usedAt = now;
    return { status: 'ok', record: clone(r) };
  }
  async revokeRefreshFamily(family: string, now: Date) {
    this.#revokedFamilies.add(family);
    for (const r of this.#refresh.values()) if (r.family === family && !r.revokedAt) r.revokedAt = now;
  }
  async purgeExpired(now: Date) {
    const t = now.getTime();
    return purge(this.#sessions, (s) => s.expiresAt <= t) + purge(this.#refresh, (r) => r.expiresAt.getTime() <= t);
  }
}

interface TempEntry {
  payload: unknown;
  attempts: number;
  maxAttempts: number;
  expiresAt: Date;
}

export class MemoryReplayStore implements ReplayStore {
  #claims = new Map<string, number>();
  #temps = new Map<string, TempEntry>();

  async claim(namespace: string, key: string, expiresAt: Date, now: Date) {
    const k = `${namespace}\u0000${key}`;
    const existing = this.#claims.get(k);
    if (existing !== undefined && existing > now.getTime()) return false;
    this.#claims.set(k, expiresAt.getTime());
    return true;
  }
  async createTemp<T>(namespace: string, id: string, payload: T, expiresAt: Date, maxAttempts: number) {
    this.#temps.set(`${namespace}\u0000${id}`, { payload: clone(payload), attempts: 0, maxAttempts, expiresAt });
  }
  #live(namespace: string, id: string, now: Date): TempEntry | undefined {
    const k = `${namespace}\u0000${id}`;
    const t = this.#temps.get(k);
    if (!t) return undefined;
    if (t.expiresAt.getTime() <= now.getTime()) {
      this.#temps.delete(k);
      return undefined;
    }
    return t;
  }
  async peekTemp<T>(namespace: string, id: string, now: Date): Promise<TempTokenRecord<T> | null> {
    const t = this.#live(namespace, id, now);
    return t ? { payload: clone(t.payload) as T, attempts: t.attempts, expiresAt: t.expiresAt } : null;
  }
  async failTemp(namespace: string, id: string, now: Date) {
    const t = this.#live(namespace, id, now);
    if (!t) return -1;
    t.attempts += 1;
    const left = t.maxAttempts - t.attempts;
    if (left <= 0) this.#temps.delete(`${namespace}\u0000${id}`);
    return Math.max(0, left);
  }
  async consumeTemp<T>(namespace: string, id: string, now: Date): Promise<TempTokenRecord<T> | null> {
    const t = this.#live(namespace, id, now);
    if (!t) return null;
    this.#temps.delete(`${namespace}\u0000${id}`);
    return { payload: t.payload as T, attempts: t.attempts, expiresAt: t.expiresAt };
  }
  async purgeExpired(now: Date) {
    const t = now.getTime();
    return purge(this.#claims, (exp) => exp <= t) + purge(this.#temps, (e) => e.expiresAt.getTime() <= t);
  }
  /** For tests of boundedness. */
  get size() {
    return this.#claims.size + this.#temps.size;
  }
}

export class MemoryLimiterStore implements LimiterStore {
  #windows = new Map<string, { count: number; resetAt: number }>();
  async hit(key: string, windowMs: number, now: Date): Promise<LimiterState> {
    const t = now.getTime();
    let w = this.#windows.get(key);
    if (!w || w.resetAt <= t) {
      w = { count: 0, resetAt: t + windowMs };
      this.#windows.set(key, w);
    }
    w.count += 1;
    return { count: w.count, resetAt: new Date(w.resetAt) };
  }
  async peek(key: string, now: Date) {
    const w = this.#windows.get(key);
    if (!w || w.resetAt <= now.getTime()) return null;
    return { count: w.count, resetAt: new Date(w.resetAt) };
  }
  async release(key: string, now: Date) {
    const w = this.#windows.get(key);
    if (w && w.resetAt > now.getTime() && w.count > 0) w.count -= 1;
  }
  async reset(key: string) {
    this.#windows.delete(key);
  }
  async purgeExpired(now: Date) {
    return purge(this.#windows, (w) => w.resetAt <= now.getTime());
  }
}

export class MemoryKeyStore implements KeyStore {
  #keys = new Map<string, StoredKey>();
  async list() {
    return [...this.#keys.values()].map(clone);
  }
  // Check and write with no await in between: the compare-and-swap is atomic on Node's single thread.
  async addSuccessor(key: StoredKey, succession: KeySuccession) {
    const open = [...this.#keys.values()].find((k) => k.retiredAt === null);
    if ((open?.kid ?? null) !== succession.replaces || this.#keys.has(key.kid)) return false;
    if (open && succession.replaces !== null) {
      open.retiredAt = new Date(key.notBefore.getTime());
      open.notAfter = new Date(succession.replacedNotAfter.getTime());
    }
    this.#keys.set(key.kid, { ...clone(key), retiredAt: null, notAfter: null });
    return true;
  }
  async purgeExpired(now: Date) {
    return purge(this.#keys, (k) => k.notAfter !== null && k.notAfter.getTime() <= now.getTime());
  }
}

interface CredentialEntry {
  credential: AdminCredential;
  hash: Buffer;
}

const copyCredential = (c: AdminCredential): AdminCredential => ({ ...c, scopes: [...c.scopes] });

export class MemoryAdminCredentialStore implements AdminCredentialStore {
  #entries = new Map<string, CredentialEntry>();

  async create(input: NewAdminCredential, now: Date) {
    const id = input.id ?? randomUUID();
    const hash = Buffer.from(input.tokenHash, 'utf8');
    if (this.#entries.has(id) || this.#findEntry(hash)) {
      throw new AuthError({ kind: 'bad_request', reasonCode: 'admin_credential_exists', message: 'Admin credential already exists' });
    }
    const credential: AdminCredential = { id, name: input.name, scopes: [...input.scopes], createdAt: now, expiresAt: input.expiresAt, revokedAt: null, lastUsedAt: null };
    this.#entries.set(id, { credential, hash });
    return copyCredential(credential);
  }
  async get(id: string) {
    const e = this.#entries.get(id);
    return e ? copyCredential(e.credential) : null;
  }
  async list() {
    return [...this.#entries.values()].map((e) => copyCredential(e.credential));
  }
  /** Every stored hash is compared, in constant time each, with no early exit. */
  #findEntry(hash: Buffer): CredentialEntry | undefined {
    let found: CredentialEntry | undefined;
    for (const e of this.#entries.values()) {
      if (e.hash.length === hash.length && timingSafeEqual(e.hash, hash) && !found) found = e;
    }
    return found;
  }
  async findByHash(tokenHash: string) {
    const e = this.#findEntry(Buffer.from(tokenHash, 'utf8'));
    return e ? copyCredential(e.credential) : null;
  }
  async markUsed(id: string, now: Date) {
    const c = this.#entries.get(id)?.credential;
    if (!c || c.revokedAt || (c.expiresAt && c.expiresAt.getTime() <= now.getTime())) return false;
    if (!c.lastUsedAt || c.lastUsedAt.getTime() < now.getTime()) c.lastUsedAt = now;
    return true;
  }
  async revoke(id: string, now: Date) {
    const c = this.#entries.get(id)?.credential;
    if (!c || c.revokedAt) return false;
    c.revokedAt = now;
    return true;
  }
}

export function createMemoryStores(): Stores {
  const stores = {
    identities: new MemoryIdentityStore(),
    users: new MemoryUserStore(),
    tokens: new MemoryTokenStore(),
    replay: new MemoryReplayStore(),
    limiter: new MemoryLimiterStore(),
    keys: new MemoryKeyStore(),
    adminCredentials: new MemoryAdminCredentialStore(),
  };
  return {
    ...stores,
    async purgeExpired(now: Date) {
      await Promise.all([
        stores.tokens.purgeExpired(now),
        stores.replay.purgeExpired(now),
        stores.limiter.purgeExpired(now),
        stores.keys.purgeExpired(now),
      ]);
    },
    async close() {},
  };
}
