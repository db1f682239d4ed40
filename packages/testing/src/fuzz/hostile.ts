/**
 * fast-check arbitraries for hostile input, derived from a request schema: for every declared field (optional
 * ones too, at every depth) values of the right type and the wrong one, strings no store can hold, strings at
 * and past their limit, huge strings, deep nesting, prototype keys.
 */
import fc from 'fast-check';
import { typesOf, variantsOf, type JsonSchema } from './schema-fields.js';

/** Strings that break naive code: NUL, lone surrogates, separators, injection classics, look-alikes. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDFFF',
  '\uDFFF\uD800',
  '\uFEFF',
  '\u202Eevil',
  '\t\r\n',
  '\r\nSet-Cookie: a=b',
  '../../../etc/passwd',
  '%00%2F%2Fevil.com',
  '//evil.com',
  '/\uFF0Fevil.com',
  "' OR 1=1 --",
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'ＡＤＭＩＮ',
  '🚀'.repeat(40),
  '9'.repeat(400),
];

/** Prototype-ish keys, as own JSON keys (never as object literal keys: those would set a prototype). */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'] as const;

export const nastyString = (): fc.Arbitrary<string> => fc.constantFrom(...NASTY_STRINGS);

/** Values of every JSON type, none of them what a field expects in particular. */
export const wrongTypeValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.integer(),
    fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 53, 0.5),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  );

/** JSON text nested `depth` levels deep, built without recursion (any depth). */
export function nestedJson(depth: number): string {
  return `${'[{"a":'.repeat(depth)}"leaf"${'}]'.repeat(depth)}`;
}

/** A value nested `depth` levels deep (arrays and objects alternating). */
export function nested(depth: number, leaf: unknown = 'leaf'): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? { a: v } : [v];
  return v;
}

/** 1 MiB of text: bigger than any body limit a server should have. */
export const HUGE_STRING = 'A'.repeat(1024 * 1024);

export const hostileValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: nastyString() },
    { weight: 4, arbitrary: wrongTypeValue() },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
    { weight: 1, arbitrary: fc.integer({ min: 16, max: 2_000 }).map((d) => nested(d)) },
    { weight: 1, arbitrary: fc.integer({ min: 256, max: 70_000 }).map((n) => 'x'.repeat(n)) },
  );

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : 64;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const options: fc.Arbitrary<string>[] = [fc.string({ minLength: Math.min(min, 64), maxLength: Math.min(max, 64) })];
  if (Array.isArray(schema.enum)) options.push(fc.constantFrom(...(schema.enum as unknown[]).filter((v): v is string => typeof v === 'string')));
  if (typeof schema.const === 'string') options.push(fc.constant(schema.const));
  // At the limit and one past it: off-by-one bugs live there.
  if (max <= 100_000) options.push(fc.constantFrom('a'.repeat(max), 'a'.repeat(max + 1)));
  if (typeof schema.pattern === 'string') {
    try {
      options.push(fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= max));
    } catch {
      // a pattern fast-check cannot generate from: the other options cover the field
    }
  }
  return fc.oneof(...options);
}

/** Real values by field path (an identity id that exists, a username…), mixed in so fuzzing reaches past lookups. */
export type KnownValues = Record<string, readonly unknown[]>;

/** A value for a schema: mostly plausible (right type, near the constraints), sometimes hostile. */
export function valueFor(schema: JsonSchema, depth = 0, path = '', known: KnownValues = {}): fc.Arbitrary<unknown> {
  const plausible: fc.Arbitrary<unknown>[] = [];
  for (const variant of variantsOf(schema)) {
    for (const type of typesOf(variant)) {
      switch (type) {
        case 'string':
          plausible.push(stringFor(variant));
          break;
        case 'integer':
        case 'number':
          plausible.push(fc.oneof(fc.integer({ min: -10, max: 10_000 }), fc.constantFrom(variant.minimum ?? 0, variant.maximum ?? 1)));
          break;
        case 'boolean':
          plausible.push(fc.boolean());
          break;
        case 'null':
          plausible.push(fc.constant(null));
          break;
        case 'array': {
          const items = (variant.items as JsonSchema | undefined) ?? {};
          const maxItems = typeof variant.maxItems === 'number' ? Math.min(variant.maxItems + 1, 8) : 4;
          plausible.push(depth > 6 ? fc.constant([]) : fc.array(valueFor(items, depth + 1, `${path}.[]`, known), { maxLength: maxItems }));
          break;
        }
        case 'object':
          if (depth <= 6) plausible.push(objectFor(variant, depth + 1, path, known).map(pairsToObject));
          break;
      }
    }
  }
  const real = known[path];
  if (real?.length) plausible.push(fc.constantFrom(...real), fc.constantFrom(...real));
  if (plausible.length === 0) return hostileValue();
  return fc.oneof({ weight: 3, arbitrary: fc.oneof(...plausible) }, { weight: 1, arbitrary: hostileValue() });
}

/** Key/value pairs, so that duplicate and prototype keys survive until serialised. */
export type JsonPairs = [string, unknown][];

/**
 * An object for an object schema, as pairs: each declared property present or not (required ones usually
 * present), sometimes a declared key twice, sometimes an undeclared or prototype key.
 */
export function objectFor(schema: JsonSchema, depth = 0, path = '', known: KnownValues = {}): fc.Arbitrary<JsonPairs> {
  const variants = variantsOf(schema).filter((v) => typeof v.properties === 'object' && v.properties !== null);
  if (variants.length === 0) return fc.constant([]);
  // Built once per variant (not per sample: building string-pattern arbitraries is the costly part).
  return fc.oneof(...variants.map((variant) => objectVariant(variant, depth, path, known)));
}

function objectVariant(variant: JsonSchema, depth: number, path: string, known: KnownValues): fc.Arbitrary<JsonPairs> {
  const props = Object.entries(variant.properties as Record<string, JsonSchema>);
  const required = new Set((variant.required as string[] | undefined) ?? []);
  const fields = props.map(([name, child]) =>
    fc
      .tuple(fc.double({ min: 0, max: 1, noNaN: true }), valueFor(child, depth, path ? `${path}.${name}` : name, known))
      .map(([roll, value]) => ((required.has(name) ? roll < 0.9 : roll < 0.5) ? ([name, value] as [string, unknown]) : null)),
  );
  const extras = fc.oneof(
    { weight: 6, arbitrary: fc.constant<JsonPairs>([]) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...PROTOTYPE_KEYS), hostileValue()).map((p) => [p] as JsonPairs) },
    { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 12 }), hostileValue()).map((p) => [p] as JsonPairs) },
    {
      weight: 1,
      arbitrary: props.length ? fc.tuple(fc.constantFrom(...props.map(([n]) => n)), hostileValue()).map((p) => [p] as JsonPairs) : fc.constant<JsonPairs>([]),
    },
  );
  return fc.tuple(fc.tuple(...fields), extras).map(([present, extra]) => [...present.filter((p): p is [string, unknown] => p !== null), ...extra]);
}

/** Pairs as a plain object (later keys win, prototype keys become own properties, as JSON.parse does). */
export function pairsToObject(pairs: JsonPairs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of pairs) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** JSON text of pairs, duplicates and prototype keys kept as written. */
export function pairsToJson(pairs: JsonPairs): string {
  return `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`;
}

/** Levels of nesting in `HOSTILE_NESTING`: ~40 KB of JSON, so it still fits a 64 KiB body limit. */
export const HOSTILE_NESTING_DEPTH = 10_000;

export interface LabelledValue {
  /** What the value is, for a failure message (`null`, `NUL`, `1 MiB string`…). */
  label: string;
  value: unknown;
}

/**
 * Every class of hostile value for one field, deterministically (no sampling): null, each wrong JSON type,
 * operator and prototype-key objects, every nasty string (NUL, lone surrogates…), the string at its limit
 * and one past it, 1 MiB of text and 10,000 levels of nesting. A suite that sends each of these in each
 * declared field has tried every class at least once, whatever a random sample would have drawn.
 */
export function hostileValuesFor(schema: JsonSchema): LabelledValue[] {
  const out: LabelledValue[] = [
    { label: 'null', value: null },
    { label: 'true', value: true },
    { label: '0', value: 0 },
    { label: '-1', value: -1 },
    { label: '1e308', value: 1e308 },
    { label: '2^53+1', value: 2 ** 53 + 1 },
    { label: '0.5', value: 0.5 },
    { label: '[]', value: [] },
    { label: '["a"]', value: ['a'] },
    { label: '[null]', value: [null] },
    { label: '{}', value: {} },
    { label: '{"$gt":""}', value: { $gt: '' } },
    { label: '{"__proto__":{"polluted":true}}', value: pairsToObject([['__proto__', { polluted: true }]]) },
    { label: '{"constructor":{"prototype":{"polluted":true}}}', value: pairsToObject([['constructor', { prototype: { polluted: true } }]]) },
    { label: '"true" (a string)', value: 'true' },
    { label: '"1" (a string)', value: '1' },
    ...NASTY_STRINGS.map((s) => ({ label: JSON.stringify(s.length > 24 ? `${s.slice(0, 12)}…(${s.length})` : s), value: s })),
    { label: '1 MiB string', value: HUGE_STRING },
    { label: `${HOSTILE_NESTING_DEPTH} levels of nesting`, value: nested(HOSTILE_NESTING_DEPTH) },
  ];
  for (const variant of variantsOf(schema)) {
    if (typeof variant.maxLength === 'number' && variant.maxLength <= 1_000_000) {
      out.push({ label: `string at maxLength (${variant.maxLength})`, value: 'a'.repeat(variant.maxLength) });
      out.push({ label: `string one past maxLength (${variant.maxLength + 1})`, value: 'a'.repeat(variant.maxLength + 1) });
    }
    if (typeof variant.maxItems === 'number' && variant.maxItems <= 10_000) {
      out.push({ label: `array one past maxItems (${variant.maxItems + 1})`, value: Array.from({ length: variant.maxItems + 1 }, () => 'a') });
    }
    if (typeof variant.maximum === 'number') out.push({ label: `maximum + 1 (${variant.maximum + 1})`, value: variant.maximum + 1 });
    if (typeof variant.minimum === 'number') out.push({ label: `minimum - 1 (${variant.minimum - 1})`, value: variant.minimum - 1 });
  }
  return out;
}
