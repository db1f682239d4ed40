/**
 * The admin routes of a machine login method, Infisical-shaped: attach, read, update and revoke the method on an
 * identity at `/api/v1/auth/<segment>/identities/{identityId}`, with the method's own fields (from the strategy's
 * `admin` description) and the token fields every method shares, under the envelope Infisical uses
 * (`{ identityAliCloudAuth: {...} }`). Config is written through `GatehouseAdmin`, so the strategy's
 * `configSchema` still decides; its refusals are reported under the API's field names.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineEndpoint, type EndpointDefinition, type Strategy, type StrategyAdminApi, type StrategyContext } from '../contract/strategy.js';
import { AuthError, type ValidationIssue } from '../errors/auth-error.js';
import type { GatehouseAdmin } from '../runtime/admin.js';
import type { IdentityMethod } from '../stores/ports.js';
import { parseCidr, resolveTokenSettings, type TokenSettingsInput } from '../tokens/settings.js';
import { adminAccess, adminOperation } from './authorize.js';
import { requireIdentity } from './identities.js';

const MAX_TTL_SECONDS = 315_360_000;
const ttl = z
  .number()
  .int()
  .min(1, 'must be at least 1 second (Gatehouse tokens always expire)')
  .max(MAX_TTL_SECONDS, `must be at most ${MAX_TTL_SECONDS} seconds (ten years)`);

/** One trusted IP as Infisical takes it; `prefix` and `type` (as responses give them) are accepted back. */
const trustedIp = z.strictObject({
  ipAddress: z.string().trim().min(1).max(64),
  prefix: z.number().int().min(0).max(128).optional(),
  type: z.enum(['ipv4', 'ipv6']).optional(),
});

/** The token fields of every method (Infisical's names), plus Gatehouse's own token settings. None required. */
export const tokenFields = {
  accessTokenTTL: ttl.describe('Seconds a token lives (→ `expiresIn`). Default 2592000.'),
  accessTokenMaxTTL: ttl.describe('Renewal budget from first issue, seconds (→ `accessTokenMaxTTL`). Default 2592000.'),
  accessTokenNumUsesLimit: z.number().int().min(0).max(1_000_000_000).describe('Uses per token; 0 = unlimited. Default 0.'),
  accessTokenTrustedIps: z.array(trustedIp).min(1).max(256).describe('Addresses or CIDRs tokens may be used from. Default every IPv4 and IPv6 address.'),
  accessTokenPeriod: z.number().int().min(0).max(MAX_TTL_SECONDS).describe('Gatehouse: periodic tokens, seconds; 0 = off.'),
  accessTokenRequireDpop: z.boolean().describe('Gatehouse: refuse logins without a DPoP proof (RFC 9449).'),
  accessTokenCertificateBound: z.boolean().describe('Gatehouse: bind tokens to the login\'s client certificate (RFC 8705); certificate logins only.'),
} satisfies Record<string, z.ZodType>;

type TokenFieldName = keyof typeof tokenFields;
const TOKEN_FIELD_NAMES = Object.keys(tokenFields) as TokenFieldName[];

/** Infisical's shape of a stored trusted IP: the address, its prefix length when it is a range, its family. */
export function trustedIpView(cidr: string): { ipAddress: string; prefix?: number; type: 'ipv4' | 'ipv6' } {
  const [address, prefix] = parseCidr(cidr);
  const type = address.kind() === 'ipv4' ? 'ipv4' : 'ipv6';
  return cidr.includes('/') ? { ipAddress: address.toString(), prefix, type } : { ipAddress: address.toString(), type };
}

function trustedIpText(ip: z.output<typeof trustedIp>): string {
  if (ip.prefix === undefined || ip.ipAddress.includes('/')) return ip.ipAddress;
  return `${ip.ipAddress}/${ip.prefix}`;
}

/** The token settings input of an API body: only the fields it carries. */
function tokenInputOf(body: Record<string, unknown>): TokenSettingsInput {
  const out: Record<string, unknown> = {};
  for (const name of TOKEN_FIELD_NAMES) {
    if (body[name] === undefined) continue;
    out[name] = name === 'accessTokenTrustedIps' ? (body[name] as z.output<typeof trustedIp>[]).map(trustedIpText) : body[name];
  }
  return out as TokenSettingsInput;
}

/** A stable id for the method record (Infisical has one per auth row): derived, so every read gives the same. */
function methodRecordId(m: IdentityMethod): string {
  const h = createHash('sha256').update(`${m.identityId}\u0000${m.method}\u0000${m.createdAt.getTime()}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The response object of a method: its fields (the strategy's), the token fields, ids and times. */
export function methodView(api: StrategyAdminApi, m: IdentityMethod): Record<string, unknown> {
  const t = resolveTokenSettings(m.token);
  return {
    id: methodRecordId(m),
    identityId: m.identityId,
    ...api.toFields(m.config),
    accessTokenTTL: t.accessTokenTTL,
    accessTokenMaxTTL: t.accessTokenMaxTTL,
    accessTokenNumUsesLimit: t.accessTokenNumUsesLimit,
    accessTokenTrustedIps: t.accessTokenTrustedIps.map(trustedIpView),
    accessTokenPeriod: t.accessTokenPeriod,
    accessTokenRequireDpop: t.accessTokenRequireDpop,
    accessTokenCertificateBound: t.accessTokenCertificateBound,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

/**
 * Reports a refusal of `GatehouseAdmin` (paths `config.*` and `token.*`) under the API's field names:
 * `config.allowedArns.2` → `allowedArns`, `token.accessTokenTrustedIps.1` → `accessTokenTrustedIps.1.ipAddress`.
 */
function inApiTerms(err: unknown, api: StrategyAdminApi): unknown {
  if (!(err instanceof AuthError) || err.kind !== 'validation' || !err.issues?.length) return err;
  const rename = (issue: ValidationIssue): ValidationIssue => {
    const [head, ...rest] = issue.path.split('.');
    if (head === 'config') {
      const field = api.fieldOf(rest.map((p) => (/^\d+$/.test(p) ? Number(p) : p)));
      // A list the API takes as one string (`allowedArns: "a, b"`): say which entry of it was refused.
      const index = rest.find((p) => /^\d+$/.test(p));
      return { ...issue, path: field, message: index !== undefined && !field.includes('.') ? `entry ${Number(index) + 1}: ${issue.message}` : issue.message };
    }
    if (head === 'token') {
      if (rest[0] === 'accessTokenTrustedIps' && rest[1] !== undefined) return { ...issue, path: `accessTokenTrustedIps.${rest[1]}.ipAddress` };
      return { ...issue, path: rest.join('.') || 'accessTokenTTL' };
    }
    return issue;
  };
  const issues: ValidationIssue[] = err.issues.map(rename);
  return new AuthError({
    kind: 'validation',
    reasonCode: err.reasonCode,
    message: `${issues[0]!.path}: ${issues[0]!.message}`,
    issues,
    fields: [...new Set(issues.map((i) => i.path))],
    cause: err,
  });
}

const notAttached = (api: StrategyAdminApi) =>
  new AuthError({ kind: 'not_found', reasonCode: 'identity_method_not_found', message: `The identity does not have ${api.title} attached` });

const identityIdOf = (ctx: StrategyContext) => ctx.request.params.identityId!;

/** The four admin routes of one machine login method. */
export function methodEndpoints(strategy: Strategy<unknown, unknown>, admin: GatehouseAdmin): EndpointDefinition<never>[] {
  const api = strategy.admin!;
  const path = `/api/v1/auth/${api.segment}/identities/{identityId}`;
  const read = adminAccess({ resource: api.segment, action: 'read' });
  const write = adminAccess({ resource: api.segment, action: 'write' });
  const openapi = adminOperation([`Admin: ${api.title}`]);
  const name = api.segment.replace(/-auth$/, '').replace(/-(.)/g, (_, c: string) => c.toUpperCase());
  const title = name.charAt(0).toUpperCase() + name.slice(1);
  const methodFields = Object.fromEntries(Object.entries(api.fields).map(([k, schema]) => [k, api.required.includes(k) ? schema : schema.optional()]));
  const attachSchema = z.strictObject({ ...methodFields, ...partialShape(tokenFields) });
  const updateSchema = z.strictObject({ ...partialShape(api.fields), ...partialShape(tokenFields) });
  const reply = (m: IdentityMethod) => ({ [api.envelope]: methodView(api, m) });
  const responseSchema = z.object({ [api.envelope]: z.looseObject({ id: z.string(), identityId: z.string(), createdAt: z.string(), updatedAt: z.string() }) });
  const methodFieldsOf = (body: Record<string, unknown>) => Object.fromEntries(Object.keys(api.fields).filter((k) => body[k] !== undefined).map((k) => [k, body[k]]));

  const attach = defineEndpoint({
    id: `admin.${strategy.id}.attach`,
    method: 'POST',
    path,
    dialect: 'infisical',
    requestSchema: attachSchema,
    responseSchema,
    authorize: write.authorize,
    openapi: openapi(write, `attach${title}Auth`, `Attach ${api.title} configuration onto a machine identity`, 'Refused (400) when the identity already has it: update it with PATCH.'),
    async handle(input, ctx) {
      const identityId = identityIdOf(ctx);
      await requireIdentity(ctx, identityId);
      const body = input as Record<string, unknown>;
      const stored = await admin
        .attachMethod(identityId, strategy.id, api.toConfig(methodFieldsOf(body), undefined), tokenInputOf(body), { ifAbsent: true })
        .catch((err: unknown) =>
          Promise.reject(
            err instanceof AuthError && err.reasonCode === 'method_already_attached'
              ? new AuthError({ kind: 'bad_request', reasonCode: err.reasonCode, message: `The identity already has ${api.title} attached; update it with PATCH` })
              : inApiTerms(err, api),
          ),
        );
      return { kind: 'reply', audit: { identityId, method: strategy.id, action: 'attach', fields: Object.keys(body) }, reply: { body: reply(stored) } };
    },
  });

  const get = defineEndpoint({
    id: `admin.${strategy.id}.get`,
    method: 'GET',
    path,
    dialect: 'infisical',
    requestSchema: z.looseObject({}),
    responseSchema,
    authorize: read.authorize,
    openapi: openapi(read, `get${title}Auth`, `Retrieve ${api.title} configuration on a machine identity`),
    async handle(_input, ctx) {
      const identityId = identityIdOf(ctx);
      await requireIdentity(ctx, identityId);
      const stored = await ctx.stores.identities.getMethod(identityId, strategy.id);
      if (!stored) throw notAttached(api);
      return { kind: 'reply', audit: { identityId, method: strategy.id, action: 'read' }, reply: { body: reply(stored) } };
    },
  });

  const update = defineEndpoint({
    id: `admin.${strategy.id}.update`,
    method: 'PATCH',
    path,
    dialect: 'infisical',
    requestSchema: updateSchema,
    responseSchema,
    authorize: write.authorize,
    openapi: openapi(write, `update${title}Auth`, `Update ${api.title} configuration on a machine identity`, 'Fields left out keep their stored values.'),
    async handle(input, ctx) {
      const identityId = identityIdOf(ctx);
      await requireIdentity(ctx, identityId);
      const body = input as Record<string, unknown>;
      const stored = await admin
        .updateMethod(identityId, strategy.id, (current) => ({
          config: api.toConfig(methodFieldsOf(body), current.config),
          token: { ...current.token, ...tokenInputOf(body) },
        }))
        .catch((err: unknown) => Promise.reject(err instanceof AuthError && err.reasonCode === 'identity_method_not_found' ? notAttached(api) : inApiTerms(err, api)));
      return { kind: 'reply', audit: { identityId, method: strategy.id, action: 'update', fields: Object.keys(body) }, reply: { body: reply(stored) } };
    },
  });

  const revoke = defineEndpoint({
    id: `admin.${strategy.id}.revoke`,
    method: 'DELETE',
    path,
    dialect: 'infisical',
    requestSchema: z.looseObject({}),
    responseSchema,
    authorize: write.authorize,
    openapi: openapi(write, `delete${title}Auth`, `Delete ${api.title} configuration on a machine identity`, 'Every token this method issued to the identity is revoked with it.'),
    async handle(_input, ctx) {
      const identityId = identityIdOf(ctx);
      await requireIdentity(ctx, identityId);
      const stored = await ctx.stores.identities.getMethod(identityId, strategy.id);
      if (!stored || !(await admin.detachMethod(identityId, strategy.id))) throw notAttached(api);
      return { kind: 'reply', audit: { identityId, method: strategy.id, action: 'revoke' }, reply: { body: reply(stored) } };
    },
  });

  return [attach, get, update, revoke] as EndpointDefinition<never>[];
}

function partialShape(shape: Record<string, z.ZodType>): Record<string, z.ZodType> {
  return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v.optional()]));
}
