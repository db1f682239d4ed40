import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { harness } from '../test-support/harness.js';

describe('OpenAPI builder', () => {
  it('produces a valid OpenAPI 3.1 document with the fake strategy\'s route and schemas', async () => {
    const { gh } = await harness();
    const doc = gh.openapi({ title: 'Test', version: '1.2.3' }) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: Record<string, unknown> }> }; responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> }>>;
    };
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');

    const op = doc.paths['/api/v1/auth/fake/login']!.post!;
    const req = op.requestBody.content['application/json']!.schema;
    expect(req).toMatchObject({ type: 'object', additionalProperties: false, required: expect.arrayContaining(['identityId', 'name', 'secret']) });
    expect(Object.keys(req.properties as object)).toEqual(['identityId', 'name', 'secret', 'mode']);
    const ok = op.responses['200']!.content!['application/json']!.schema;
    expect(ok).toMatchObject({ required: ['accessToken', 'expiresIn', 'accessTokenMaxTTL', 'tokenType'], additionalProperties: false });
    expect(op.responses['422']!.content!['application/json']!.schema).toMatchObject({ required: ['reqId', 'statusCode', 'error'] });
    expect(doc.paths['/api/v1/auth/fake-ece/login']!.post!.responses['302']).toBeDefined();
    expect(doc.paths['/.well-known/jwks.json']).toHaveProperty('get');
    expect(doc.paths['/api/v1/auth/token/renew']).toHaveProperty('post');
  });
});
