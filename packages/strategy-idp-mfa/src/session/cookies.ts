/** The three cookies of a web login, as Bytebase's frontend reads them. */
import type { Cookie, StrategyContext } from '@gatehouse-auth/core';

export const ACCESS_TOKEN_COOKIE = 'access-token';
export const REFRESH_TOKEN_COOKIE = 'refresh-token';
export const USER_COOKIE = 'user';

/**
 * `Secure` when configured `always`, else when the client used https — `ctx.request.protocol` already honours
 * a trusted TLS-terminating proxy's `X-Forwarded-Proto`, so cookies behind such a proxy are `Secure` too.
 */
export function sessionCookies(
  ctx: StrategyContext,
  secure: 'always' | 'auto',
  input: { accessToken: string; accessTokenMaxAge: number; refreshToken: string; refreshTokenMaxAge: number; userName: string },
): Cookie[] {
  const base = { secure: secure === 'always' || ctx.request.protocol === 'https', sameSite: 'strict' as const, path: '/' };
  return [
    { name: ACCESS_TOKEN_COOKIE, value: input.accessToken, httpOnly: true, maxAge: input.accessTokenMaxAge, ...base },
    { name: REFRESH_TOKEN_COOKIE, value: input.refreshToken, httpOnly: true, maxAge: input.refreshTokenMaxAge, ...base },
    // Readable by the page on purpose: the frontend shows who is logged in. Holds no secret.
    { name: USER_COOKIE, value: input.userName, httpOnly: false, maxAge: input.refreshTokenMaxAge, ...base },
  ];
}
