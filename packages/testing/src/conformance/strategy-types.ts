/** What a plugin author hands the strategy conformance kit: the strategy, a fixture, and its declarations. */
import type { Gatehouse, GatehouseOptions, GatehouseRequest, ManualClock, Strategy } from '@gatehouse-auth/core';

/** A JSON request body. */
export type Body = Record<string, unknown>;
type MaybePromise<T> = T | Promise<T>;

/**
 * What the strategy promises beyond the contract. The kit cannot guess any of these from the outside (a body
 * that may be replayed looks like one that may not); each one you declare is tested, each one you leave out
 * shows up as a skipped check, so a reader of the test report sees what was and was not proved.
 */
export interface StrategyDeclarations {
  /**
   * Object paths (`''` the body, `login_state`, `a.b`) whose API allows unknown properties. Every other
   * object in the request schema must refuse them (`z.strictObject`).
   */
  openObjects?: readonly string[];
  /**
   * `true`: a valid body logs in once — the same body again is refused, and of 20 concurrent copies exactly
   * one wins. `{ fields }`: also, a *fresh* valid body carrying one of these fields' values from an earlier
   * successful login is refused (a one-time code used twice: Vault CVE-2025-6015). Name only fields a
   * body can carry over unchanged (not ones covered by a signature, which would be refused for that).
   */
  singleUse?: boolean | { fields: readonly string[] };
  /**
   * The body carries a time (`field`, a dotted path; ISO 8601, HTTP date, or epoch seconds/ms) that must be
   * within `seconds` of the server's clock (`futureSeconds` ahead, default the same). The kit moves the
   * injected clock: just inside → accepted, just outside either way → refused.
   */
  timeWindow?: { field: string; seconds: number; futureSeconds?: number };
  /** The field that names the account (a string shorthand means `{ field }`). */
  identifier?: string | IdentifierDeclaration;
  /**
   * An unknown identifier and a known one with the wrong secret must be indistinguishable: identical
   * status, headers and body (attempt after attempt, lockout included), and timings that a two-sided
   * Mann-Whitney U test does not tell apart.
   */
  enumeration?: EnumerationDeclaration;
  /**
   * The strategy compares a secret itself (a MAC, a key hash, a code). The kit checks that
   * `crypto.timingSafeEqual` runs on the successful and the refused path (and as often for an unknown
   * identifier as for a wrong secret, when `enumeration` is declared).
   */
  constantTimeComparison?: boolean;
}

export interface IdentifierDeclaration {
  /** Dotted path of the identifier in the body (`username`, `identityId`). */
  field: string;
  /**
   * Failed attempts after which the account is refused even with the right secret (the core's lockout:
   * 5). The kit spreads this many failures over every spelling that logs in to the same account and then
   * expects the right secret to be refused. Omit when the strategy has no lockout.
   */
  lockoutAfter?: number;
  /** A valid body naming the account as `identifier` (needed when the identifier is signed). Default: `validBody()` with the field replaced. */
  validBody?(identifier: string): MaybePromise<Body>;
  /** The same with a wrong secret. Default: `invalidCredentialsBody()` with the field replaced. */
  wrongSecretBody?(identifier: string): MaybePromise<Body>;
}

export interface EnumerationDeclaration {
  /** A well-formed body for an identifier that does not exist (the same identifier every time). */
  unknownBody(): MaybePromise<Body>;
  /** A well-formed body for an existing identifier with a wrong secret. */
  wrongSecretBody(): MaybePromise<Body>;
  /**
   * The timing comparison: `pairs` timed attempts of each kind (default 60, after 10 warm-up pairs, each
   * from its own client address so per-address lockout stays out of the way), significance level `alpha`
   * (default 0.001), repeated once on a fresh Gatehouse before a difference counts. `false` skips it
   * (say why in your test).
   */
  timing?: false | { pairs?: number; alpha?: number };
}

export interface StrategyFixture {
  /** A body that logs in successfully (each call may return a fresh one, e.g. a new nonce). */
  validBody(): MaybePromise<Body>;
  /** A well-formed body with wrong credentials: must be refused with a 4xx. */
  invalidCredentialsBody(): MaybePromise<Body>;
  /** Request overrides for every call (TLS peer chain, headers…). */
  request?: Partial<GatehouseRequest>;
  /**
   * Secrets the fixture uses (keys, passwords, client secrets; strings or bytes, 8+ characters). None may
   * appear — as is, base64, base64url, hex, URL- or JSON-escaped — in any response (tokens decoded), log
   * line or audit event.
   */
  secrets?: (string | Uint8Array)[];
  /** What the strategy promises; each declaration is tested. */
  declares?: StrategyDeclarations;
  /** Called after the suite, once per `setup` call. */
  cleanup?(): Promise<void>;
}

export interface StrategyConformanceOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the suite accepts any strategy
  strategy: () => Strategy<any, any> | Promise<Strategy<any, any>>;
  /**
   * Creates identities/users in the given Gatehouse and returns the fixture. Called once per Gatehouse the
   * kit builds: checks that lock accounts out or move the clock get a fresh one each, so make `setup`
   * self-contained (its own users, its own bodies).
   */
  setup(gatehouse: Gatehouse, clock: ManualClock): Promise<StrategyFixture>;
  /** Extra createGatehouse options (stores, http…). */
  gatehouseOptions?: Partial<GatehouseOptions>;
  /** Start time of each injected clock. Defaults to the real time when the Gatehouse is built (emulators verify against real time). */
  now?: Date;
  /** The random part of the hostile-input check: fast-check runs (default 100) and seed (default fixed, so failures reproduce). */
  fuzz?: { runs?: number; seed?: number };
  /** Called once after everything (close what `strategy()` started: emulators, IdPs). */
  teardown?(): Promise<void>;
}
