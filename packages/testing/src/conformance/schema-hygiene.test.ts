import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { inputJsonSchema } from '../fuzz/index.js';
import { objectPaths, schemaHygiene } from './schema-hygiene.js';

const problems = (schema: z.ZodType, open: string[] = []) => schemaHygiene(inputJsonSchema(schema), open).map((p) => `${p.kind} ${p.path}`);

describe('schemaHygiene', () => {
  it('passes a closed schema whose every string and array is bounded (enums, literals and nullables included)', () => {
    const schema = z.strictObject({
      id: z.string().min(1).max(64),
      kind: z.enum(['a', 'b']),
      fixed: z.literal('x'),
      note: z.string().max(10).nullish(),
      tags: z.array(z.string().max(8)).max(4).optional(),
      nested: z.strictObject({ at: z.iso.datetime().max(32) }).optional(),
      n: z.number().int(),
      flag: z.boolean().optional(),
    });
    expect(problems(schema)).toEqual([]);
  });

  it('names every unbounded string and array, at any depth, optional or not, in arrays and records too', () => {
    const schema = z.strictObject({
      free: z.string(),
      maybe: z.string().optional(),
      pattern: z.string().regex(/^[a-z]{1,8}$/),
      list: z.array(z.string().max(4)),
      items: z.array(z.string()).max(3),
      deep: z.strictObject({ inner: z.strictObject({ text: z.string().optional() }) }),
      map: z.record(z.string().max(8), z.string()),
    });
    expect(problems(schema)).toEqual([
      'unbounded free',
      'unbounded maybe',
      'unbounded pattern',
      'unbounded list',
      'unbounded items.[]',
      'unbounded deep.inner.text',
      'open map',
      'unbounded map.*',
    ]);
  });

  it('names fields that accept anything', () => {
    expect(problems(z.strictObject({ any: z.any(), unknown: z.unknown().optional() }))).toEqual(['untyped any', 'untyped unknown']);
  });

  it('names every object that takes unknown properties unless it is declared open', () => {
    const schema = z.object({ a: z.object({ b: z.string().max(1) }), c: z.strictObject({ d: z.looseObject({}) }) });
    expect(problems(schema)).toEqual(['open ', 'open a', 'open c.d']);
    expect(problems(schema, ['', 'c.d'])).toEqual(['open a']);
  });
});

describe('objectPaths', () => {
  it('lists the body and every nested object, through optionals, unions and arrays', () => {
    const schema = z.strictObject({ a: z.strictObject({ b: z.strictObject({}).optional() }), list: z.array(z.strictObject({ x: z.number() })).max(2), u: z.union([z.strictObject({ y: z.number() }), z.string().max(2)]) });
    expect(objectPaths(inputJsonSchema(schema))).toEqual(['', 'a', 'a.b', 'list.[]', 'u']);
  });
});
