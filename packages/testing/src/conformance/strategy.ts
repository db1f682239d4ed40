/**
 * Strategy conformance kit: what every login strategy — ours or a plugin author's — must show before it is
 * mounted next to the others. It drives the strategy through the real core pipeline (no adapter needed) and
 * checks the contract, the schemas' hygiene, hostile input derived from the request schema itself, error
 * shapes, secret hygiene of every output, and each property the author declares (single use, time window,
 * identifier folding and lockout, enumeration, constant-time comparison). docs/plugin-authors.md explains
 * every check and how to read its failure.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import type { GatehouseResponse } from '@gatehouse-auth/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import {
  DELETE,
  getPath,
  hostileValuesFor,
  inputJsonSchema,
  mutatedBody,
  objectFor,
  pairsToObject,
  schemaFields,
  withPath,
  type JsonSchema,
} from '../fuzz/index.js';
import { countConstantTimeComparisons } from './constant-time-probe.js';
import { identifierVariants, type IdentifierVariant } from './identifier-variants.js';
import { objectPaths, schemaHygiene, shown } from './schema-hygiene.js';
import { describeFindings, redact } from './secret-scan.js';
import {
  addressSequence,
  comparable,
  ERROR_SHAPES,
  Evidence,
  Harness,
  isRefusal,
  isSuccess,
  subjectOf,
  unsafeResponse,
  type KitState,
} from './strategy-harness.js';
import type { Body, IdentifierDeclaration, StrategyConformanceOptions, StrategyDeclarations } from './strategy-types.js';
import { compareTimings, sampleAbba, timed } from './timing.js';

export type {
  Body,
  EnumerationDeclaration,
  IdentifierDeclaration,
  StrategyConformanceOptions,
  StrategyDeclarations,
  StrategyFixture,
} from './strategy-types.js';

const SLOW = 300_000;
const DEFAULT_FUZZ_RUNS = 100;
const DEFAULT_FUZZ_SEED = 0x16_5eed;
const CONCURRENT_COPIES = 20;
const TIMING_DEFAULTS = { pairs: 60, warmup: 10, alpha: 0.001 };
/** Keys that would pollute `Object.prototype` if a strategy merged hostile input into an object. */
const POLLUTION_MARKERS = ['polluted', 'admin'];

const polluted = () => POLLUTION_MARKERS.filter((k) => (Object.prototype as Record<string, unknown>)[k] !== undefined);
const unpollute = () => {
  for (const k of POLLUTION_MARKERS) delete (Object.prototype as Record<string, unknown>)[k];
};
const shortText = (v: unknown) => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 300 ? `${text.slice(0, 300)}…(${text.length} chars)` : text;
};
const report = (problems: string[], what: string) => {
  const shownProblems = problems.slice(0, 25);
  return `${problems.length} ${what}:\n${shownProblems.join('\n')}${problems.length > shownProblems.length ? '\n…' : ''}`;
};
const normaliseIdentifier = (d: StrategyDeclarations['identifier']): IdentifierDeclaration | undefined => (typeof d === 'string' ? { field: d } : d);

export function runStrategyConformance(name: string, options: StrategyConformanceOptions): void {
  describe(`strategy conformance: ${name}`, () => {
    const kit: KitState = { options, strategy: undefined as never, evidence: new Evidence(), harnesses: [] };
    let main: Harness;
    let declares: StrategyDeclarations = {};
    let schema: JsonSchema;
    const fresh = (purpose: string) => Harness.open(kit, purpose);
    /** A value for a failure message: short, and with every declared secret replaced by its name. */
    const short = (v: unknown) => redact(shortText(v), kit.evidence.forms());
    /** A harness's own declarations: their bodies belong to the users its setup() created. */
    const own = (h: Harness): StrategyDeclarations => h.fixture.declares ?? {};

    // A failed setup (or a declaration naming a field the schema lacks) fails every check with its error,
    // rather than leaving them skipped, which a reader could take for "not applicable".
    let setupError: unknown;
    beforeAll(async () => {
      try {
        kit.strategy = (await options.strategy()) as KitState['strategy'];
        schema = inputJsonSchema(kit.strategy.requestSchema);
        main = await fresh('main');
        declares = main.fixture.declares ?? {};
        checkDeclarations(declares, schema);
      } catch (err) {
        setupError = err;
      }
    });
    type CheckBody = (ctx: TestContext) => unknown;
    function check(title: string, a: CheckBody | { timeout: number }, b?: CheckBody): void {
      const body = (typeof a === 'function' ? a : b)!;
      const timeout = typeof a === 'function' ? undefined : a.timeout;
      it(title, { timeout }, (ctx) => {
        if (setupError !== undefined) throw setupError;
        kit.evidence.check = title.slice(0, title.indexOf(':'));
        return body(ctx);
      });
    }
    afterAll(async () => {
      const errors: unknown[] = [];
      for (const h of kit.harnesses.reverse()) await h.close().catch((err: unknown) => errors.push(err));
      await options.teardown?.();
      if (errors.length) throw errors[0];
    });

    /**
     * A valid body with one field set. A body the schema refuses never reaches the strategy, so one valid body
     * serves for all of those; one the schema accepts is built on a fresh valid body (a new nonce, a new
     * code), so the strategy's own checks see it as they would a first use.
     */
    const bodyMaker = (h: Harness) => {
      let spare: Body | undefined;
      return async (path: string, value: unknown): Promise<Body> => {
        spare ??= await h.fixture.validBody();
        const body = withPath(spare, path, value);
        if (!kit.strategy.requestSchema.safeParse(body).success) return body;
        return withPath(await h.fixture.validBody(), path, value);
      };
    };

    /** Per-address counters stay out of a check, unless the fixture pins the address (a trusted proxy…). */
    const addresses = () => {
      const next = addressSequence();
      return (h: Harness) => (h.fixture.request?.socketAddress === undefined ? { socketAddress: next() } : {});
    };

    // ── the contract ─────────────────────────────────────────────────────────────────────────────
    check('contract: id, route, dialect and schemas are well-formed', () => {
      const strategy = kit.strategy;
      expect(strategy.id).toMatch(/^[a-z0-9][a-z0-9-]{0,62}$/);
      expect(strategy.route.method).toBe('POST');
      expect(strategy.route.path).toMatch(/^\/[A-Za-z0-9/_.-]*$/);
      expect(Object.keys(ERROR_SHAPES)).toContain(strategy.dialect);
      expect(typeof strategy.requestSchema.safeParse).toBe('function');
      expect(typeof strategy.responseSchema.safeParse).toBe('function');
      expect(typeof strategy.authenticate).toBe('function');
    });

    check('contract: the route is documented in a valid OpenAPI 3.1 document', async () => {
      const doc = main.gatehouse.openapi() as { paths: Record<string, Record<string, unknown>> };
      const result = await new Validator().validate(structuredClone(doc));
      expect(result.errors ?? []).toEqual([]);
      expect(doc.paths[kit.strategy.route.path]).toHaveProperty('post');
    });

    check('schema hygiene: every string has a maximum length, every array a maximum size, every field a type', () => {
      const problems = schemaHygiene(schema, declares.openObjects).filter((p) => p.kind !== 'open');
      const lines = problems.map((p) => `${shown(p.path)}: ${p.problem}`);
      expect(lines, report(lines, 'fields of the request schema are unbounded or untyped')).toEqual([]);
    });

    check('schema hygiene: every object refuses unknown properties (unless declared in openObjects), in the schema and in practice', async () => {
      const problems = schemaHygiene(schema, declares.openObjects)
        .filter((p) => p.kind === 'open')
        .map((p) => `${shown(p.path)}: ${p.problem}`);
      const open = new Set(declares.openObjects ?? []);
      for (const path of objectPaths(schema)) {
        if (open.has(path)) continue;
        const valid = await main.fixture.validBody();
        const target = path === '' ? valid : getPath(valid, path);
        if (target === null || typeof target !== 'object' || Array.isArray(target)) continue;
        const label = `an unknown property in ${shown(path)}`;
        const res = await main.send(withPath(valid, path ? `${path}.unexpectedField` : 'unexpectedField', 'x'), { label });
        const unsafe = unsafeResponse(main, res, label);
        if (unsafe) problems.push(unsafe);
        else if (!isRefusal(res)) problems.push(`${label}: answered ${res.status}, expected a 4xx naming the field`);
      }
      expect(problems, report(problems, 'objects take unknown properties')).toEqual([]);
    });

    // ── the happy path and the plain refusals ───────────────────────────────────────────────────
    check("success: the fixture's valid body logs in; the body matches the response schema; no-store; audited; no secret in it", async () => {
      const mark = kit.evidence.entries.length;
      const res = await main.send(await main.fixture.validBody(), { label: 'the valid body' });
      expect([200, 201, 302, 303], short(res.body)).toContain(res.status);
      if (res.status < 300) expect(kit.strategy.responseSchema.safeParse(res.body).success, short(res.body)).toBe(true);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(main.traceOf(res).audit).toMatchObject({ endpoint: kit.strategy.id, status: res.status });
      const findings = kit.evidence.scan(mark);
      expect(findings, `a secret in the success response (tokens decoded) or what it logged:\n${describeFindings(findings)}`).toEqual([]);
    });

    check('wrong credentials: refused with a 4xx in the dialect, audited as login.failed with a reasonCode; no secret in the error', async () => {
      const mark = kit.evidence.entries.length;
      const res = await main.send(await main.fixture.invalidCredentialsBody(), { label: 'the invalid-credentials body' });
      expect(unsafeResponse(main, res, 'the invalid-credentials body')).toBeNull();
      expect(isRefusal(res), `${res.status} ${short(res.body)}`).toBe(true);
      expect(main.traceOf(res).audit).toMatchObject({ endpoint: kit.strategy.id, type: 'login.failed', reasonCode: expect.any(String) });
      const findings = kit.evidence.scan(mark);
      expect(findings, `a secret in the error response or what it logged:\n${describeFindings(findings)}`).toEqual([]);
    });

    check("body errors: non-object bodies and the adapters' body errors (413, malformed JSON, 415) are 4xx in the dialect", async () => {
      const problems: string[] = [];
      const expectRefused = (res: GatehouseResponse, label: string) => {
        const unsafe = unsafeResponse(main, res, label);
        if (unsafe) problems.push(unsafe);
        else if (!isRefusal(res)) problems.push(`${label}: answered ${res.status}`);
      };
      for (const body of [undefined, null, 42, 'text', [], [{}], true]) expectRefused(await main.send(body, { label: `the body ${short(body)}` }), `the body ${short(body)}`);
      for (const bodyError of ['too_large', 'malformed_json', 'unsupported_media_type'] as const) {
        expectRefused(await main.send(undefined, { label: bodyError, request: { bodyError } }), `the adapter's ${bodyError}`);
      }
      expect(problems, report(problems, 'bodies mishandled')).toEqual([]);
    });

    // ── hostile input, derived from the request schema ─────────────────────────────────────────
    check('hostile input: every hostile value class in every declared field (optional and nested ones too, and an extra one in each open object) is answered with a 4xx or a success — never a 5xx, a stack trace or an unexpected exception', { timeout: SLOW }, async () => {
      const h = await fresh('hostile input (fields)');
      const address = addresses();
      const problems: string[] = [];
      const bodyWith = bodyMaker(h);
      // Declared fields, and an undeclared one in every object declared open (it reaches the strategy too).
      const targets = [
        ...schemaFields(schema).map((f) => ({ path: f.path, schema: f.schema, removable: true })),
        ...(declares.openObjects ?? []).map((path) => ({ path: path ? `${path}.extra` : 'extra', schema: {}, removable: false })),
      ];
      for (const field of targets) {
        for (const { label: what, value } of [...hostileValuesFor(field.schema), ...(field.removable ? [{ label: 'removed', value: DELETE as unknown }] : [])]) {
          const label = `${field.path} = ${what}`;
          const res = await h.send(await bodyWith(field.path, value), { label, request: address(h) });
          const unsafe = unsafeResponse(h, res, label);
          if (unsafe) problems.push(unsafe);
          const dirt = polluted();
          if (dirt.length) {
            problems.push(`${label}: Object.prototype.${dirt.join(', ')} was set (prototype pollution)`);
            unpollute();
          }
        }
      }
      expect(problems, report(problems, 'hostile values were mishandled')).toEqual([]);
    });

    check('hostile input: __proto__, constructor and prototype keys in every object are refused (or ignored where the object is open) and pollute nothing', async () => {
      const h = await fresh('hostile input (prototype keys)');
      const bodyWith = bodyMaker(h);
      const open = new Set(declares.openObjects ?? []);
      const problems: string[] = [];
      for (const path of objectPaths(schema)) {
        for (const key of ['__proto__', 'constructor', 'prototype']) {
          const value = key === 'constructor' ? { prototype: { polluted: true } } : { polluted: true, admin: true };
          const label = `${key} in ${shown(path)}`;
          const res = await h.send(await bodyWith(path ? `${path}.${key}` : key, value), { label });
          const unsafe = unsafeResponse(h, res, label);
          if (unsafe) problems.push(unsafe);
          else if (!open.has(path) && !isRefusal(res)) problems.push(`${label}: answered ${res.status}; a closed object must refuse it`);
          const dirt = polluted();
          if (dirt.length) {
            problems.push(`${label}: Object.prototype.${dirt.join(', ')} was set (prototype pollution)`);
            unpollute();
          }
        }
      }
      expect(problems, report(problems, 'prototype keys were mishandled')).toEqual([]);
    });

    check('hostile input: random bodies derived from the request schema and mutations of valid ones (fast-check) are never a 5xx', { timeout: SLOW }, async () => {
      const h = await fresh('hostile input (random)');
      const address = addresses();
      const runs = options.fuzz?.runs ?? DEFAULT_FUZZ_RUNS;
      const seed = options.fuzz?.seed ?? DEFAULT_FUZZ_SEED;
      const pool = [await h.fixture.validBody(), await h.fixture.validBody(), await h.fixture.validBody()];
      const arbitrary = fc.oneof(mutatedBody(pool, schema), objectFor(schema));
      const details = await fc.check(
        fc.asyncProperty(arbitrary, async (pairs) => {
          const body = pairsToObject(pairs);
          const res = await h.send(body, { label: 'a random body', request: address(h) });
          const unsafe = unsafeResponse(h, res, `the body ${short(body)}`);
          if (unsafe) throw new Error(unsafe);
          const dirt = polluted();
          if (dirt.length) {
            unpollute();
            throw new Error(`the body ${short(body)}: Object.prototype.${dirt.join(', ')} was set`);
          }
        }),
        { numRuns: runs, seed, endOnFailure: true },
      );
      const error = details.failed ? ((details.errorInstance as Error | undefined)?.message ?? 'failed') : null;
      expect(error, `fast-check seed ${seed}, ${runs} runs (pass fuzz: { seed } to reproduce)`).toBeNull();
    });

    // ── declared properties ─────────────────────────────────────────────────────────────────────
    check(`single use: the same valid body twice — the second is refused; ${CONCURRENT_COPIES} concurrent copies of one body — exactly one wins`, async (ctx) => {
      if (!declares.singleUse) return ctx.skip('singleUse is not declared');
      const h = await fresh('single use');
      const body = await h.fixture.validBody();
      const first = await h.send(structuredClone(body), { label: 'the first use of a valid body' });
      expect(isSuccess(first), `the first use: ${first.status} ${short(first.body)}`).toBe(true);
      const again = await h.send(structuredClone(body), { label: 'the same body again' });
      expect(unsafeResponse(h, again, 'the same body again')).toBeNull();
      expect(again.status, 'the same body a second time must be refused: the strategy has no replay check').toBeGreaterThanOrEqual(400);

      const one = await h.fixture.validBody();
      const results = await Promise.all(Array.from({ length: CONCURRENT_COPIES }, () => h.send(structuredClone(one), { label: 'one of the concurrent copies' })));
      const unsafe = results.map((r) => unsafeResponse(h, r, 'a concurrent copy')).filter(Boolean);
      expect(unsafe).toEqual([]);
      const wins = results.filter(isSuccess).length;
      expect(wins, `${wins} of ${CONCURRENT_COPIES} concurrent copies logged in: the single use is not claimed atomically`).toBe(1);

      if (typeof declares.singleUse === 'object') {
        for (const field of declares.singleUse.fields) {
          const earlier = await h.fixture.validBody();
          const used = await h.send(earlier, { label: `a valid body (to use its ${field})` });
          expect(isSuccess(used), `a valid body: ${used.status} ${short(used.body)}`).toBe(true);
          const replayed = withPath(await h.fixture.validBody(), field, getPath(earlier, field));
          const res = await h.send(replayed, { label: `a fresh body with an already used ${field}` });
          expect(unsafeResponse(h, res, `a fresh body with an already used ${field}`)).toBeNull();
          expect(res.status, `a fresh body carrying the ${field} of an earlier login must be refused`).toBeGreaterThanOrEqual(400);
        }
      }
    });

    check('time window: with the injected clock moved, a body just inside the window logs in and one just outside it (either way) is refused', async (ctx) => {
      const window = declares.timeWindow;
      if (!window) return ctx.skip('timeWindow is not declared');
      const h = await fresh('time window');
      const start = h.clock.now().getTime();
      const future = window.futureSeconds ?? window.seconds;
      const at = async (label: string, offsetSeconds: number) => {
        const body = await h.fixture.validBody();
        const signedAt = timeIn(getPath(body, window.field), window.field);
        h.clock.set(signedAt + offsetSeconds * 1000);
        try {
          return await h.send(body, { label });
        } finally {
          h.clock.set(start);
        }
      };
      const inside = await at(`a body ${window.seconds - 2} s old`, window.seconds - 2);
      expect(isSuccess(inside), `a body ${window.seconds - 2} s old must still log in (is the window narrower than declared, or read from Date.now()?): ${inside.status} ${short(inside.body)}`).toBe(true);
      const stale = await at(`a body ${window.seconds + 2} s old`, window.seconds + 2);
      expect(unsafeResponse(h, stale, 'a stale body')).toBeNull();
      expect(stale.status, `a body ${window.seconds + 2} s old must be refused: no time window is enforced against ctx.clock`).toBeGreaterThanOrEqual(400);
      const early = await at(`a body from ${future + 2} s in the future`, -(future + 2));
      expect(unsafeResponse(h, early, 'a body from the future')).toBeNull();
      expect(early.status, `a body from ${future + 2} s in the future must be refused`).toBeGreaterThanOrEqual(400);
    });

    /** Which spellings of the identifier log in to the same account; problems if any logs in to another. */
    async function equivalentSpellings(h: Harness, decl: IdentifierDeclaration) {
      const base = await h.fixture.validBody();
      const canonical = getPath(base, decl.field);
      if (typeof canonical !== 'string') throw new Error(`identifier.field ${decl.field} is not a string in validBody()`);
      const validFor = async (v: string) => (decl.validBody ? decl.validBody(v) : withPath(await h.fixture.validBody(), decl.field, v));
      const first = await h.send(await validFor(canonical), { label: `the valid body for ${JSON.stringify(canonical)}` });
      expect(isSuccess(first), `the valid body: ${first.status} ${short(first.body)}`).toBe(true);
      const subject = subjectOf(first);
      const equivalent: IdentifierVariant[] = [];
      const problems: string[] = [];
      for (const variant of identifierVariants(canonical)) {
        const label = `the valid body with the identifier in ${variant.kind} (${JSON.stringify(variant.value)})`;
        const res = await h.send(await validFor(variant.value), { label });
        const unsafe = unsafeResponse(h, res, label);
        if (unsafe) problems.push(unsafe);
        if (!isSuccess(res)) continue;
        const other = subjectOf(res);
        if (subject && other && other !== subject) problems.push(`${label}: logged in as ${other}, not ${subject} — one person, two accounts`);
        else equivalent.push(variant);
      }
      return { canonical, equivalent, problems };
    }

    check('identifier: case, whitespace and NFKC spellings of one identifier log in to that same account or not at all', async (ctx) => {
      if (!declares.identifier) return ctx.skip('identifier is not declared');
      const h = await fresh('identifier (one account)');
      const { equivalent, problems } = await equivalentSpellings(h, normaliseIdentifier(own(h).identifier)!);
      await ctx.annotate(`spellings that log in to the same account: ${equivalent.map((v) => v.kind).join(', ') || 'none (exact match)'}`);
      expect(problems, report(problems, 'spellings mishandled')).toEqual([]);
    });

    check('identifier: failures spread over every spelling that reaches the account share one lockout counter (lockoutAfter failures, then the right secret is refused)', async (ctx) => {
      const lockoutAfter = normaliseIdentifier(declares.identifier)?.lockoutAfter;
      if (!declares.identifier) return ctx.skip('identifier is not declared');
      if (lockoutAfter === undefined) return ctx.skip('identifier.lockoutAfter is not declared (no lockout to share)');
      const h = await fresh('identifier (one lockout counter)');
      const decl = normaliseIdentifier(own(h).identifier)!;
      const { canonical, equivalent } = await equivalentSpellings(h, decl);
      const spellings = [{ kind: 'as registered', value: canonical }, ...equivalent];
      const wrongFor = async (v: string) => (decl.wrongSecretBody ? decl.wrongSecretBody(v) : withPath(await h.fixture.invalidCredentialsBody(), decl.field, v));
      for (let i = 0; i < lockoutAfter; i++) {
        const spelling = spellings[i % spellings.length]!;
        const label = `wrong secret #${i + 1}, identifier ${spelling.kind}`;
        const res = await h.send(await wrongFor(spelling.value), { label });
        expect(unsafeResponse(h, res, label)).toBeNull();
        expect(isRefusal(res), `${label}: ${res.status}`).toBe(true);
      }
      const validFor = async (v: string) => (decl.validBody ? decl.validBody(v) : withPath(await h.fixture.validBody(), decl.field, v));
      const res = await h.send(await validFor(canonical), { label: `the right secret after ${lockoutAfter} failures` });
      const spread = spellings.map((s) => s.kind).join(', ');
      expect(
        isRefusal(res),
        spellings.length > 1
          ? `after ${lockoutAfter} failures spread over ${spread}, the right secret still logged in (${res.status}): the spellings are counted apart — lockout bypass by case/whitespace (Vault CVE-2025-6004)`
          : `after ${lockoutAfter} failures the right secret still logged in (${res.status}): no lockout after lockoutAfter failures`,
      ).toBe(true);
    });

    check('enumeration: an unknown identifier and a wrong secret get identical responses (status, headers, body), attempt after attempt', async (ctx) => {
      if (!declares.enumeration) return ctx.skip('enumeration is not declared');
      const h = await fresh('enumeration (responses)');
      const decl = own(h).enumeration!;
      const rounds = (normaliseIdentifier(declares.identifier)?.lockoutAfter ?? 5) + 2;
      for (let i = 1; i <= rounds; i++) {
        const unknown = await h.send(await decl.unknownBody(), { label: `unknown identifier, attempt ${i}` });
        const wrong = await h.send(await decl.wrongSecretBody(), { label: `wrong secret, attempt ${i}` });
        for (const [res, what] of [[unknown, 'unknown identifier'], [wrong, 'wrong secret']] as const) {
          expect(unsafeResponse(h, res, what)).toBeNull();
          expect(isRefusal(res), `${what}, attempt ${i}: ${res.status} ${short(res.body)}`).toBe(true);
        }
        const forms = kit.evidence.forms();
        expect(comparable(unknown, forms), `attempt ${i}: the answer to an unknown identifier differs from the answer to a wrong secret — the difference tells a caller which accounts exist`).toEqual(comparable(wrong, forms));
      }
    });

    check(`enumeration: an unknown identifier and a wrong secret take the same time (Mann-Whitney U, two-sided, α = ${TIMING_DEFAULTS.alpha} unless set, repeated once on a fresh sample before it counts)`, { timeout: SLOW }, async (ctx) => {
      const timing = declares.enumeration?.timing;
      if (!declares.enumeration) return ctx.skip('enumeration is not declared');
      if (timing === false) return ctx.skip('enumeration.timing is false');
      const pairs = timing?.pairs ?? TIMING_DEFAULTS.pairs;
      const alpha = timing?.alpha ?? TIMING_DEFAULTS.alpha;
      const verdict = await compareTimings(alpha, async () => {
        const h = await fresh('enumeration (timing)');
        const decl = own(h).enumeration!;
        const address = addresses();
        const statuses = new Set<number>();
        const timer = (make: () => Body | Promise<Body>, label: string) => async () => {
          const body = await make();
          const request = address(h);
          const { ms, result } = await timed(() => h.send(body, { label, request }));
          statuses.add(result.status);
          return ms;
        };
        const sample = await sampleAbba(pairs, TIMING_DEFAULTS.warmup, timer(decl.unknownBody, 'unknown identifier (timed)'), timer(decl.wrongSecretBody, 'wrong secret (timed)'));
        expect([...statuses], 'every timed attempt must get the same status, or the timings compare different things').toHaveLength(1);
        return { a: sample.a, b: sample.b };
      });
      const runs = verdict.runs.map((r, i) => `run ${i + 1}: n=${r.n} each, median unknown ${r.medianA} ms, median wrong secret ${r.medianB} ms, U=${r.mannWhitney.u}, p=${r.mannWhitney.p === 0 ? '<1e-15' : r.mannWhitney.p.toPrecision(3)}`);
      await ctx.annotate(runs.join('; '));
      expect(verdict.different, `timings differ at α = ${alpha} in both runs — the time taken tells a caller which accounts exist:\n${runs.join('\n')}`).toBe(false);
    });

    check('constant-time comparison: the successful and the refused login both compare with crypto.timingSafeEqual', async (ctx) => {
      if (!declares.constantTimeComparison) return ctx.skip('constantTimeComparison is not declared');
      const h = await fresh('constant-time comparison');
      const valid = await h.fixture.validBody();
      const ok = await countConstantTimeComparisons(() => h.send(valid, { label: 'the valid body (probed)' }));
      expect(isSuccess(ok.result), `the valid body: ${ok.result.status}`).toBe(true);
      expect(ok.calls, 'no crypto.timingSafeEqual while logging in: the secret is compared some other way (===, Buffer.equals…), which leaks by timing').toBeGreaterThan(0);
      const enumeration = own(h).enumeration;
      const wrongBody = enumeration ? await enumeration.wrongSecretBody() : await h.fixture.invalidCredentialsBody();
      const wrong = await countConstantTimeComparisons(() => h.send(wrongBody, { label: 'a wrong secret (probed)' }));
      expect(isRefusal(wrong.result), `the wrong secret: ${wrong.result.status}`).toBe(true);
      expect(wrong.calls, 'no crypto.timingSafeEqual while refusing a wrong secret: it is compared some other way, which leaks by timing').toBeGreaterThan(0);
      if (enumeration) {
        const unknownBody = await enumeration.unknownBody();
        const unknown = await countConstantTimeComparisons(() => h.send(unknownBody, { label: 'an unknown identifier (probed)' }));
        expect(unknown.calls, `an unknown identifier made ${unknown.calls} constant-time comparisons, a wrong secret ${wrong.calls}: the unknown path skips work, which shows in its timing`).toBe(wrong.calls);
      }
    });

    // ── last: everything every Gatehouse of this suite said ─────────────────────────────────────
    check('secrets: no declared secret — as is, base64, base64url, hex, URL- or JSON-escaped — in any response (tokens decoded), log line or audit event of the whole run', (ctx) => {
      if (kit.evidence.secrets.length === 0) return ctx.skip('the fixture declares no secrets');
      const findings = kit.evidence.scan();
      expect(findings, `secrets leaked:\n${describeFindings(findings)}`).toEqual([]);
    });
  });
}

/** A time from a body field: ISO 8601, an HTTP date, or epoch seconds/milliseconds. */
function timeIn(value: unknown, field: string): number {
  if (typeof value === 'number') return value < 1e11 ? value * 1000 : value;
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new Error(`timeWindow.field ${field} holds ${shortText(value)} in validBody(), not a date`);
  return ms;
}

/** Declarations that name fields the schema does not have are mistakes: say so before any check runs. */
function checkDeclarations(declares: StrategyDeclarations, schema: JsonSchema): void {
  const fields = new Set(schemaFields(schema).map((f) => f.path));
  const objects = new Set(objectPaths(schema));
  const need = (path: string, what: string) => {
    if (!fields.has(path)) throw new Error(`${what} names ${JSON.stringify(path)}, which the request schema does not declare (fields: ${[...fields].join(', ')})`);
  };
  if (declares.timeWindow) need(declares.timeWindow.field, 'declares.timeWindow.field');
  const identifier = normaliseIdentifier(declares.identifier);
  if (identifier) need(identifier.field, 'declares.identifier.field');
  if (typeof declares.singleUse === 'object') for (const f of declares.singleUse.fields) need(f, 'declares.singleUse.fields');
  for (const path of declares.openObjects ?? []) {
    if (!objects.has(path)) throw new Error(`declares.openObjects names ${JSON.stringify(path)}, which is not an object in the request schema`);
  }
}
