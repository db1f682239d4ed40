/**
 * Schema hygiene, read from the request schema's JSON Schema (what the OpenAPI document and Fastify's route
 * schema also see): every string bounded, every array bounded, every field typed, and every object closed
 * to unknown properties unless the strategy declares it open (as a seed may: ECE's `login_state`).
 */
import { typesOf, type JsonSchema } from '../fuzz/index.js';

export interface HygieneProblem {
  /** `unbounded`: a string or array without a maximum; `untyped`: a field that accepts anything; `open`: an object that takes unknown properties. */
  kind: 'unbounded' | 'untyped' | 'open';
  /** Dotted path (`''` is the body itself, `[]` an array's items, `*` a record's values). */
  path: string;
  problem: string;
}

export const shown = (path: string) => (path === '' ? 'the body' : path);

/** Problems with a request schema; `openObjects` lists the object paths allowed to take unknown properties. */
export function schemaHygiene(root: JsonSchema, openObjects: readonly string[] = []): HygieneProblem[] {
  const problems: HygieneProblem[] = [];
  const open = new Set(openObjects);
  const walk = (schema: JsonSchema, path: string, depth: number, isField: boolean) => {
    if (depth > 16) return;
    const alternatives = [...((schema.anyOf ?? schema.oneOf ?? []) as JsonSchema[]), ...((schema.allOf ?? []) as JsonSchema[])];
    if (alternatives.length) {
      for (const alt of alternatives) walk(alt, path, depth + 1, isField);
      return;
    }
    const types = typesOf(schema);
    const constrained = Array.isArray(schema.enum) || schema.const !== undefined;
    if (types.length === 0 && !constrained && schema.not === undefined) {
      if (isField) problems.push({ kind: 'untyped', path, problem: 'accepts any value (z.any/z.unknown): give it a type and bounds' });
      return;
    }
    if (types.includes('string') && !constrained && typeof schema.maxLength !== 'number') {
      problems.push({ kind: 'unbounded', path, problem: 'string without a maximum length (.max(n)): a caller can send megabytes into it' });
    }
    if (types.includes('array')) {
      if (typeof schema.maxItems !== 'number') problems.push({ kind: 'unbounded', path, problem: 'array without a maximum number of items (.max(n))' });
      const items = schema.items as JsonSchema | undefined;
      if (items && typeof items === 'object') walk(items, path ? `${path}.[]` : '[]', depth + 1, true);
    }
    if (types.includes('object')) {
      const additional = schema.additionalProperties;
      if (additional !== false && !open.has(path)) {
        problems.push({
          kind: 'open',
          path,
          problem: `${shown(path)} accepts unknown properties: make it z.strictObject(...), or declare it in openObjects if its API says unknown properties are allowed`,
        });
      }
      const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
      for (const [name, child] of Object.entries(props)) walk(child, path ? `${path}.${name}` : name, depth + 1, true);
      // A record's values (or an open object's typed extras) need bounds like any field.
      if (additional && typeof additional === 'object' && Object.keys(additional).length > 0) walk(additional as JsonSchema, path ? `${path}.*` : '*', depth + 1, true);
    }
  };
  walk(root, '', 0, false);
  if (!typesOf(root).includes('object') && !((root.anyOf ?? root.oneOf) as unknown[] | undefined)?.length) {
    problems.unshift({ kind: 'untyped', path: '', problem: 'the request body is not an object schema' });
  }
  return problems;
}

/** Paths of every object the schema declares (`''` first), for the behavioural unknown-property check. */
export function objectPaths(root: JsonSchema): string[] {
  const out: string[] = [];
  const walk = (schema: JsonSchema, path: string, depth: number) => {
    if (depth > 16) return;
    for (const alt of [...((schema.anyOf ?? schema.oneOf ?? []) as JsonSchema[]), ...((schema.allOf ?? []) as JsonSchema[])]) walk(alt, path, depth + 1);
    if (typesOf(schema).includes('object') && !out.includes(path)) out.push(path);
    for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) walk(child, path ? `${path}.${name}` : name, depth + 1);
    const items = schema.items as JsonSchema | undefined;
    if (items && typeof items === 'object') walk(items, path ? `${path}.[]` : '[]', depth + 1);
  };
  walk(root, '', 0);
  return out;
}
