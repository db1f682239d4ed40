/**
 * Identities over the admin API, in Infisical's envelopes: `POST /api/v1/identities` and `GET` list →
 * `{ identity }` / `{ identities, totalCount }`; `GET`/`DELETE /api/v1/identities/{identityId}` → `{ identity }`.
 * Gatehouse has no organisations as objects, roles or memberships: an identity is its id, name, optional
 * organisation slug (what logins' `organizationSlug` must match) and the login methods attached to it.
 */
import { z } from 'zod';
import { defineEndpoint, type EndpointDefinition, type Strategy, type StrategyContext } from '../contract/strategy.js';
import { AuthError } from '../errors/auth-error.js';
import type { GatehouseAdmin } from '../runtime/admin.js';
import type { Identity } from '../stores/ports.js';
import { adminAccess, adminOperation } from './authorize.js';

export const IDENTITY_ROUTES = { collection: '/api/v1/identities', item: '/api/v1/identities/{identityId}' } as const;

const createBody = z.strictObject({
  name: z.string().trim().min(1).max(256).describe('A name for people.'),
  organizationSlug: z.string().trim().min(1).max(64).nullable().optional().describe('Organisation slug a login\'s `organizationSlug` must match; none when omitted.'),
  id: z.string().trim().min(1).max(256).optional().describe('Use this id instead of a generated UUID.'),
});

const identityShape = z.looseObject({ id: z.string(), name: z.string(), authMethods: z.array(z.string()), createdAt: z.string(), updatedAt: z.string() });

/** The identity `identityId`, or the admin API's 404. */
export async function requireIdentity(ctx: StrategyContext, identityId: string): Promise<Identity> {
  const identity = await ctx.stores.identities.get(identityId);
  if (!identity) throw new AuthError({ kind: 'not_found', reasonCode: 'identity_not_found', message: 'Identity not found' });
  return identity;
}

export function identityEndpoints(admin: GatehouseAdmin, strategies: Strategy<unknown, unknown>[]): EndpointDefinition<never>[] {
  const read = adminAccess({ resource: 'identities', action: 'read' });
  const write = adminAccess({ resource: 'identities', action: 'write' });
  const openapi = adminOperation(['Admin: Identities']);
  // Infisical names methods by their API segment (`alicloud-auth`); other strategies by their id.
  const apiName = new Map(strategies.map((s) => [s.id, s.admin?.segment ?? s.id]));

  async function view(ctx: StrategyContext, identity: Identity) {
    const authMethods = (await ctx.stores.identities.listMethods(identity.id)).map((m) => apiName.get(m.method) ?? m.method);
    const createdAt = identity.createdAt.toISOString();
    // Identities never change in place (methods change, with their own times): updatedAt is createdAt.
    return { id: identity.id, name: identity.name, organizationSlug: identity.organizationSlug ?? null, authMethods, createdAt, updatedAt: createdAt };
  }
  /** Infisical's GET shape: the identity's own fields, and them again under `identity` (its membership view). */
  async function memberView(ctx: StrategyContext, identity: Identity) {
    const v = await view(ctx, identity);
    return { ...v, identityId: v.id, identity: { id: v.id, name: v.name, authMethods: v.authMethods } };
  }

  const create = defineEndpoint({
    id: 'admin.identities.create',
    method: 'POST',
    path: IDENTITY_ROUTES.collection,
    dialect: 'infisical',
    requestSchema: createBody,
    responseSchema: z.object({ identity: identityShape }),
    authorize: write.authorize,
    openapi: openapi(write, 'createMachineIdentity', 'Create a machine identity'),
    async handle(input, ctx) {
      const created = await admin.createIdentity({ name: input.name, organizationSlug: input.organizationSlug ?? null, ...(input.id !== undefined ? { id: input.id } : {}) });
      return { kind: 'reply', audit: { identityId: created.id, action: 'create' }, reply: { body: { identity: await view(ctx, created) } } };
    },
  });

  const list = defineEndpoint({
    id: 'admin.identities.list',
    method: 'GET',
    path: IDENTITY_ROUTES.collection,
    dialect: 'infisical',
    requestSchema: z.looseObject({}),
    responseSchema: z.object({ identities: z.array(identityShape), totalCount: z.number() }),
    authorize: read.authorize,
    openapi: openapi(read, 'listMachineIdentities', 'List machine identities'),
    async handle(_input, ctx) {
      const identities = await Promise.all((await ctx.stores.identities.list()).map((i) => memberView(ctx, i)));
      return { kind: 'reply', audit: { action: 'list' }, reply: { body: { identities, totalCount: identities.length } } };
    },
  });

  const get = defineEndpoint({
    id: 'admin.identities.get',
    method: 'GET',
    path: IDENTITY_ROUTES.item,
    dialect: 'infisical',
    requestSchema: z.looseObject({}),
    responseSchema: z.object({ identity: identityShape }),
    authorize: read.authorize,
    openapi: openapi(read, 'getMachineIdentity', 'Get a machine identity by id'),
    async handle(_input, ctx) {
      const identity = await requireIdentity(ctx, ctx.request.params.identityId!);
      return { kind: 'reply', audit: { identityId: identity.id, action: 'read' }, reply: { body: { identity: await memberView(ctx, identity) } } };
    },
  });

  const remove = defineEndpoint({
    id: 'admin.identities.delete',
    method: 'DELETE',
    path: IDENTITY_ROUTES.item,
    dialect: 'infisical',
    requestSchema: z.looseObject({}),
    responseSchema: z.object({ identity: identityShape }),
    authorize: write.authorize,
    openapi: openapi(write, 'deleteMachineIdentity', 'Delete a machine identity', 'Its login methods go with it, and every token issued to it is revoked.'),
    async handle(_input, ctx) {
      const identity = await requireIdentity(ctx, ctx.request.params.identityId!);
      const shown = await view(ctx, identity);
      if (!(await admin.deleteIdentity(identity.id))) throw new AuthError({ kind: 'not_found', reasonCode: 'identity_not_found', message: 'Identity not found' });
      return { kind: 'reply', audit: { identityId: identity.id, action: 'delete' }, reply: { body: { identity: shown } } };
    },
  });

  return [create, list, get, remove] as EndpointDefinition<never>[];
}
