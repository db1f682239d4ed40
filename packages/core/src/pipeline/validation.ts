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

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, prefix?: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, prefix);
  return result.data;
}
