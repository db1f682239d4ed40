/** JSON Schemas written from the seed (fixtures/), compiled with ajv: every body a test sees is checked. */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: true }));
const load = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as object;

const loginResponse = ajv.compile(load('login-response.schema.json'));
const connectError = ajv.compile(load('connect-error.schema.json'));

/** A 200 body of `POST /v1/auth/login` must validate against the seed's response schema. */
export function expectSeedLoginBody(body: unknown): void {
  const ok = loginResponse(body);
  expect(ok, ajv.errorsText(loginResponse.errors)).toBe(true);
}

/** Errors are Connect's `{code, message, details?}`, and the HTTP status matches the code. */
export function expectConnectError(res: { status: number; body: unknown }, code: string, status: number): void {
  const ok = connectError(res.body);
  expect(ok, ajv.errorsText(connectError.errors)).toBe(true);
  expect((res.body as { code: string }).code).toBe(code);
  expect(res.status).toBe(status);
}

/** Login responses never carry enrolment secrets. */
export function expectNoSecrets(body: { user?: Record<string, unknown> }): void {
  expect(body.user?.tempOtpSecret).toBeUndefined();
  expect(body.user?.tempRecoveryCodes).toBeUndefined();
  expect(body.user?.tempOtpSecretCreatedTime).toBeUndefined();
}
