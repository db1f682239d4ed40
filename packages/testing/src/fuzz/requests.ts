/** Whole hostile HTTP requests (content type + raw body) for a login route, from its request schema. */
import fc from 'fast-check';
import { HUGE_STRING, PROTOTYPE_KEYS, hostileValue, nestedJson, objectFor, pairsToJson, valueFor, type JsonPairs, type KnownValues } from './hostile.js';
import { DELETE, setPath } from './paths.js';
import { schemaFields, type JsonSchema } from './schema-fields.js';

export interface HostileRequest {
  /** What the case is, for a failure message. */
  kind: string;
  contentType: string | null;
  body: string;
}

const BROKEN_JSON = ['{', '{"a":', '{"a":1,}', '{"a":1}garbage', "{'a':1}", '{"a":"\\u00"}', '\uFEFF{}', 'nul', '[1,2', '{"a":1}{"b":2}'];

/**
 * A valid body with one to three mutations: a field set to a hostile or plausible value (declared fields and
 * nested ones), a field removed, an undeclared or prototype key added, a key repeated. Mutating what works
 * reaches the strategy's deeper checks, which random bodies rarely pass.
 */
export function mutatedBody(validBodies: readonly Record<string, unknown>[], schema: JsonSchema, known: KnownValues = {}): fc.Arbitrary<JsonPairs> {
  const fields = schemaFields(schema);
  // One value arbitrary per field, built once (not per sample).
  const setField = fields.map((f) => valueFor(f.schema, 0, f.path, known).map((value) => ({ op: 'set' as const, path: f.path, value })));
  const mutation = fc.oneof(
    setField.length ? fc.oneof(...setField) : fc.constant(null),
    fields.length ? fc.constantFrom(...fields).map((f) => ({ op: 'delete' as const, path: f.path, value: undefined })) : fc.constant(null),
    fc.tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ maxLength: 10 })), hostileValue()).map(([path, value]) => ({ op: 'extra' as const, path, value })),
    fields.length ? fc.tuple(fc.constantFrom(...fields.filter((f) => !f.path.includes('.')).map((f) => f.path).concat(['_'])), hostileValue()).map(([path, value]) => ({ op: 'repeat' as const, path, value })) : fc.constant(null),
  );
  return fc.tuple(fc.constantFrom(...validBodies), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([valid, mutations]) => {
    const body = structuredClone(valid);
    const extra: JsonPairs = [];
    for (const m of mutations) {
      if (!m) continue;
      if (m.op === 'extra' || m.op === 'repeat') extra.push([m.path, m.value]);
      else setPath(body, m.path, m.op === 'delete' ? DELETE : m.value);
    }
    return [...Object.entries(body), ...extra];
  });
}

export function hostileRequest(schema: JsonSchema, known: KnownValues = {}, validBodies: readonly Record<string, unknown>[] = []): fc.Arbitrary<HostileRequest> {
  const json = (kind: string) => (body: string): HostileRequest => ({ kind, contentType: 'application/json', body });
  return fc.oneof(
    ...(validBodies.length ? [{ weight: 20, arbitrary: mutatedBody(validBodies, schema, known).map((pairs) => json('mutated valid body')(pairsToJson(pairs))) }] : []),
    { weight: 20, arbitrary: objectFor(schema, 0, '', known).map((pairs) => json('schema-derived object')(pairsToJson(pairs))) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => json('any JSON value')(JSON.stringify(v) ?? 'null')) },
    { weight: 1, arbitrary: fc.constantFrom(...BROKEN_JSON).map(json('broken JSON')) },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 100_000 }).map((d) => json('deep nesting')(nestedJson(d))) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(objectFor(schema, 0, '', known), fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16', 'application/jsonx', ''))
        .map(([pairs, contentType]): HostileRequest => ({ kind: 'wrong content type', contentType: contentType || null, body: pairsToJson(pairs) })),
    },
    { weight: 1, arbitrary: fc.constant<HostileRequest>({ kind: 'huge body', contentType: 'application/json', body: `{"a":"${HUGE_STRING}"}` }) },
  );
}
