/**
 * `POST /api/v1/users/auth/_login` (seed 003, ECE's API under `/api/v1`): username/password login answering
 * `{token, session_expiration_time}`, or a 302 to `/sso/token#<token>?state=<login_state>` when
 * `login_state.path` is given. Errors in the ece dialect.
 */
import { AuthError, defineStrategy, formatEceTime, type Reply, type Strategy } from '@gatehouse-auth/core';
import { PasswordLockout, normaliseUsername } from '@gatehouse-auth/core/password';
import { callBackend, type AuthenticationBackend } from './backend.js';
import { ssoRedirectLocation } from './login-state.js';
import { resolveOptions, type EcePasswordOptions } from './options.js';
import { eceLoginRequestSchema, eceLoginResponseSchema, type EceLoginRequest } from './schemas.js';
import { userStoreBackend } from './user-store-backend.js';

export const ECE_LOGIN_PATH = '/api/v1/users/auth/_login';

export function ecePasswordStrategy(options: EcePasswordOptions = {}): Strategy<EceLoginRequest> {
  const o = resolveOptions(options);
  const backend: AuthenticationBackend | null = o.backend === undefined ? userStoreBackend({ argon2: o.argon2 }) : o.backend;
  const ttl = o.sessionLifetimeSeconds;
  const token = { accessTokenTTL: ttl, accessTokenMaxTTL: o.sessionMaxLifetimeSeconds ?? ttl };

  return defineStrategy<EceLoginRequest>({
    id: o.id,
    route: { method: 'POST', path: ECE_LOGIN_PATH },
    dialect: 'ece',
    requestSchema: eceLoginRequestSchema,
    responseSchema: eceLoginResponseSchema,
    openapi: {
      summary: 'Login to ECE',
      description:
        "Authenticates against available users. Returns the token in the body, or with `login_state.path` redirects (302) to `/sso/token#BEARER_TOKEN?state=LOGIN_STATE`.",
      operationId: 'loginToEce',
      tags: ['Login'],
    },

    async authenticate(input, ctx) {
      if (!backend) {
        throw new AuthError({
          kind: 'not_configured',
          reasonCode: 'no_authentication_backend',
          publicCode: 'authc.no_authentication_cluster',
          message: 'The administrator needs to configure the authentication cluster',
        });
      }
      // One canonical name for the backend and for the lockout counter: `Admin`, `admin ` and `ＡＤＭＩＮ` are one.
      const username = normaliseUsername(input.username);
      const lockout = new PasswordLockout(ctx.stores.limiter, { namespace: o.id, policy: o.lockout });
      const address = ctx.request.clientIp;
      // Counted before the check, atomically, so concurrent guesses cannot exceed the limit. An answer counts;
      // a store or directory that did not answer gives the slot back (an outage never locks anyone out).
      const user = await lockout.guard(username, address, ctx.clock.now(), () => callBackend(backend, username, input.password, ctx, o.backendTimeoutMs));
      if (!user) {
        await lockout.failed(username, address, ctx.clock.now());
        throw new AuthError({
          kind: 'unauthenticated',
          reasonCode: 'invalid_credentials',
          publicCode: 'root.unauthenticated',
          message: 'The supplied authentication is invalid',
        });
      }
      await lockout.settle(username, address);
      const loginState = input.login_state;
      return {
        kind: 'authenticated',
        subject: { type: 'user', id: user.userId, claims: user.claims },
        token,
        audit: { backend: backend.name, redirect: loginState?.path !== undefined, ...user.audit },
        reply: (issued): Reply => {
          const body = { token: issued.token, session_expiration_time: formatEceTime(issued.expiresAt) };
          if (loginState?.path === undefined) return { status: 200, body };
          return { status: 302, headers: { location: ssoRedirectLocation(issued.token, loginState) } };
        },
      };
    },
  });
}
