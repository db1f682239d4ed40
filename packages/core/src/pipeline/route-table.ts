/**
 * The pipeline's routes: exact paths, and path templates with `{name}` segments (`/identities/{identityId}`)
 * whose values reach the endpoint as `ctx.request.params`. Exact paths are one map lookup; templates are few
 * and matched segment by segment (a parameter is one non-empty segment, percent-decoded, at most 256 chars).
 */
export interface MatchedRoute<R> {
  route: R;
  params: Record<string, string>;
}

interface Template<R> {
  segments: (string | null)[];
  names: string[];
  method: string;
  route: R;
}

const PARAM = /^\{([A-Za-z][A-Za-z0-9_]*)\}$/;
const MAX_PARAM_LENGTH = 256;

export const isPathTemplate = (path: string) => path.includes('{');

export class RouteTable<R> {
  readonly #exact = new Map<string, R>();
  readonly #exactMethods = new Map<string, string[]>();
  readonly #templates: Template<R>[] = [];

  add(method: string, path: string, route: R): void {
    if (!isPathTemplate(path)) {
      this.#exact.set(`${method} ${path}`, route);
      this.#exactMethods.set(path, [...(this.#exactMethods.get(path) ?? []), method]);
      return;
    }
    const names: string[] = [];
    const segments = path.split('/').map((segment) => {
      const param = PARAM.exec(segment);
      if (!param) {
        if (segment.includes('{') || segment.includes('}')) throw new Error(`Bad path template ${path}: a parameter is a whole segment, {name}`);
        return segment;
      }
      names.push(param[1]!);
      return null;
    });
    this.#templates.push({ segments, names, method, route });
  }

  find(method: string, path: string): MatchedRoute<R> | undefined {
    const exact = this.#exact.get(`${method} ${path}`);
    if (exact) return { route: exact, params: {} };
    if (this.#templates.length === 0) return undefined;
    const parts = path.split('/');
    for (const t of this.#templates) {
      if (t.method !== method) continue;
      const params = matchTemplate(t, parts);
      if (params) return { route: t.route, params };
    }
    return undefined;
  }

  /** The methods served at a path (for 405 and `Allow`), or undefined when no route has it. */
  methodsAt(path: string): string[] | undefined {
    const exact = this.#exactMethods.get(path);
    if (exact) return exact;
    const parts = path.split('/');
    const methods = this.#templates.filter((t) => matchTemplate(t, parts)).map((t) => t.method);
    return methods.length ? methods : undefined;
  }
}

function matchTemplate(t: Template<unknown>, parts: string[]): Record<string, string> | null {
  if (parts.length !== t.segments.length) return null;
  const params: Record<string, string> = {};
  let n = 0;
  for (let i = 0; i < parts.length; i++) {
    const expected = t.segments[i];
    const part = parts[i]!;
    if (expected !== null) {
      if (expected !== part) return null;
      continue;
    }
    if (part.length === 0 || part.length > MAX_PARAM_LENGTH * 3) return null;
    let value: string;
    try {
      value = decodeURIComponent(part);
    } catch {
      return null;
    }
    if (value.length > MAX_PARAM_LENGTH || value.includes('/')) return null;
    params[t.names[n++]!] = value;
  }
  return params;
}
