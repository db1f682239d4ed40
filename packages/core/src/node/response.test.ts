import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineStrategy } from '../contract/strategy.js';
import { AuthError } from '../errors/auth-error.js';
import { createGatehouse } from '../runtime/container.js';
import type { Logger } from '../runtime/logger.js';
import { failureResponse, respond, toNodeResponse } from './response.js';

function recordingLogger(lines: unknown[]): Logger {
  const log = (obj: unknown, msg?: string) => void lines.push({ obj, msg });
  return { info: log, warn: log, error: log, debug: log } as Logger;
}

describe('toNodeResponse', () => {
  it('serialises JSON with its byte length and one Set-Cookie per cookie', () => {
    const res = toNodeResponse({
      status: 200,
      headers: { 'x-a': '1' },
      cookies: [
        { name: 'a', value: '1', httpOnly: true, sameSite: 'strict', path: '/' },
        { name: 'b', value: 'é', secure: true },
      ],
      body: { msg: 'héllo' },
    });
    expect(res.body).toBe('{"msg":"héllo"}');
    expect(res.headers['content-length']).toBe('16');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['set-cookie']).toEqual(['a=1; Path=/; HttpOnly; SameSite=Strict', 'b=%C3%A9; Secure']);
    expect(res.headers['x-a']).toBe('1');
  });

  it('an empty body has length 0 and no content type', () => {
    const res = toNodeResponse({ status: 302, headers: { location: '/x', 'content-type': 'text/plain' }, cookies: [], body: undefined });
    expect(res).toEqual({ status: 302, headers: { location: '/x', 'content-length': '0' }, body: undefined });
  });
});

describe('respond', () => {
  it('a response that cannot be serialised becomes the dialect’s internal error, never a throw', async () => {
    const lines: unknown[] = [];
    const badCookie = defineStrategy({
      id: 'bad-cookie',
      route: { method: 'POST', path: '/api/v1/users/auth/_bad' },
      dialect: 'ece',
      requestSchema: z.object({}),
      responseSchema: z.object({}),
      async authenticate() {
        return { kind: 'challenge', body: {}, cookies: [{ name: 'bad name;', value: 'x' }] };
      },
    });
    const gatehouse = createGatehouse({ strategies: [badCookie], logger: recordingLogger(lines) });
    const res = await respond(gatehouse, { method: 'POST', path: '/api/v1/users/auth/_bad', headers: {}, socketAddress: '127.0.0.1', protocol: 'http' });
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body!)).toEqual({ errors: [{ code: 'root.unexpected_error', message: 'Something went wrong' }] });
    expect(res.headers['x-request-id']).toMatch(/^req-/);
    expect(JSON.stringify(lines)).toContain(res.headers['x-request-id'] as string);
    await gatehouse.close();
  });
});

describe('respond with a bad header', () => {
  it('a header value with a line break becomes the dialect’s 500 instead of a framework crash', async () => {
    const splitting = defineStrategy({
      id: 'split',
      route: { method: 'POST', path: '/api/v1/auth/split/login' },
      dialect: 'infisical',
      requestSchema: z.object({}),
      responseSchema: z.object({}),
      async authenticate() {
        return { kind: 'reply', reply: { headers: { 'x-evil': 'a\r\nset-cookie: x=1' }, body: {} } };
      },
    });
    const gatehouse = createGatehouse({ strategies: [splitting] });
    const res = await respond(gatehouse, { method: 'POST', path: '/api/v1/auth/split/login', headers: {}, socketAddress: '127.0.0.1', protocol: 'http' });
    expect(res.status).toBe(500);
    expect(res.headers['x-evil']).toBeUndefined();
    await gatehouse.close();
  });
});

describe('failureResponse', () => {
  const gatehouse = createGatehouse({ defaultDialect: 'bytebase' });

  it('keeps the class of a foreign error with a status, with the dialect’s own message', () => {
    const res = failureResponse(gatehouse, '/v1/anything', Object.assign(new Error('echo of the secret input'), { status: 413 }));
    expect(res.status).toBe(429);
    expect(JSON.parse(res.body!)).toEqual({ code: 'resource_exhausted', message: 'The request body is too large' });
  });

  it('uses the route’s dialect when the path is a route', () => {
    const res = failureResponse(gatehouse, '/api/v1/auth/token/renew', { statusCode: 401 });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body!)).toMatchObject({ statusCode: 401, error: 'UnauthorizedError', reqId: res.headers['x-request-id'] });
  });

  it('renders anything else as internal, hiding its message', () => {
    const res = failureResponse(gatehouse, '/v1/x', new TypeError('secret detail'));
    expect(res.status).toBe(500);
    expect(res.body).not.toContain('secret');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('passes AuthErrors through', () => {
    const res = failureResponse(gatehouse, '/v1/x', new AuthError({ kind: 'forbidden', message: 'Nope' }));
    expect(JSON.parse(res.body!)).toEqual({ code: 'permission_denied', message: 'Nope' });
  });
});
