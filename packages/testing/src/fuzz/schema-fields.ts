/**
 * What a request schema declares, read from its JSON Schema (zod's own `toJSONSchema`): every property at
 * every depth, optional ones included, with the constraints a generator can use. Refinements zod cannot
 * express in JSON Schema are simply absent (the generators then go wide instead of narrow).
 */
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/** The JSON Schema of a zod request schema, as input (defaults optional). */
export function inputJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
}

export interface SchemaField {
  /** Dotted path, `[]` for array items: `login_state.path`, `headers.authorization`, `items.[]`. */
  path: string;
  schema: JsonSchema;
  required: boolean;
}

/** Every property the schema declares, depth first (bounded: hostile schemas are not our input, but cycles are). */
export function schemaFields(root: JsonSchema, maxDepth = 8): SchemaField[] {
  const out: SchemaField[] = [];
  const walk = (schema: JsonSchema, prefix: string, depth: number) => {
    if (depth > maxDepth) return;
    for (const variant of variantsOf(schema)) {
      const props = variant.properties as Record<string, JsonSchema> | undefined;
      const required = new Set((variant.required as string[] | undefined) ?? []);
      for (const [name, child] of Object.entries(props ?? {})) {
        const path = prefix ? `${prefix}.${name}` : name;
        if (!out.some((f) => f.path === path)) out.push({ path, schema: child, required: required.has(name) });
        walk(child, path, depth + 1);
      }
      const items = variant.items as JsonSchema | undefined;
      if (items && typeof items === 'object') walk(items, prefix ? `${prefix}.[]` : '[]', depth + 1);
    }
  };
  walk(root, '', 0);
  return out;
}

/** The alternatives of a schema (`anyOf`/`oneOf`), or the schema itself. */
export function variantsOf(schema: JsonSchema): JsonSchema[] {
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  return Array.isArray(alternatives) && alternatives.length ? alternatives.flatMap(variantsOf) : [schema];
}

/** The JSON types a schema admits (`type` may be a string or a list; absent means any). */
export function typesOf(schema: JsonSchema): string[] {
  const t = schema.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  if (Array.isArray(schema.enum)) return [...new Set((schema.enum as unknown[]).map((v) => (v === null ? 'null' : typeof v)))];
  if (schema.const !== undefined) return [schema.const === null ? 'null' : typeof schema.const];
  return [];
}
