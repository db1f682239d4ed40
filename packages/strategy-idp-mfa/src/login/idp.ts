/**
 * First factor through an identity provider: `idpName: "idps/<id>"` plus the context matching the IdP's
 * type. Unknown IdP → 404; the other type's context → 400. The code is claimed in the replay store, then
 * exchanged by openid-client.
 */
import { createHash } from 'node:crypto';
import { buildAuthorizationUrl } from 'openid-client';
import { AuthError, systemClock, type Clock, type OutboundHttp, type StrategyContext, type User } from '@gatehouse-auth/core';
import type { IdpConfig, OidcIdpConfig } from '../options.js';
import type { LoginRequest } from '../schemas.js';
import { buildConfiguration, type IdpCallDeps } from '../idp/client-config.js';
import { IdpMetadataCache } from '../idp/metadata-cache.js';
import { discoverOidc, downloadJwks, exchangeOidcCode } from '../idp/oidc.js';
import { exchangeOAuth2Code, oauth2Metadata } from '../idp/oauth2.js';
import { resolveIdpUser } from '../idp/resolve-user.js';

const DEFAULT_SCOPES = { oidc: ['openid', 'email', 'profile'], oauth2: ['email'] } as const;

/** RFC 6749 §4.1.2: an authorization code lives 10 minutes at most; its claim is kept that long. */
const CODE_CLAIM_MS = 10 * 60_000;
const CODE_NAMESPACE = 'idp-code';

/**
 * An authorization code logs in once, whatever the IdP does with a second redemption (RFC 6749 asks IdPs to
 * refuse it; not all do, and one that does may revoke the first exchange's tokens mid-login, so a double
 * submit would fail both). Claimed atomically before the exchange, by hash: the store never holds a code.
 */
async function claimCode(ctx: StrategyContext, idpId: string, code: string): Promise<void> {
  const key = createHash('sha256').update(`${idpId}\n${code}`).digest('base64url');
  const now = ctx.clock.now();
  if (!(await ctx.stores.replay.claim(CODE_NAMESPACE, key, new Date(now.getTime() + CODE_CLAIM_MS), now))) {
    throw new AuthError({ kind: 'unauthenticated', reasonCode: 'idp_code_replayed', message: 'The identity provider login could not be verified' });
  }
}

export class IdpLogin {
  // A Map, not the options object: `idps/constructor` must not find Object.prototype.constructor.
  readonly #idps: Map<string, IdpConfig>;
  readonly #cache: IdpMetadataCache;

  constructor(idps: Record<string, IdpConfig>) {
    this.#idps = new Map(Object.entries(idps));
    this.#cache = new IdpMetadataCache(new Set(this.#idps.keys()));
  }

  #idp(id: string): IdpConfig {
    const idp = this.#idps.get(id);
    if (!idp) throw new AuthError({ kind: 'not_found', reasonCode: 'idp_not_found', message: 'Identity provider not found' });
    return idp;
  }

  async verify(ctx: StrategyContext, idpName: string, context: LoginRequest['idpContext']): Promise<{ user: User; method: string }> {
    const id = idpName.slice('idps/'.length);
    const idp = this.#idp(id);
    const wanted = idp.type === 'oidc' ? 'oidcContext' : 'oauth2Context';
    const other = idp.type === 'oidc' ? 'oauth2Context' : 'oidcContext';
    const code = context?.[wanted]?.code;
    if (!code || context?.[other]) {
      throw new AuthError({
        kind: 'bad_request',
        reasonCode: 'idp_context_mismatch',
        message: `idpContext.${wanted} is required for ${idpName}`,
        fields: [`idpContext.${wanted}`],
      });
    }
    await claimCode(ctx, id, code);
    const deps: IdpCallDeps = { http: ctx.http, clock: ctx.clock, signal: ctx.request.signal };
    const identity = idp.type === 'oidc' ? await this.#oidcIdentity(id, idp, code, deps) : await exchangeOAuth2Code(idp, code, deps);
    const user = await resolveIdpUser(ctx, id, idp, identity);
    return { user, method: idpName };
  }

  async #metadata(id: string, idp: OidcIdpConfig, deps: Omit<IdpCallDeps, 'signal'>) {
    return this.#cache.get(id, idp.discoveryTtlSeconds * 1000, deps.clock.now(), () => discoverOidc(idp, deps));
  }

  async #oidcIdentity(id: string, idp: OidcIdpConfig, code: string, deps: IdpCallDeps) {
    const cached = await this.#metadata(id, idp, deps);
    const known = await this.#cache.jwks(id, () => downloadJwks(idp, cached.metadata, deps));
    const { identity, jwks } = await exchangeOidcCode(idp, cached, known, code, deps);
    this.#cache.saveJwks(id, jwks);
    return identity;
  }

  /**
   * The URL your frontend sends the browser to. Adds no nonce and no PKCE on purpose: the login call carries
   * only the code, so the server could not check them.
   */
  async authorizationUrl(id: string, params: { state: string; http: OutboundHttp; clock?: Clock }): Promise<URL> {
    const idp = this.#idp(id);
    const deps = { http: params.http, clock: params.clock ?? systemClock };
    const metadata = idp.type === 'oidc' ? (await this.#metadata(id, idp, deps)).metadata : oauth2Metadata(idp);
    if (!metadata.authorization_endpoint) throw new Error(`IdP ${id} has no authorization endpoint configured`);
    const config = buildConfiguration(metadata, idp, deps, { allowed: () => false });
    return buildAuthorizationUrl(config, {
      redirect_uri: idp.redirectUri,
      scope: (idp.scopes ?? DEFAULT_SCOPES[idp.type]).join(' '),
      state: params.state,
    });
  }
}
