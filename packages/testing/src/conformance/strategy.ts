/**
 * Strategy conformance suite: what every login strategy — ours or a plugin author's — must show before it is
 * mounted next to the others. It drives the strategy through the real core pipeline (no adapter needed) and
 * checks the contract, the documented schemas, hostile input, error shapes, audit events and log hygiene.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import {
  createGatehouse,
  ManualClock,
  type AuditEvent,
  type Gatehouse,
  type GatehouseOptions,
  type GatehouseRequest,
  type GatehouseResponse,
  type Logger,
  type Strategy,
} from '@gatehouse-auth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

export interface StrategyFixture {
  /** A body that logs in successfully (each call may return a fresh one, e.g. a new nonce). */
  validBody(): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** A well-formed body with wrong credentials: must be refused with a 4xx. */
  invalidCredentialsBody(): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Request overrides for every call (TLS peer chain, headers…). */
  request?: Partial<GatehouseRequest>;
  /** Strings that must never appear in logs, audit events or error bodies (secrets the fixture uses). */
  secrets?: string[];
  /** Called once after the suite. */
  cleanup?(): Promise<void>;
}

export interface StrategyConformanceOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the suite accepts any strategy
  strategy: () => Strategy<any, any> | Promise<Strategy<any, any>>;
  /** Creates identities/users in the given Gatehouse and returns the fixture. */
  setup(gatehouse: Gatehouse, clock: ManualClock): Promise<StrategyFixture>;
  /** Extra createGatehouse options (stores, http…). */
  gatehouseOptions?: Partial<GatehouseOptions>;
  /** Start time of the injected clock. Defaults to now (emulators verify against real time). */
  now?: Date;
}

interface Captured {
  logs: unknown[];
  audit: AuditEvent[];
}

const ERROR_SHAPES: Record<string, (body: unknown, res: GatehouseResponse) => void> = {
  infisical(body, res) {
    expect(body).toEqual(expect.objectContaining({ reqId: res.headers['x-request-id'], statusCode: res.status, error: expect.any(String) }));
  },
  ece(body, res) {
    expect(body).toEqual({ errors: [expect.objectContaining({ code: expect.any(String), message: expect.any(String) })] });
    expect(res.headers['x-cloud-error-codes']).toBe((body as { errors: { code: string }[] }).errors[0]!.code);
  },
  bytebase(body) {
    expect(body).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
  },
};

/** Values of the wrong shape for any field. */
const HOSTILE_VALUES: unknown[] = [null, 0, -1, 1e308, true, [], ['a'], {}, { $gt: '' }, '', 'x'.repeat(100_000), '\u0000\u202e<script>', '../../etc/passwd'];

export function runStrategyConformance(name: string, options: StrategyConformanceOptions): void {
  describe(`strategy conformance: ${name}`, () => {
    let gatehouse: Gatehouse;
    let strategy: Strategy<unknown, unknown>;
    let fixture: StrategyFixture;
    const captured: Captured = { logs: [], audit: [] };

    beforeAll(async () => {
      strategy = (await options.strategy()) as Strategy<unknown, unknown>;
      const clock = new ManualClock(options.now ?? new Date());
      const capture = (level: string) => (obj: unknown, msg?: string) => void captured.logs.push({ level, obj, msg });
      const logger: Logger = { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error'), child: () => logger };
      gatehouse = createGatehouse({ clock, logger, audit: (e) => void captured.audit.push(e), ...options.gatehouseOptions, strategies: [strategy] });
      fixture = await options.setup(gatehouse, clock);
    });
    afterAll(async () => {
      await fixture?.cleanup?.();
      await gatehouse?.close();
    });

    const send = (body: unknown, over: Partial<GatehouseRequest> = {}) =>
      gatehouse.handle({
        method: strategy.route.method,
        path: strategy.route.path,
        headers: { 'content-type': 'application/json', ...fixture.request?.headers, ...over.headers },
        socketAddress: '127.0.0.1',
        protocol: 'https',
        ...fixture.request,
        ...over,
        body,
      });

    const expectDialectError = (res: GatehouseResponse, range: [number, number] = [400, 499]) => {
      expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(range[0]);
      expect(res.status, JSON.stringify(res.body)).toBeLessThanOrEqual(range[1]);
      ERROR_SHAPES[strategy.dialect]!(res.body, res);
      expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
    };

    it('declares a well-formed contract', () => {
      expect(strategy.id).toMatch(/^[a-z0-9][a-z0-9-]{0,62}$/);
      expect(strategy.route.method).toBe('POST');
      expect(strategy.route.path).toMatch(/^\/[A-Za-z0-9/_.-]*$/);
      expect(Object.keys(ERROR_SHAPES)).toContain(strategy.dialect);
      expect(typeof strategy.requestSchema.safeParse).toBe('function');
      expect(typeof strategy.responseSchema.safeParse).toBe('function');
      expect(typeof strategy.authenticate).toBe('function');
    });

    it('documents its route in a valid OpenAPI 3.1 document', async () => {
      const doc = gatehouse.openapi() as { paths: Record<string, Record<string, unknown>> };
      const result = await new Validator().validate(structuredClone(doc));
      expect(result.errors ?? []).toEqual([]);
      expect(doc.paths[strategy.route.path]).toHaveProperty('post');
    });

    it('logs in with the fixture\'s valid body, and the success body matches its response schema', async () => {
      const res = await send(await fixture.validBody());
      expect([200, 201, 302, 303], JSON.stringify(res.body)).toContain(res.status);
      if (res.status < 300) expect(strategy.responseSchema.safeParse(res.body).success, JSON.stringify(res.body)).toBe(true);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(captured.audit.at(-1)).toMatchObject({ endpoint: strategy.id, status: res.status });
    });

    it('refuses wrong credentials with a 4xx in its dialect', async () => {
      const res = await send(await fixture.invalidCredentialsBody());
      expectDialectError(res);
      expect(captured.audit.at(-1)).toMatchObject({ endpoint: strategy.id, type: 'login.failed', reasonCode: expect.any(String) });
    });

    it('answers every non-object body with a 4xx in its dialect', async () => {
      for (const body of [undefined, null, 42, 'text', [], [{}], true]) expectDialectError(await send(body));
    });

    it('answers a hostile value in every field, and an unknown field, with a 4xx — never a 500', async () => {
      const valid = await fixture.validBody();
      for (const field of Object.keys(valid)) {
        for (const value of HOSTILE_VALUES) {
          const res = await send({ ...valid, [field]: value });
          // A hostile value may happen to be acceptable for a free-form field; it must never crash.
          expect(res.status, `${field}=${JSON.stringify(value)?.slice(0, 40)}`).not.toBeGreaterThanOrEqual(500);
          if (res.status >= 400) ERROR_SHAPES[strategy.dialect]!(res.body, res);
        }
      }
      expectDialectError(await send({ ...(await fixture.validBody()), unexpectedField: 'x' }));
      expectDialectError(await send(JSON.parse('{"__proto__": {"admin": true}}')));
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });

    it('renders the adapter\'s body errors (413, 400 malformed JSON, 415) in its dialect', async () => {
      for (const bodyError of ['too_large', 'malformed_json', 'unsupported_media_type'] as const) {
        const res = await send(undefined, { bodyError });
        expectDialectError(res);
      }
    });

    it('never writes its secrets into logs, audit events or error bodies', async () => {
      const secrets = fixture.secrets ?? [];
      const haystack = JSON.stringify(captured.logs) + JSON.stringify(captured.audit);
      for (const s of secrets) expect(haystack.includes(s), `secret leaked: ${s.slice(0, 4)}…`).toBe(false);
    });
  });
}
