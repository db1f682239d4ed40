/** What an IdP login proves, after the IdP's answers have been validated. */
export interface IdpIdentity {
  /** Stable subject at the IdP (`sub`, or the configured claim). */
  subject: string;
  email: string | null;
  name: string | null;
  /** From `email_verified` when the IdP says; null when it does not. */
  emailVerified: boolean | null;
}

const MAX_CLAIM_LENGTH = 320;

export function stringClaim(value: unknown): string | null {
  if (typeof value === 'string' && value.length > 0 && value.length <= MAX_CLAIM_LENGTH) return value;
  return null;
}

export function subjectClaim(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return stringClaim(value);
}

/** Some IdPs (Cognito) send `"true"` as a string. */
export function booleanClaim(value: unknown): boolean | null {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return null;
}
