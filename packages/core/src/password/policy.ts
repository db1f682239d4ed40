/**
 * The password policy of NIST SP 800-63B §5.1.1.2: a length floor, a generous ceiling, no composition rules,
 * and a check against passwords known to be common (and against the account's own names). Applied on every
 * path that sets a password (`createPasswordUser`, `setUserPassword`); login never applies it, so a stored
 * password that predates a stricter policy still works.
 *
 * The common-password list is `@zxcvbn-ts/language-common`'s (about 49,000 passwords from breach corpora):
 * a maintained list rather than one of our own. Loaded on first use, once.
 */
import type { ValidationIssue } from '../errors/auth-error.js';
import { MAX_PASSWORD_BYTES } from './argon2.js';

export interface PasswordPolicy {
  /** Fewest characters (Unicode code points). NIST: at least 8. */
  minLength: number;
  /** Refuse passwords in the common-password list, and the account's own username or email. */
  rejectCommon: boolean;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 8, rejectCommon: true };

/** The floor a configured policy may not go below (NIST's 8 would be the honest one; 6 for legacy imports). */
export const MIN_PASSWORD_LENGTH_FLOOR = 6;

let common: Promise<ReadonlySet<string>> | null = null;

function commonPasswords(): Promise<ReadonlySet<string>> {
  common ??= import('@zxcvbn-ts/language-common').then((m) => {
    const list = (m.dictionary as Record<string, unknown>)['passwords-common'];
    if (!Array.isArray(list)) throw new Error('@zxcvbn-ts/language-common: no passwords-common list');
    return new Set(list.map((p) => String(p).normalize('NFKC').toLowerCase()));
  });
  return common;
}

const comparable = (s: string) => s.normalize('NFKC').trim().toLowerCase();

/**
 * The first way `password` breaks the policy, as a validation issue on `password`, or null. `context` holds
 * the account's own names (username, email): a password equal to one of them is refused too.
 */
export async function passwordPolicyIssue(password: unknown, policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY, context: (string | null | undefined)[] = []): Promise<ValidationIssue | null> {
  const issue = (message: string, code: string): ValidationIssue => ({ path: 'password', message, code });
  if (typeof password !== 'string' || password.length === 0) return issue('must be a non-empty string', 'invalid_password');
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return issue(`must be at most ${MAX_PASSWORD_BYTES} bytes`, 'password_too_long');
  const minLength = Math.max(policy.minLength, MIN_PASSWORD_LENGTH_FLOOR);
  if ([...password].length < minLength) return issue(`must be at least ${minLength} characters`, 'password_too_short');
  if (!policy.rejectCommon) return null;
  const candidate = comparable(password);
  const own = context.filter((c): c is string => typeof c === 'string' && c.length > 0).flatMap((c) => [comparable(c), comparable(c.split('@')[0]!)]);
  if (own.includes(candidate)) return issue('must not be the username or email', 'password_is_username');
  if ((await commonPasswords()).has(candidate)) return issue('is a commonly used password; choose another', 'password_too_common');
  return null;
}
