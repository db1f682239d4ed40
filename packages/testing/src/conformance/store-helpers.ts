/**
 * The public face of a store error, for comparison: kind and reasonCode of an `AuthError`, checked by shape
 * (not `instanceof`) so a store built against another copy of @gatehouse-auth/core still passes.
 */
export function storeErrorShape(err: unknown): { kind: unknown; reasonCode: unknown } | { notAnAuthError: string } {
  if (err && typeof err === 'object' && (err as { name?: unknown }).name === 'AuthError') {
    const e = err as { kind?: unknown; reasonCode?: unknown };
    return { kind: e.kind, reasonCode: e.reasonCode };
  }
  return { notAnAuthError: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
}
