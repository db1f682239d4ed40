/** Shared set-up for the core's tests: a Gatehouse with fake strategies, a manual clock and captured audit. */
import type { GatehouseRequest } from '../contract/http.js';
import type { AuditEvent } from '../runtime/audit.js';
import { ManualClock } from '../runtime/clock.js';
import { createGatehouse, type GatehouseOptions } from '../runtime/container.js';
import type { Logger } from '../runtime/logger.js';
import { fakeStrategy } from './fake-strategy.js';

export interface LogLine {
  level: string;
  obj: unknown;
  msg?: string;
}

export function captureLogger(lines: LogLine[]): Logger {
  const make = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, obj, msg });
  const logger: Logger = { debug: make('debug'), info: make('info'), warn: make('warn'), error: make('error'), child: () => logger };
  return logger;
}

export async function harness(options: Partial<GatehouseOptions> = {}) {
  const clock = new ManualClock('2026-03-01T12:00:00Z');
  const audit: AuditEvent[] = [];
  const logs: LogLine[] = [];
  const gh = createGatehouse({
    strategies: [fakeStrategy('infisical', 'fake'), fakeStrategy('ece', 'fake-ece'), fakeStrategy('bytebase', 'fake-bb')],
    clock,
    audit: (e) => void audit.push(e),
    logger: captureLogger(logs),
    ...options,
  });
  const identity = await gh.admin.createIdentity({ name: 'ci-runner' });
  for (const m of ['fake', 'fake-ece', 'fake-bb']) await gh.admin.attachMethod(identity.id, m, { secret: 'correct-horse' });
  const request = (over: Partial<GatehouseRequest> & { body?: unknown }): GatehouseRequest => ({
    method: 'POST',
    path: '/api/v1/auth/fake/login',
    headers: { 'content-type': 'application/json' },
    socketAddress: '127.0.0.1',
    protocol: 'http',
    ...over,
  });
  const login = (body: Record<string, unknown>, over: Partial<GatehouseRequest> = {}) =>
    gh.handle(request({ body: { identityId: identity.id, name: 'build', secret: 'correct-horse', ...body }, ...over }));
  return { gh, clock, audit, logs, identity, request, login };
}
