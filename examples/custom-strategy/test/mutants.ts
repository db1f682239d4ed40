/**
 * Bugs planted in copies of src/signed-request-strategy.ts, one class each: the ones a plugin author tried
 * against the old kit (which caught 5 of 12), plus the 2025 auth CVE classes. Each names the kit check(s)
 * meant to catch it, by the start of the check's title.
 */
export interface Mutant {
  name: string;
  /** Instead of edits: a complete kit test file under test/controls/, run as is. */
  control?: string;
  /** The class of bug, as a reviewer would file it. */
  bugClass: string;
  /** Exact `[find, replace]` edits on the strategy's source; each `find` must occur exactly once. */
  edits: [string, string][];
  /** Title prefixes of the kit checks that must fail (at least one of them). */
  caughtBy: string[];
  /**
   * Set for classes only a declaration makes visible (replay, time window, lockout, enumeration, comparison):
   * every check that fails is a declared-property check, so without the declaration the kit would pass it.
   */
  needsDeclaration?: boolean;
  /** Text every failing check's message must contain (for controls that fail the whole suite). */
  messageIncludes?: string;
  /** A pattern no failure message may match (the kit must not print the secret it found). */
  messagesExclude?: RegExp;
}

/** Title prefixes of the checks that test a declaration. */
export const DECLARATION_CHECKS = ['single use:', 'time window:', 'identifier:', 'enumeration:', 'constant-time comparison:'];

const CLAIM = 'const fresh = await ctx.stores.replay.claim(NONCE_NAMESPACE, `${input.identityId}:${input.nonce}`, new Date(signedAt + (SIGNED_REQUEST_WINDOW_SECONDS + 1) * 1000), now);';
const LOOKUP = 'const method = await ctx.stores.identities.getMethod(input.identityId, SIGNED_REQUEST_METHOD);';

export const MUTANTS: Mutant[] = [
  {
    name: 'secret in the error message',
    bugClass: 'the 401 body quotes the identity secret',
    edits: [["'Invalid signature');", '`Invalid signature (expected an HMAC-SHA256 with key ${secret})`);']],
    caughtBy: ['wrong credentials:', 'secrets:'],
    // The enumeration check fails too, with a diff of the two answers: the secret in it must be redacted.
    messagesExclude: /with key [A-Za-z0-9_-]{43}/,
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
    needsDeclaration: true,
  },
  {
    name: 'replay check not atomic',
    bugClass: 'the nonce is checked, then recorded, in two steps: concurrent copies of one body all pass the check',
    edits: [
      [
        CLAIM,
        'const nonceKey = `nonce:${input.identityId}:${input.nonce}`;\n      const fresh = (await ctx.stores.limiter.peek(nonceKey, now)) === null;\n      await ctx.stores.limiter.hit(nonceKey, (SIGNED_REQUEST_WINDOW_SECONDS + 1) * 1000, now);',
      ],
    ],
    caughtBy: ['single use:'],
    needsDeclaration: true,
    messageIncludes: 'concurrent copies logged in',
  },
  {
    name: 'missing timestamp window',
    bugClass: 'the timestamp is parsed but never compared with the clock',
    edits: [['if (Math.abs(now.getTime() - signedAt) > SIGNED_REQUEST_WINDOW_SECONDS * 1000) {', 'if (Number.isNaN(signedAt)) {']],
    caughtBy: ['time window:'],
    needsDeclaration: true,
  },
  {
    name: 'time read from Date.now()',
    bugClass: 'the window is checked against the wall clock, not ctx.clock, so no test can move it',
    edits: [['const now = ctx.clock.now();', 'const now = new Date();']],
    caughtBy: ['time window:'],
    needsDeclaration: true,
  },
  {
    name: 'non-constant-time comparison',
    bugClass: 'the signature is compared as hex strings with ===',
    edits: [["const matches = timingSafeEqual(signWith(secret, input), Buffer.from(input.signature, 'hex'));", "const matches = signWith(secret, input).toString('hex') === input.signature;"]],
    caughtBy: ['constant-time comparison:'],
    needsDeclaration: true,
  },
  {
    name: 'lockout bypass by case and whitespace',
    bugClass: 'ids are looked up case- and whitespace-insensitively but failures are counted per spelling (Vault CVE-2025-6004)',
    edits: [[LOOKUP, "const method = await ctx.stores.identities.getMethod(input.identityId.normalize('NFKC').trim().toLowerCase(), SIGNED_REQUEST_METHOD);"]],
    caughtBy: ['identifier: failures spread over every spelling'],
    needsDeclaration: true,
  },
  {
    name: 'one account, several subjects',
    bugClass: 'ids are looked up case-insensitively, but the token names the spelling sent: revoking the account misses the other spellings',
    edits: [
      [LOOKUP, "const method = await ctx.stores.identities.getMethod(input.identityId.toLowerCase(), SIGNED_REQUEST_METHOD);"],
      ["subject: { type: 'identity', id: method.identityId },", "subject: { type: 'identity', id: input.identityId },"],
    ],
    caughtBy: ['identifier: case, whitespace and NFKC spellings'],
    needsDeclaration: true,
  },
  {
    name: 'enumeration by response difference',
    bugClass: 'an unknown identity is a 404 while a wrong signature is a 401 (Vault CVE-2025-6011 class)',
    edits: [[LOOKUP, `${LOOKUP}\n      if (!method) throw new AuthError({ kind: 'not_found', reasonCode: 'identity_not_found', message: 'Identity not found' });`]],
    caughtBy: ['enumeration: an unknown identifier and a wrong secret get identical responses'],
    needsDeclaration: true,
  },
  {
    name: 'enumeration by skipped work',
    bugClass: 'an unknown identity is refused with the same answer but without the HMAC, the comparison or the failure count',
    edits: [[LOOKUP, `${LOOKUP}\n      if (!method) throw refused('identity_unknown', 'Invalid signature');`]],
    caughtBy: ['constant-time comparison:', 'enumeration: an unknown identifier and a wrong secret take the same time'],
    needsDeclaration: true,
  },
];

/**
 * Controls that are not copies of the example: a class whose only symptom the example cannot produce. The
 * example's unknown-identity path skips microseconds at most (and its constant-time probe catches that); a
 * skipped password hash is the timing leak the statistics are there for.
 */
export const CONTROLS: Mutant[] = [
  {
    name: 'enumeration by timing (no dummy hash)',
    bugClass: 'a password strategy answers an unknown user like a wrong password but skips the hash for it (Vault CVE-2025-6011 class)',
    control: 'password-without-dummy-hash.kit.ts',
    edits: [],
    caughtBy: ['enumeration: an unknown identifier and a wrong secret take the same time'],
    needsDeclaration: true,
  },
  {
    name: 'a declaration naming a field the schema lacks',
    bugClass: 'a mistake in the test, not the strategy: timeWindow.field says "ts", the body calls it "timestamp"',
    control: 'misnamed-declaration.kit.ts',
    edits: [],
    caughtBy: ['contract:', 'success:', 'time window:'],
    messageIncludes: 'declares.timeWindow.field names "ts", which the request schema does not declare',
  },
];
