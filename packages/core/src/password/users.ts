/**
 * Creating password users and setting passwords: the one place that normalises usernames/emails and
 * hashes with argon2id before anything reaches `stores.users`.
 */
import { AuthError, type ValidationIssue } from '../errors/auth-error.js';
import type { NewUser, Stores, User } from '../stores/ports.js';
import { hashPassword, type Argon2Params } from './argon2.js';
import { DEFAULT_PASSWORD_POLICY, passwordPolicyIssue, type PasswordPolicy } from './policy.js';
import { MAX_USERNAME_LENGTH, normaliseEmail, normaliseUsername } from './username.js';

/** Longest email accepted (RFC 5321's path limit). */
export const MAX_EMAIL_LENGTH = 320;

export interface CreatePasswordUserInput
  extends Partial<Omit<NewUser, 'username' | 'email' | 'displayName' | 'passwordHash' | 'passwordChangedAt'>> {
  /** Any form; stored normalised (see `normaliseUsername`). */
  username: string;
  /** Plain text; only its argon2id hash is stored. */
  password: string;
  /** Stored normalised (NFKC, trimmed, lower case). */
  email?: string | null;
  /** Defaults to the username as typed (NFKC, trimmed). */
  displayName?: string;
}

export interface PasswordWriteOptions {
  /** From the injected clock: becomes `createdAt` / `passwordChangedAt`. */
  now: Date;
  /** argon2id parameters; `DEFAULT_ARGON2` when omitted. */
  params?: Argon2Params;
  /** What a new password must satisfy; `DEFAULT_PASSWORD_POLICY` (NIST 800-63B) when omitted. */
  policy?: PasswordPolicy;
}

/** Creates a user with an argon2id password hash. Throws validation errors naming the field; `user_exists` on duplicates. */
export async function createPasswordUser(
  stores: Pick<Stores, 'users'>,
  input: CreatePasswordUserInput,
  options: PasswordWriteOptions,
): Promise<User> {
  const { username: rawUsername, password, email: rawEmail, displayName, ...rest } = input;
  const issues: ValidationIssue[] = [];
  const username = typeof rawUsername === 'string' ? normaliseUsername(rawUsername) : '';
  if (username.length === 0 || username.length > MAX_USERNAME_LENGTH) {
    issues.push({ path: 'username', message: `must be 1 to ${MAX_USERNAME_LENGTH} characters`, code: 'invalid_username' });
  }
  const email = rawEmail == null ? null : normaliseEmail(rawEmail);
  const passwordIssue = await passwordPolicyIssue(password, options.policy ?? DEFAULT_PASSWORD_POLICY, [username, email]);
  if (passwordIssue) issues.push(passwordIssue);
  if (email !== null && !isPlausibleEmail(email)) issues.push({ path: 'email', message: 'must be an email address', code: 'invalid_email' });
  if (issues.length) throw invalid(issues);
  const passwordHash = await hashPassword(password, options.params);
  return stores.users.create(
    {
      ...rest,
      username,
      email,
      displayName: displayName ?? rawUsername.normalize('NFKC').trim(),
      passwordHash,
      passwordChangedAt: options.now,
    },
    options.now,
  );
}

/**
 * Replaces a user's password (argon2id), stamps `passwordChangedAt` and clears `requireResetPassword`
 * unless told otherwise. Throws not_found (`user_not_found`) for an unknown user.
 */
export async function setUserPassword(
  stores: Pick<Stores, 'users'>,
  userId: string,
  password: string,
  options: PasswordWriteOptions & { requireResetPassword?: boolean },
): Promise<User> {
  const current = await stores.users.getById(userId);
  if (!current) throw new AuthError({ kind: 'not_found', reasonCode: 'user_not_found', message: 'User not found' });
  const issue = await passwordPolicyIssue(password, options.policy ?? DEFAULT_PASSWORD_POLICY, [current.username, current.email]);
  if (issue) throw invalid([issue]);
  const passwordHash = await hashPassword(password, options.params);
  const user = await stores.users.update(userId, {
    passwordHash,
    passwordChangedAt: options.now,
    requireResetPassword: options.requireResetPassword ?? false,
  });
  if (!user) throw new AuthError({ kind: 'not_found', reasonCode: 'user_not_found', message: 'User not found' });
  return user;
}

/** Deliberately loose: one `@`, something either side, no whitespace or control characters. */
function isPlausibleEmail(email: string): boolean {
  return email.length <= MAX_EMAIL_LENGTH && /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+$/u.test(email);
}

function invalid(issues: ValidationIssue[]): AuthError {
  return new AuthError({
    kind: 'validation',
    reasonCode: 'invalid_user',
    message: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    issues,
    fields: issues.map((i) => i.path),
  });
}
