import type { Gatehouse } from '../runtime/container.js';

/**
 * API families whose whole namespace belongs to Gatehouse once one of its routes lives there: an unknown
 * path under them is answered by the core (404 in the default dialect), not by the framework's own page.
 * `/.well-known/` is never claimed wholesale: other tools publish documents there.
 */
export const GATEHOUSE_FAMILIES = ['/api/v1/auth/', '/api/v1/users/auth/', '/v1/auth/', '/api/v1/identities/', '/api/v1/admin/'] as const;

/**
 * The path prefixes an adapter answers for: each family that holds a route, and for routes outside the
 * families their parent directory (never `/` or `/.well-known/`).
 */
export function routePrefixes(gatehouse: Pick<Gatehouse, 'routes'>): string[] {
  const prefixes = new Set<string>();
  for (const { path } of gatehouse.routes()) {
    // A family's own root (`/api/v1/identities`) belongs to it too.
    const family = GATEHOUSE_FAMILIES.find((f) => path.startsWith(f) || `${path}/` === f);
    if (family) {
      prefixes.add(family);
      continue;
    }
    const parent = path.slice(0, path.lastIndexOf('/') + 1);
    if (parent !== '/' && parent !== '/.well-known/') prefixes.add(parent);
  }
  return [...prefixes];
}

export interface RouteMatcher {
  /** A route Gatehouse serves (any method: the core answers 405 for the wrong one). */
  owns(path: string): boolean;
  /** Owned, or under one of the prefixes: the core answers (404 for unknown routes). */
  answers(path: string): boolean;
  readonly prefixes: readonly string[];
}

export function routeMatcher(gatehouse: Pick<Gatehouse, 'routes' | 'ownsPath'>, prefixes: readonly string[] = routePrefixes(gatehouse)): RouteMatcher {
  return {
    prefixes,
    owns: (path) => gatehouse.ownsPath(path),
    answers: (path) => gatehouse.ownsPath(path) || prefixes.some((p) => path.startsWith(p)),
  };
}

/** A route path as Express-style routers write it: `{name}` segments become `:name` (Fastify, `@koa/router`). */
export function frameworkPath(path: string): string {
  return path.replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, ':$1');
}
