/**
 * Finds (or, with `jit`, creates) the Gatehouse user behind a validated IdP identity and links the IdP
 * subject to it. An existing link wins; otherwise the email decides, and an email the IdP itself marks as
 * unverified is never used to take over an account.
 */
import { AuthError, type StrategyContext, type User } from '@gatehouse/core';
import { normaliseEmail } from '@gatehouse/core/password';
import type { IdpConfig } from '../options.js';
import { assertUserMayLogIn } from '../login/user-checks.js';
import type { IdpIdentity } from './identity.js';

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
  if (identity.emailVerified === false) throw refused('idp_email_unverified');
  const email = normaliseEmail(identity.email);
  let user = await users.getByEmail(email);
  if (!user) {
    if (!idp.jit) throw refused('idp_user_unknown');
    user = await createJitUser(ctx, idpId, email, identity.name);
  }
  assertUserMayLogIn(user);
  try {
    await users.linkIdp(user.id, idpId, identity.subject);
  } catch (err) {
    if (err instanceof AuthError) throw refused('idp_link_conflict');
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
    // A concurrent first login created it a moment ago.
    const existing = err instanceof AuthError ? await ctx.stores.users.getByEmail(email) : null;
    if (existing) return existing;
    throw err;
  }
}
