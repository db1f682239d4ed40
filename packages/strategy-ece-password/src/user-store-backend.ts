/**
 * The default backend: users in `stores.users` with argon2id hashes. Unknown users are checked against a
 * real dummy hash and disabled users only after the hash check, so neither costs less time than a
 * wrong password; hashes made with other parameters are replaced on a successful login.
 */
import { DEFAULT_ARGON2, PasswordVerifier, type Argon2Params } from '@gatehouse-auth/core/password';
import type { AuthenticationBackend } from './backend.js';

export interface UserStoreBackendOptions {
  /** Parameters of the dummy hash and of rehashing; `DEFAULT_ARGON2` (19 MiB, t=2, p=1) by default. */
  argon2?: Argon2Params;
}

export interface UserStoreBackend extends AuthenticationBackend {
  /** Computes the dummy hash ahead of the first login (the factory already starts it). */
  prepare(): Promise<void>;
}

export function userStoreBackend(options: UserStoreBackendOptions = {}): UserStoreBackend {
  const verifier = new PasswordVerifier(options.argon2 ?? DEFAULT_ARGON2);
  // Start the dummy hash now so the first unknown-user login costs the same as any other; a failure is
  // retried on first use.
  verifier.prepare().catch(() => undefined);
  return {
    name: 'user-store',
    prepare: () => verifier.prepare(),
    async authenticate(username, password, ctx) {
      const user = await ctx.stores.users.getByUsername(username);
      const result = await verifier.verify(user?.passwordHash ?? null, password);
      if (!result.ok || !user || user.disabled) return null;
      // Bookkeeping after the password was accepted: a store that fails here does not fail the login (the token
      // is issued through the store anyway, so a real outage still ends in a 503 there).
      try {
        await ctx.stores.users.update(user.id, {
          lastLoginAt: ctx.clock.now(),
          ...(result.rehash ? { passwordHash: result.rehash } : {}),
        });
      } catch (err) {
        ctx.logger.warn({ userId: user.id, err: { type: err instanceof Error ? err.name : typeof err } }, 'password accepted; recording the login on the user failed');
      }
      return { userId: user.id, claims: { username: user.username }, audit: { username: user.username, rehashed: result.rehash !== null } };
    },
  };
}
