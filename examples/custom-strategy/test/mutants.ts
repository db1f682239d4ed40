/**
 * Bugs planted in copies of src/signed-request-strategy.ts, one class each: the ones a plugin author tried
 * against the old kit (which caught 5 of 12), plus the 2025 auth CVE classes. Each names the kit check(s)
 * meant to catch it, by the start of the check's title.
 */
export interface Mutant {
  name: string;
  /** The class of bug, as a reviewer would file it. */
  bugClass: string;
  /** Exact `[find, replace]` edits on the strategy's source; each `find` must occur exactly once. */
  edits: [string, string][];
  /** Title prefixes of the kit checks that must fail (at least one of them). */
  caughtBy: string[];
}

const LOOKUP = 'const method = await ctx.stores.identities.getMethod(input.identityId, SIGNED_REQUEST_METHOD);';

export const MUTANTS: Mutant[] = [
  {
    name: 'secret in the error message',
    bugClass: 'the 401 body quotes the identity secret',
    edits: [["'Invalid signature');", '`Invalid signature (expected an HMAC-SHA256 with key ${secret})`);']],
    caughtBy: ['wrong credentials:', 'secrets:'],
  },
  {
    name: 'secret in the success body',
    bugClass: 'a token claim carries the identity secret',
    edits: [["subject: { type: 'identity', id: method.identityId },", "subject: { type: 'identity', id: method.identityId, claims: { signingKey: secret } },"]],
    caughtBy: ['success:', 'secrets:'],
  },
  {
    name: 'secret in a log line',
    bugClass: 'a debug log line carries the identity secret',
    edits: [[LOOKUP, `${LOOKUP}\n      ctx.logger.debug({ identityId: input.identityId, key: method ? (method.config as SignedRequestConfig).secret : null }, 'verifying signature');`]],
    caughtBy: ['secrets:'],
  },
  {
    name: 'TypeError on null in an optional field',
    bugClass: 'the schema admits null for the optional label, and the code calls a method on it',
    edits: [['label: z.string().max(64).optional(),', 'label: z.string().max(64).nullish(),']],
    caughtBy: ['hostile input: every hostile value class'],
  },
  {
    name: 'unbounded string field',
    bugClass: 'the label has no maximum length',
    edits: [['label: z.string().max(64).optional(),', 'label: z.string().optional(),']],
    caughtBy: ['schema hygiene: every string has a maximum length'],
  },
  {
    name: 'missing replay check',
    bugClass: 'the nonce is recorded but the result is ignored, so a captured body logs in again',
    edits: [["if (!fresh) throw refused('nonce_replayed', 'This nonce was already used; sign a fresh request');", 'void fresh;']],
    caughtBy: ['single use:'],
  },
  {
    name: 'missing timestamp window',
    bugClass: 'the timestamp is parsed but never compared with the clock',
    edits: [['if (Math.abs(now.getTime() - signedAt) > SIGNED_REQUEST_WINDOW_SECONDS * 1000) {', 'if (Number.isNaN(signedAt)) {']],
    caughtBy: ['time window:'],
  },
  {
    name: 'non-constant-time comparison',
    bugClass: 'the signature is compared as hex strings with ===',
    edits: [["const matches = timingSafeEqual(signWith(secret, input), Buffer.from(input.signature, 'hex'));", "const matches = signWith(secret, input).toString('hex') === input.signature;"]],
    caughtBy: ['constant-time comparison:'],
  },
  {
    name: 'lockout bypass by case and whitespace',
    bugClass: 'ids are looked up case- and whitespace-insensitively but failures are counted per spelling (Vault CVE-2025-6004)',
    edits: [[LOOKUP, "const method = await ctx.stores.identities.getMethod(input.identityId.normalize('NFKC').trim().toLowerCase(), SIGNED_REQUEST_METHOD);"]],
    caughtBy: ['identifier: failures spread over every spelling'],
  },
  {
    name: 'enumeration by response difference',
    bugClass: 'an unknown identity is a 404 while a wrong signature is a 401 (Vault CVE-2025-6011 class)',
    edits: [[LOOKUP, `${LOOKUP}\n      if (!method) throw new AuthError({ kind: 'not_found', reasonCode: 'identity_not_found', message: 'Identity not found' });`]],
    caughtBy: ['enumeration: an unknown identifier and a wrong secret get identical responses'],
  },
  {
    name: 'enumeration by skipped work',
    bugClass: 'an unknown identity is refused with the same answer but without the HMAC, the comparison or the failure count',
    edits: [[LOOKUP, `${LOOKUP}\n      if (!method) throw refused('identity_unknown', 'Invalid signature');`]],
    caughtBy: ['constant-time comparison:', 'enumeration: an unknown identifier and a wrong secret take the same time'],
  },
];
