/**
 * argon2id PHC hashes via `@node-rs/argon2` (prebuilt binaries, no install scripts).
 */
import type { Algorithm } from '@node-rs/argon2';
import type * as Argon2 from '@node-rs/argon2';

/** Loaded on the first hash: a process without password logins (or before its first one) does not pay for it. */
let argon2: Promise<typeof Argon2> | undefined;
const loadArgon2 = () => (argon2 ??= import('@node-rs/argon2'));

// `Algorithm` is an ambient const enum (not importable as a value under verbatimModuleSyntax); 2 = Argon2id.
const ARGON2ID = 2 as Algorithm;

export interface Argon2Params {
  /** KiB. OWASP's argon2id minimum: 19 MiB, t=2, p=1. */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const DEFAULT_ARGON2: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** Longest password accepted (bytes): argon2 handles more, but hashing megabytes is a DoS lever. */
export const MAX_PASSWORD_BYTES = 1024;

export async function hashPassword(password: string, params: Argon2Params = DEFAULT_ARGON2): Promise<string> {
  const { hash } = await loadArgon2();
  return hash(password, { algorithm: ARGON2ID, ...params });
}

/** Constant-time inside argon2; false (not a throw) for malformed hashes. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  const { verify } = await loadArgon2();
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

/** True when the PHC string was made with other parameters (or another algorithm) than `params`. */
export function needsRehash(phc: string, params: Argon2Params = DEFAULT_ARGON2): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(phc);
  if (!m) return true;
  return Number(m[1]) !== params.memoryCost || Number(m[2]) !== params.timeCost || Number(m[3]) !== params.parallelism;
}
