import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEndpoint } from '../contract/strategy.js';
import { createGatehouse } from '../runtime/container.js';
import { RouteTable } from './route-table.js';

describe('RouteTable', () => {
  const table = new RouteTable<string>();
  table.add('GET', '/a/b', 'exact');
  table.add('GET', '/items/{id}', 'get-item');
  table.add('DELETE', '/items/{id}', 'delete-item');
  table.add('GET', '/items/{id}/parts/{part}', 'part');

  it('matches exact paths first, then templates segment by segment', () => {
    expect(table.find('GET', '/a/b')).toEqual({ route: 'exact', params: {} });
    expect(table.find('GET', '/items/42')).toEqual({ route: 'get-item', params: { id: '42' } });
    expect(table.find('GET', '/items/a%20b/parts/c')).toEqual({ route: 'part', params: { id: 'a b', part: 'c' } });
  });

  it('a parameter is one non-empty, well-encoded segment of at most 256 characters', () => {
    for (const path of ['/items/', '/items', '/items/a/b', '/items/%E0%A4%A', '/items/a%2Fb', `/items/${'x'.repeat(257)}`]) {
      expect(table.find('GET', path), path).toBeUndefined();
    }
  });

  it('knows the methods at a path (405 and Allow), template or not', () => {
    expect(table.methodsAt('/items/7')).toEqual(['GET', 'DELETE']);
    expect(table.methodsAt('/a/b')).toEqual(['GET']);
    expect(table.methodsAt('/nothing')).toBeUndefined();
  });
});

describe('path templates through the pipeline', () => {
  const echo = defineEndpoint({
    id: 'echo',
    method: 'PATCH',
    path: '/api/v1/things/{thingId}',
    dialect: 'infisical',
    requestSchema: z.strictObject({ note: z.string().max(16) }),
    async handle(input, ctx) {
      return { kind: 'reply', reply: { body: { thingId: ctx.request.params.thingId, note: input.note } } };
    },
  });
  const gh = createGatehouse({ endpoints: [echo], logger: { debug() {}, info() {}, warn() {}, error() {} } });
  const request = (method: string, path: string, body?: unknown) =>
    gh.handle({ method, path, headers: { 'content-type': 'application/json' }, body, socketAddress: '127.0.0.1', protocol: 'http' });

  it('hands the decoded parameter to the endpoint; other methods get 405 with Allow; the path is owned', async () => {
    expect((await request('PATCH', '/api/v1/things/t%201', { note: 'hi' })).body).toEqual({ thingId: 't 1', note: 'hi' });
    const wrong = await request('GET', '/api/v1/things/t1');
    expect([wrong.status, wrong.headers.allow]).toEqual([405, 'PATCH']);
    expect(gh.ownsPath('/api/v1/things/anything')).toBe(true);
    expect(gh.ownsPath('/api/v1/things')).toBe(false);
  });

  it('a parameter holding characters no store can hold is refused like any other input', async () => {
    const res = await request('PATCH', '/api/v1/things/a%00b', { note: 'x' });
    expect(res.status).toBe(422);
  });

  it('documents the parameter in OpenAPI', () => {
    const doc = gh.openapi() as { paths: Record<string, Record<string, { parameters?: unknown[] }>> };
    expect(doc.paths['/api/v1/things/{thingId}']!.patch!.parameters).toEqual([{ name: 'thingId', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 256 } }]);
  });
});
