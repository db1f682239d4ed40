import type { z } from 'zod';
import { AuthError, type ValidationIssue } from '../errors/auth-error.js';

/** Turns a zod failure into a public validation error. Never echoes the input values. */
export function validationError(error: z.ZodError, prefix?: string): AuthError {
  const issues: ValidationIssue[] = error.issues.slice(0, 50).map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== undefined && p !== '').join('.');
    // Unknown keys are reported under their own names so `fields` points at them.
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as { keys?: string[] }).keys ?? [];
      return { path: [path, keys[0]].filter(Boolean).join('.'), message: `Unrecognized key(s): ${keys.slice(0, 5).map((k) => k.slice(0, 64)).join(', ')}`, code: issue.code };
    }
    return { path, message: issue.message, code: issue.code };
  });
  return new AuthError({
    kind: 'validation',
    reasonCode: 'schema_validation_failed',
    message: issues[0] ? `${issues[0].path || 'body'}: ${issues[0].message}` : 'Invalid request',
    issues,
    fields: [...new Set(issues.map((i) => i.path).filter(Boolean))],
  });
}

/** Deeper than any schema of ours; the body parser bounds the size, this bounds the walk. */
const MAX_WALK_DEPTH = 64;

/**
 * Characters no store can hold: U+0000 (PostgreSQL text refuses it) and unpaired UTF-16 surrogates (no
 * UTF-8 form). One rule for every route, before any schema or strategy sees the input, so a field no
 * strategy thought about cannot carry them to a database either.
 */
export function isStorableString(s: string): boolean {
  return !s.includes('\u0000') && (s as string & WellFormed).isWellFormed();
}

/** ES2024 string methods (in every Node we support; TypeScript's ES2023 lib does not declare them). */
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** Path of the first string (value or key) that `isStorableString` refuses, or null. Iterative: no recursion on hostile nesting. */
export function findUnstorableString(value: unknown): string | null {
  const stack: [unknown, string[]][] = [[value, []]];
  while (stack.length) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') {
      if (!isStorableString(node)) return path.join('.');
      continue;
    }
    if (node === null || typeof node !== 'object' || path.length >= MAX_WALK_DEPTH) continue;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], [...path, String(i)]]);
      continue;
    }
    for (const key of Object.keys(node)) {
      // A key is reported by a readable stand-in: the offending characters are never echoed.
      if (!isStorableString(key)) return [...path, (key.replace(/\u0000/g, '\uFFFD') as string & WellFormed).toWellFormed().slice(0, 64)].join('.');
      stack.push([(node as Record<string, unknown>)[key], [...path, key]]);
    }
  }
  return null;
}

/**
 * True when some string (value or key) in `value` is one `isStorableString` refuses. Recursive, depth-bounded as
 * `findUnstorableString` is, and allocation-free: every request body goes through it, and almost none fail.
 */
function hasUnstorableString(node: unknown, depth: number): boolean {
  if (typeof node === 'string') return !isStorableString(node);
  if (node === null || typeof node !== 'object' || depth >= MAX_WALK_DEPTH) return false;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) if (hasUnstorableString(node[i], depth + 1)) return true;
    return false;
  }
  for (const key in node) {
    if (!Object.hasOwn(node, key)) continue;
    if (!isStorableString(key) || hasUnstorableString((node as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

/** Refuses input carrying characters no store can hold, as a validation error naming the field. */
export function assertStorableInput(value: unknown): void {
  if (!hasUnstorableString(value, 0)) return;
  const path = findUnstorableString(value);
  if (path === null) return;
  const issues: ValidationIssue[] = [{ path, message: 'must not contain NUL or unpaired surrogate characters', code: 'invalid_characters' }];
  throw new AuthError({
    kind: 'validation',
    reasonCode: 'unstorable_characters',
    message: `${path || 'body'}: ${issues[0]!.message}`,
    issues,
    fields: path ? [path] : [],
  });
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, prefix?: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, prefix);
  return result.data;
}
