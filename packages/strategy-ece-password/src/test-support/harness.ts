/** Shared set-up for this package's tests: a Gatehouse with the strategy, a manual clock, captured logs and audit. */
import { ManualClock, createGatehouse, createMemoryStores, type AuditEvent, type GatehouseRequest, type GatehouseResponse, type Logger } from '@gatehouse-auth/core';
import { createPasswordUser, type Argon2Params, type CreatePasswordUserInput } from '@gatehouse-auth/core/password';
import { ECE_LOGIN_PATH, ecePasswordStrategy, type EcePasswordOptions } from '../index.js';

/** Cheap argon2 for tests whose purpose is not timing (the timing test uses the real default). */
export const CHEAP_ARGON2: Argon2Params = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

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

export interface HarnessOptions {
  strategy?: EcePasswordOptions;
  users?: CreatePasswordUserInput[];
  /** Parameters the users' hashes are made with (default: the strategy's). */
  userArgon2?: Argon2Params;
  start?: string;
}

export async function harness(options: HarnessOptions = {}) {
  // Milliseconds on purpose: the token's `exp` (seconds) and `session_expiration_time` must still agree.
  const clock = new ManualClock(options.start ?? '2026-03-01T12:00:00.750Z');
  const stores = createMemoryStores();
  const audit: AuditEvent[] = [];
  const logs: LogLine[] = [];
  const argon2 = options.strategy?.argon2 ?? CHEAP_ARGON2;
  const gh = createGatehouse({
    strategies: [ecePasswordStrategy({ argon2, ...options.strategy })],
    stores,
    clock,
    audit: (e) => void audit.push(e),
    logger: captureLogger(logs),
  });
  const users = [];
  for (const u of options.users ?? []) users.push(await createPasswordUser(stores, u, { now: clock.now(), params: options.userArgon2 ?? argon2 }));
  const request = (body: unknown, over: Partial<GatehouseRequest> = {}): GatehouseRequest => ({
    method: 'POST',
    path: ECE_LOGIN_PATH,
    headers: { 'content-type': 'application/json' },
    socketAddress: '127.0.0.1',
    protocol: 'http',
    body,
    ...over,
  });
  const login = (body: unknown, over: Partial<GatehouseRequest> = {}): Promise<GatehouseResponse> => gh.handle(request(body, over));
  return { gh, clock, stores, audit, logs, users, request, login };
}

export interface EceErrorBody {
  errors: { code: string; message: string; fields?: string[] }[];
}

export const errorOf = (res: GatehouseResponse) => (res.body as EceErrorBody).errors[0]!;

/** Headers without the per-request id: what must be identical between two refusals. */
export function headersSansRequestId(res: GatehouseResponse): Record<string, string> {
  const { 'x-request-id': _id, ...rest } = res.headers;
  return rest;
}
