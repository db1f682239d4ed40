import { describe, expect, it } from 'vitest';
import { defineStrategy } from '../contract/strategy.js';
import { createGatehouse } from './container.js';
import { NO_LOGGER_WARNING_CODE } from './logger.js';
import { z } from 'zod';

const throwing = defineStrategy({
  id: 'boom',
  route: { method: 'POST', path: '/boom' },
  dialect: 'infisical',
  requestSchema: z.strictObject({ secret: z.string().max(64) }),
  responseSchema: z.object({}),
  async authenticate(input) {
    throw new Error(`database said no to ${input.secret}`);
  },
});

function warningsDuring(fn: () => Promise<void>): Promise<Error[]> {
  const seen: Error[] = [];
  const onWarning = (w: Error) => void seen.push(w);
  process.on('warning', onWarning);
  return fn()
    .then(() => new Promise((r) => setImmediate(r)))
    .then(() => seen.filter((w) => (w as Error & { code?: string }).code === NO_LOGGER_WARNING_CODE))
    .finally(() => process.off('warning', onWarning));
}

describe('no logger configured', () => {
  it('the first internal error raises one process warning naming the request id and how to add a logger, never the secret', async () => {
    const gh = createGatehouse({ strategies: [throwing] });
    const call = () => gh.handle({ method: 'POST', path: '/boom', headers: { 'content-type': 'application/json' }, body: { secret: 'hunter2-secret' }, socketAddress: '127.0.0.1', protocol: 'http' });
    let first: Awaited<ReturnType<typeof call>> | undefined;
    const warnings = await warningsDuring(async () => {
      first = await call();
      await call();
    });
    expect(first!.status).toBe(500);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain(String(first!.headers['x-request-id']));
    expect(warnings[0]!.message).toMatch(/no logger is configured.*Pass `logger` to createGatehouse/);
    expect(warnings[0]!.message).not.toContain('hunter2');
    await gh.close();
  });

  it('with a logger given, no warning', async () => {
    const gh = createGatehouse({ strategies: [throwing], logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const warnings = await warningsDuring(async () => {
      await gh.handle({ method: 'POST', path: '/boom', headers: { 'content-type': 'application/json' }, body: { secret: 'x' }, socketAddress: '127.0.0.1', protocol: 'http' });
    });
    expect(warnings).toHaveLength(0);
    await gh.close();
  });
});
