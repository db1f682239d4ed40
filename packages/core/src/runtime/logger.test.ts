import { describe, expect, it } from 'vitest';
import { defineStrategy } from '../contract/strategy.js';
import { createGatehouse } from './container.js';
import { NO_LOGGER_WARNING_CODE } from './logger.js';
import { pino } from 'pino';
import { StoreUnavailableError } from '../errors/auth-error.js';
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

describe('request ids in log lines', () => {
  const outage = defineStrategy({
    id: 'outage',
    route: { method: 'POST', path: '/outage' },
    dialect: 'ece',
    requestSchema: z.strictObject({}),
    responseSchema: z.object({}),
    async authenticate() {
      throw new StoreUnavailableError(new Error('connection refused'));
    },
  });
  const post = (gh: ReturnType<typeof createGatehouse>, path: string, body: unknown) =>
    gh.handle({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body, socketAddress: '127.0.0.1', protocol: 'http' });

  it('with pino, every line of a failed request carries the reqId key exactly once (duplicate JSON keys break log pipelines)', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const gh = createGatehouse({ strategies: [throwing, outage], logger });
    const ids: string[] = [];
    for (const [path, body] of [['/boom', { secret: 's' }], ['/outage', {}]] as const) {
      const res = await post(gh, path, body);
      expect([500, 503]).toContain(res.status);
      ids.push(String(res.headers['x-request-id']));
    }
    await gh.close();
    for (const id of ids) {
      const mine = lines.filter((l) => l.includes(id));
      expect(mine.length).toBeGreaterThanOrEqual(2);
      expect(mine.some((l) => l.includes('"request failed"'))).toBe(true);
      for (const line of mine) expect(line.match(/"reqId":/g), line).toHaveLength(1);
    }
  });

  it('a logger without child() gets the reqId merged into each line, once', async () => {
    const objects: Record<string, unknown>[] = [];
    const record = (o: object | string) => void objects.push(typeof o === 'string' ? { msg: o } : { ...o });
    const gh = createGatehouse({ strategies: [outage], logger: { debug: record, info: record, warn: record, error: record } });
    const res = await post(gh, '/outage', {});
    await gh.close();
    const id = String(res.headers['x-request-id']);
    const failed = objects.find((o) => o.reasonCode === 'store_unavailable');
    expect(failed).toMatchObject({ reqId: id, endpoint: 'outage' });
    expect(objects.filter((o) => o.reqId === id).length).toBeGreaterThanOrEqual(2);
  });
});
