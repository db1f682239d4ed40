/**
 * `@gatehouse-auth/testing/fuzz`: property-based hostile input (fast-check) derived from a request schema —
 * every declared field, optional ones included, at every depth — and whole hostile requests (duplicate and
 * prototype keys, broken JSON, wrong content types, deep nesting, huge bodies). Used by the repository's fuzz
 * suite over the real HTTP stack and by the strategy conformance suite.
 */
export { inputJsonSchema, schemaFields, typesOf, variantsOf } from './schema-fields.js';
export type { JsonSchema, SchemaField } from './schema-fields.js';
export {
  HOSTILE_NESTING_DEPTH,
  HUGE_STRING,
  NASTY_STRINGS,
  PROTOTYPE_KEYS,
  hostileValue,
  hostileValuesFor,
  nastyString,
  nested,
  nestedJson,
  objectFor,
  pairsToJson,
  pairsToObject,
  valueFor,
  wrongTypeValue,
} from './hostile.js';
export type { JsonPairs, KnownValues, LabelledValue } from './hostile.js';
export { DELETE, getPath, setPath, withPath } from './paths.js';
export { hostileRequest, mutatedBody } from './requests.js';
export type { HostileRequest } from './requests.js';
