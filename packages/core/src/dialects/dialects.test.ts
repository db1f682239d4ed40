import { describe, expect, it } from 'vitest';
import { harness } from '../test-support/harness.js';

const paths = { infisical: '/api/v1/auth/fake/login', ece: '/api/v1/auth/fake-ece/login', bytebase: '/api/v1/auth/fake-bb/login' };

describe('validation failures render in each dialect with the seeds\' exact shapes', () => {
  it('infisical: 422 {reqId, statusCode, message: issues, error}', async () => {
    const { login } = await harness();
    const res = await login({ secret: 42, extra: 'x' });
    expect(res.status).toBe(422);
    const body = res.body as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['error', 'message', 'reqId', 'statusCode']);
    expect(body.statusCode).toBe(422);
    expect(body.error).toBe('ValidationFailure');
    expect(body.reqId).toBe(res.headers['x-request-id']);
    expect(body.message).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'secret', code: 'invalid_type' }),
        expect.objectContaining({ path: 'extra', code: 'unrecognized_keys' }),
      ]),
    );
  });

  it('ece: 400 {errors:[{code, message, fields}]} and x-cloud-error-codes', async () => {
    const { login } = await harness();
    const res = await login({ secret: 42 }, { path: paths.ece });
    expect(res.status).toBe(400);
    expect(res.headers['x-cloud-error-codes']).toBe('root.invalid_json_request');
    expect(res.body).toEqual({ errors: [{ code: 'root.invalid_json_request', message: expect.any(String), fields: ['secret'] }] });
  });

  it('bytebase: 400 {code: invalid_argument, message, details}', async () => {
    const { login } = await harness();
    const res = await login({ secret: 42 }, { path: paths.bytebase });
    expect(res.status).toBe(400);
    const body = res.body as Record<string, unknown>;
    expect(body.code).toBe('invalid_argument');
    expect(typeof body.message).toBe('string');
    expect(JSON.stringify(body.details)).toContain('"field":"secret"');
  });

  it('each dialect renders 401 with its own vocabulary', async () => {
    const { login } = await harness();
    const inf = await login({ secret: 'wrong' });
    expect(inf.status).toBe(401);
    expect(inf.body).toEqual({ reqId: inf.headers['x-request-id'], statusCode: 401, message: 'Invalid credentials', error: 'UnauthorizedError' });
    const ece = await login({ secret: 'wrong' }, { path: paths.ece });
    expect(ece.status).toBe(401);
    expect(ece.headers['x-cloud-error-codes']).toBe('root.unauthenticated');
    expect(ece.body).toEqual({ errors: [{ code: 'root.unauthenticated', message: 'Invalid credentials' }] });
    const bb = await login({ secret: 'wrong' }, { path: paths.bytebase });
    expect(bb.status).toBe(401);
    expect(bb.body).toEqual({ code: 'unauthenticated', message: 'Invalid credentials' });
  });

  it('upstream failures are 502 (infisical, ece) and unavailable 503 (bytebase)', async () => {
    const { login } = await harness();
    expect((await login({ mode: 'upstream' })).status).toBe(502);
    const ece = await login({ mode: 'upstream' }, { path: paths.ece });
    expect(ece.status).toBe(502);
    expect(ece.headers['x-cloud-error-codes']).toBe('authc.authentication_cluster_error');
    const bb = await login({ mode: 'upstream' }, { path: paths.bytebase });
    expect([bb.status, (bb.body as { code: string }).code]).toEqual([503, 'unavailable']);
  });
});

describe('an exception inside a strategy', () => {
  for (const [dialect, path] of Object.entries(paths)) {
    it(`becomes ${dialect}'s internal error with a request id and no stack or secret`, async () => {
      const { login, logs } = await harness();
      const res = await login({ mode: 'explode', secret: 's3cr3t-value' }, { path });
      expect(res.status).toBe(500);
      const text = JSON.stringify(res.body);
      expect(text).not.toMatch(/hunter2|s3cr3t-value|at |\.ts:|Error:/);
      expect(res.headers['x-request-id']).toMatch(/^req-[A-Za-z0-9_-]{16}$/);
      if (dialect === 'infisical') {
        expect(res.body).toEqual({ reqId: res.headers['x-request-id'], statusCode: 500, message: 'Something went wrong', error: 'InternalServerError' });
      }
      if (dialect === 'ece') expect(res.headers['x-cloud-error-codes']).toBe('root.unexpected_error');
      if (dialect === 'bytebase') expect(res.body).toEqual({ code: 'internal', message: 'Something went wrong' });
      // Logged once with the same request id, so an operator can find it.
      const errorLog = logs.find((l) => l.level === 'error');
      expect(JSON.stringify(errorLog?.obj)).toContain(res.headers['x-request-id']);
      expect(JSON.stringify(logs)).not.toMatch(/hunter2|s3cr3t-value/);
    });
  }
});
