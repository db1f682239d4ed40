/**
 * One Gatehouse under test for the strategy kit: the strategy mounted alone, an injected ManualClock, and
 * everything it says captured — every response, every log line (with child-logger bindings), every audit
 * event — as evidence the secret scan reads. Checks that lock accounts or move the clock open their own.
 */
import {
  createGatehouse,
  ManualClock,
  type AuditEvent,
  type Gatehouse,
  type GatehouseRequest,
  type GatehouseResponse,
  type Logger,
  type Strategy,
} from '@gatehouse-auth/core';
import { expect } from 'vitest';
import { exposedStrings, findSecrets, redact, secretForms, type Exposed, type Secret, type SecretFinding, type SecretForm } from './secret-scan.js';
import type { Body, StrategyConformanceOptions, StrategyFixture } from './strategy-types.js';

export interface EvidenceEntry {
  where: string;
  value: unknown;
}

/** What every Gatehouse of one suite said, and the secrets none of it may contain. */
export class Evidence {
  readonly entries: EvidenceEntry[] = [];
  readonly secrets: Secret[] = [];
  /** `secrets[i] (<harness> setup)`: which fixture declared each secret, and at which index. */
  readonly labels: string[] = [];
  /** The check running now (the start of its title), so a finding says which check produced the output. */
  check = 'setup';

  add(where: string, value: unknown): void {
    this.entries.push({ where: `${this.check}: ${where}`, value });
  }

  #forms: SecretForm[] | undefined;

  addSecrets(secrets: readonly Secret[], purpose: string): void {
    secrets.forEach((s, i) => {
      if (this.secrets.some((known) => sameSecret(known, s))) return;
      this.secrets.push(s);
      this.labels.push(`secrets[${i}] (${purpose} setup)`);
      this.#forms = undefined;
    });
  }

  forms(): SecretForm[] {
    this.#forms ??= secretForms(this.secrets, this.labels);
    return this.#forms;
  }

  /** Findings among the entries from index `from` on. */
  scan(from = 0): SecretFinding[] {
    const forms = this.forms();
    if (forms.length === 0) return [];
    const exposed: Exposed[] = [];
    for (const entry of this.entries.slice(from)) exposed.push(...exposedStrings(entry.value, entry.where));
    return findSecrets(exposed, forms);
  }
}

function sameSecret(a: Secret, b: Secret): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return Buffer.from(a).equals(Buffer.from(b));
}

export interface LogLine {
  level: string;
  obj: unknown;
  msg?: string;
}

export interface SendOptions {
  /** What this request is, in failure messages and evidence. */
  label: string;
  /** Overrides on top of the fixture's request (socket address…). */
  request?: Partial<GatehouseRequest>;
}

/** The suite-wide state: the strategy (built once), the options and the evidence. */
export interface KitState {
  options: StrategyConformanceOptions;
  strategy: Strategy<unknown, unknown>;
  evidence: Evidence;
  harnesses: Harness[];
}

export class Harness {
  private constructor(
    readonly purpose: string,
    readonly gatehouse: Gatehouse,
    readonly clock: ManualClock,
    readonly strategy: Strategy<unknown, unknown>,
    private readonly evidence: Evidence,
    readonly logs: LogLine[],
    readonly audit: AuditEvent[],
    private fixtureValue?: StrategyFixture,
  ) {}

  /** A fresh Gatehouse with the suite's strategy, set up by the author's `setup`. */
  static async open(kit: KitState, purpose: string): Promise<Harness> {
    const clock = new ManualClock(kit.options.now ?? new Date());
    const evidence = kit.evidence;
    const logs: LogLine[] = [];
    const audit: AuditEvent[] = [];
    const logger = (bindings: Record<string, unknown> = {}): Logger => {
      const line = (level: string) => (objOrMsg: object | string, msg?: string) => {
        const entry: LogLine = typeof objOrMsg === 'string' ? { level, obj: { ...bindings }, msg: objOrMsg } : { level, obj: { ...bindings, ...objOrMsg }, msg };
        logs.push(entry);
        evidence.add(`log line (${level}${entry.msg ? ` "${entry.msg}"` : ''})`, entry);
      };
      return {
        debug: line('debug'),
        info: line('info'),
        warn: line('warn'),
        error: line('error'),
        child: (more) => {
          evidence.add('logger.child bindings', more);
          return logger({ ...bindings, ...more });
        },
      };
    };
    const gatehouse = createGatehouse({
      clock,
      logger: logger(),
      audit: (event) => {
        audit.push(event);
        evidence.add(`audit event ${event.type}`, event);
      },
      ...kit.options.gatehouseOptions,
      strategies: [kit.strategy],
    });
    const harness = new Harness(purpose, gatehouse, clock, kit.strategy, evidence, logs, audit);
    kit.harnesses.push(harness);
    const fixture = await kit.options.setup(gatehouse, clock);
    harness.fixtureValue = fixture;
    evidence.addSecrets(fixture.secrets ?? [], purpose);
    return harness;
  }

  get fixture(): StrategyFixture {
    if (!this.fixtureValue) throw new Error('setup() has not returned yet');
    return this.fixtureValue;
  }

  /** Sends `body` to the strategy's route (as a JSON request from 127.0.0.1 over https, plus the fixture's overrides). */
  async send(body: unknown, options: SendOptions): Promise<GatehouseResponse> {
    const fx = this.fixture;
    const over = options.request ?? {};
    const res = await this.gatehouse.handle({
      method: this.strategy.route.method,
      path: this.strategy.route.path,
      socketAddress: '127.0.0.1',
      protocol: 'https',
      ...fx.request,
      ...over,
      headers: { 'content-type': 'application/json', ...fx.request?.headers, ...over.headers },
      body,
    });
    this.evidence.add(`response to ${options.label}`, { status: res.status, headers: res.headers, cookies: res.cookies, body: res.body });
    return res;
  }

  /** The forms of every secret declared so far, for redacting failure messages. */
  secretForms(): SecretForm[] {
    return this.evidence.forms();
  }

  /** The audit event and error log line of one response (by its request id). */
  traceOf(res: GatehouseResponse): { audit?: AuditEvent; error?: LogLine } {
    const id = res.headers['x-request-id'];
    return {
      audit: this.audit.find((e) => e.requestId === id),
      error: this.logs.find((l) => l.level === 'error' && (l.obj as { reqId?: unknown })?.reqId === id),
    };
  }

  async close(): Promise<void> {
    try {
      await this.fixtureValue?.cleanup?.();
    } finally {
      await this.gatehouse.close();
    }
  }
}

export const isSuccess = (res: GatehouseResponse) => res.status >= 200 && res.status < 400;
export const isRefusal = (res: GatehouseResponse) => res.status >= 400 && res.status < 500;

/** Error body shape per dialect. */
export const ERROR_SHAPES: Record<string, (body: unknown, res: GatehouseResponse) => void> = {
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

const STACK_TRACE = /\n\s+at |node_modules|\.[cm]?[jt]s:\d+|\b(?:TypeError|ReferenceError|RangeError|SyntaxError): /;

/**
 * Why a response to hostile input is not acceptable, or null: a 5xx (with the exception the strategy threw,
 * from the error log line), a trace in the body or headers, or a 4xx not in the dialect's error shape.
 */
export function unsafeResponse(harness: Harness, res: GatehouseResponse, label: string): string | null {
  const problem = unsafeResponseProblem(harness, res, label);
  return problem === null ? null : redact(problem, harness.secretForms());
}

function unsafeResponseProblem(harness: Harness, res: GatehouseResponse, label: string): string | null {
  if (res.status >= 500) {
    const { audit, error } = harness.traceOf(res);
    const err = (error?.obj as { err?: { type?: string; stack?: string } } | undefined)?.err;
    const thrown = err?.type ? `${err.type}${audit?.reasonCode === 'unexpected_exception' ? ' (not an AuthError)' : ''}` : audit?.reasonCode ?? 'unknown';
    const frame = err?.stack?.split('\n')[0]?.trim();
    return `${label}: ${res.status} — the strategy failed with ${thrown}${frame ? ` ${frame}` : ''}`;
  }
  const text = JSON.stringify({ headers: res.headers, body: res.body }) ?? '';
  if (STACK_TRACE.test(text)) return `${label}: the response carries a stack trace or source location: ${text.slice(0, 300)}`;
  if (res.status >= 400) {
    try {
      ERROR_SHAPES[harness.strategy.dialect]!(res.body, res);
    } catch {
      return `${label}: ${res.status} is not a ${harness.strategy.dialect} error body: ${JSON.stringify(res.body)?.slice(0, 300)}`;
    }
  }
  return null;
}

/** The subject (`type:id`) of the token a success carries (body, cookies or redirect location), if any. */
export function subjectOf(res: GatehouseResponse): string | undefined {
  const places = [JSON.stringify(res.body ?? null), ...res.cookies.map((c) => c.value), res.headers.location ?? ''];
  for (const text of places) {
    for (const m of text.matchAll(/eyJ[A-Za-z0-9_-]+\.(eyJ[A-Za-z0-9_-]+)\.[A-Za-z0-9_-]*/g)) {
      try {
        const payload = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as { sub?: unknown; sub_type?: unknown };
        if (typeof payload.sub === 'string') return `${typeof payload.sub_type === 'string' ? payload.sub_type : 'subject'}:${payload.sub}`;
      } catch {
        // not a JWT after all
      }
    }
  }
  return undefined;
}

/**
 * A response with the per-request parts (request id) replaced, for comparing two answers; any declared secret
 * in it is replaced by its name, so a failing comparison does not print it.
 */
export function comparable(res: GatehouseResponse, forms: readonly SecretForm[] = []): unknown {
  const id = res.headers['x-request-id'] ?? '\u0000none';
  const headers = Object.fromEntries(Object.entries(res.headers).filter(([k]) => k !== 'x-request-id').sort(([a], [b]) => a.localeCompare(b)));
  const swap = (v: unknown) => JSON.parse(redact(JSON.stringify(v ?? null).split(id).join('<request-id>'), forms)) as unknown;
  return { status: res.status, headers: swap(headers), cookies: swap(res.cookies), body: swap(res.body) };
}

/** Distinct client addresses from the benchmarking range (198.18.0.0/15), so per-address counters stay out of a check. */
export function addressSequence(): () => string {
  let n = 0;
  return () => {
    n++;
    return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;
  };
}

export type { Body };
