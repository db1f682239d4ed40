/**
 * Alibaba Cloud RAM ARNs: parsing what STS says about a caller, parsing the patterns an operator allows,
 * and deciding whether one matches the other.
 *
 * Role names are compared case-insensitively: RAM shows role ARNs lower-cased (`role/aliyunserviceroleforecs`
 * for `AliyunServiceRoleForECS`), so two roles can never differ only by case, and an operator may paste
 * either spelling. Account ids, user names and session names are compared exactly.
 */

export type CallerArnKind = 'user' | 'role' | 'assumed-role' | 'root';

export interface ParsedArn {
  accountId: string;
  kind: CallerArnKind;
  /** User or role name. */
  name?: string;
  /** Session name of an assumed role. */
  session?: string;
}

export interface ArnPattern {
  /** The pattern as configured. */
  raw: string;
  /** Canonical form (role names lower-cased), without the trailing `*` for wildcards. */
  canonical: string;
  /** True when the pattern ended in `*`: a prefix match on the canonical form. */
  wildcard: boolean;
}

const ACCOUNT = String.raw`\d{1,32}`;
const NAME = String.raw`[A-Za-z0-9._@-]{1,64}`;
const SESSION = String.raw`[A-Za-z0-9._@-]{1,64}`;
const NAME_PART = String.raw`[A-Za-z0-9._@-]{0,64}`;

const CALLER_ARN = new RegExp(
  `^acs:ram::(${ACCOUNT}):(?:user/(${NAME})|role/(${NAME})|assumed-role/(${NAME})/(${SESSION})|(root))$`,
);
const EXACT_PATTERN = new RegExp(`^acs:ram::(${ACCOUNT}):(?:user/${NAME}|role/${NAME}|assumed-role/${NAME}/${SESSION})$`);
const WILDCARD_PATTERN = new RegExp(`^acs:ram::(${ACCOUNT}):([A-Za-z0-9._@/-]*)\\*$`);
const RESOURCE_PREFIX = new RegExp(`^(?:user/${NAME_PART}|role/${NAME_PART}|assumed-role/${NAME_PART}|assumed-role/${NAME}/${NAME_PART})$`);
const TYPE_WORDS = ['user/', 'role/', 'assumed-role/'];

export const ARN_PATTERN_HELP =
  'must be an Alibaba Cloud RAM ARN: acs:ram::<accountId>:user/<name>, role/<name> or assumed-role/<role>/<session>, optionally ending in a single *';

/** Parses the `Arn` STS returned; null when it is not a RAM principal ARN. */
export function parseCallerArn(arn: string): ParsedArn | null {
  const m = CALLER_ARN.exec(arn);
  if (!m) return null;
  const accountId = m[1]!;
  if (m[2] !== undefined) return { accountId, kind: 'user', name: m[2] };
  if (m[3] !== undefined) return { accountId, kind: 'role', name: m[3] };
  if (m[4] !== undefined) return { accountId, kind: 'assumed-role', name: m[4], session: m[5]! };
  return { accountId, kind: 'root' };
}

/** Parses an allowed-ARN pattern; null when malformed. A `*` is allowed only at the end, after the account. */
export function parseArnPattern(raw: string): ArnPattern | null {
  if (EXACT_PATTERN.test(raw)) {
    return { raw, canonical: canonicalArn(parseCallerArn(raw)!), wildcard: false };
  }
  const m = WILDCARD_PATTERN.exec(raw);
  if (!m) return null;
  const resource = m[2]!;
  const ok = resource === '' || TYPE_WORDS.some((w) => w.startsWith(resource)) || RESOURCE_PREFIX.test(resource);
  if (!ok) return null;
  return { raw, canonical: `acs:ram::${m[1]}:${canonicalResourcePrefix(resource)}`, wildcard: true };
}

/** The strings a caller can be matched as: its own ARN, and for an assumed role also the role's ARN. */
export function matchCandidates(caller: ParsedArn): string[] {
  const own = canonicalArn(caller);
  if (caller.kind !== 'assumed-role') return [own];
  return [own, canonicalArn({ accountId: caller.accountId, kind: 'role', name: caller.name! })];
}

export function arnMatches(caller: ParsedArn, pattern: ArnPattern): boolean {
  return matchCandidates(caller).some((c) => (pattern.wildcard ? c.startsWith(pattern.canonical) : c === pattern.canonical));
}

/** The first configured pattern the caller matches, or null. Malformed patterns never match. */
export function findAllowedArn(caller: ParsedArn, allowed: readonly string[]): string | null {
  for (const raw of allowed) {
    const pattern = parseArnPattern(raw);
    if (pattern && arnMatches(caller, pattern)) return raw;
  }
  return null;
}

function canonicalArn(arn: ParsedArn): string {
  const prefix = `acs:ram::${arn.accountId}:`;
  switch (arn.kind) {
    case 'user':
      return `${prefix}user/${arn.name}`;
    case 'role':
      return `${prefix}role/${arn.name!.toLowerCase()}`;
    case 'assumed-role':
      return `${prefix}assumed-role/${arn.name!.toLowerCase()}/${arn.session}`;
    case 'root':
      return `${prefix}root`;
  }
}

function canonicalResourcePrefix(resource: string): string {
  if (resource.startsWith('role/')) return `role/${resource.slice(5).toLowerCase()}`;
  if (resource.startsWith('assumed-role/')) {
    const rest = resource.slice(13);
    const slash = rest.indexOf('/');
    return slash === -1 ? `assumed-role/${rest.toLowerCase()}` : `assumed-role/${rest.slice(0, slash).toLowerCase()}${rest.slice(slash)}`;
  }
  return resource;
}
