/**
 * Finds (or, with `jit`, creates) the Gatehouse user behind a validated IdP identity and links the IdP
 * subject to it. An existing link wins; otherwise the email decides — only a verified one: an address the IdP
 * marks unverified, or does not vouch for, never opens an account or creates one (no pre-hijacking either).
 */
import { AuthError, isInfrastructureFailure, type StrategyContext, type User } from '@gatehouse-auth/core';
import { normaliseEmail } from '@gatehouse-auth/core/password';
import type { IdpConfig } from '../options.js';
import { assertUserMayLogIn } from '../login/user-checks.js';
import type { IdpIdentity } from './identity.js';

/** Loose on purpose (IdPs own their address formats): one `@`, no whitespace or control characters. */
const PLAUSIBLE_EMAIL = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+$/u;

const refused = (reasonCode: string, message = 'The identity provider account cannot log in here') =>
  new AuthError({ kind: 'unauthenticated', reasonCode, message });

export async function resolveIdpUser(ctx: StrategyContext, idpId: string, idp: IdpConfig, identity: IdpIdentity): Promise<User> {
  const users = ctx.stores.users;
  const linked = await users.findByIdpLink(idpId, identity.subject);
  if (linked) {
    assertUserMayLogIn(linked);
    return linked;
  }
  if (!identity.email) throw refused('idp_email_missing', 'The identity provider did not return an email');
  // The email decides which account opens (or is created): only an address the IdP says is verified, or,
  // when the IdP says nothing and is configured to be trusted for that, one it never marks unverified.
  if (identity.emailVerified === false || (identity.emailVerified === null && !idp.assumeEmailVerified)) throw refused('idp_email_unverified');
  const email = normaliseEmail(identity.email);
  if (!PLAUSIBLE_EMAIL.test(email)) throw refused('idp_email_invalid', 'The identity provider returned an invalid email');
  let user = await users.getByEmail(email);
  if (!user) {
    if (!idp.jit) throw refused('idp_user_unknown');
    user = await createJitUser(ctx, idpId, email, identity.name);
  }
  assertUserMayLogIn(user);
  try {
    await users.linkIdp(user.id, idpId, identity.subject);
  } catch (err) {
    // The store's refusal (the IdP subject is linked to someone else); an outage stays the dialect's 503.
    if (err instanceof AuthError && !isInfrastructureFailure(err)) throw refused('idp_link_conflict');
    throw err;
  }
  return user;
}

async function createJitUser(ctx: StrategyContext, idpId: string, email: string, name: string | null): Promise<User> {
  try {
    return await ctx.stores.users.create(
      { username: email, email, displayName: (name ?? email).slice(0, 200), source: `idps/${idpId}` },
      ctx.clock.now(),
    );
  } catch (err) {
    if (!(err instanceof AuthError) || isInfrastructureFailure(err)) throw err;
    // A concurrent first login created it a moment ago; otherwise the username is taken by someone else.
    const existing = await ctx.stores.users.getByEmail(email);
    if (existing) return existing;
    throw refused('idp_jit_conflict');
  }
}
