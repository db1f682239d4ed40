import { z } from 'zod';
import type { RegisteredRoute } from '../pipeline/pipeline.js';

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
  servers?: { url: string; description?: string }[];
}

/** Error statuses each route may answer with (documented per dialect); 501 is `not_configured` (e.g. ECE without an authentication backend). */
const ERROR_STATUSES = [400, 401, 403, 404, 413, 422, 429, 500, 501, 502, 503];

/** JSON Schema (2020-12, what OpenAPI 3.1 uses) of a zod schema, as seen on input or output. */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

/** Builds an OpenAPI 3.1 document from the registered routes' zod schemas. */
export function buildOpenApi(routes: RegisteredRoute[], info: Partial<OpenApiInfo> = {}): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const securitySchemes: Record<string, Record<string, unknown>> = {};
  for (const { endpoint, dialect, strategy } of routes) {
    const method = endpoint.method.toLowerCase();
    const meta = endpoint.openapi ?? {};
    const responses: Record<string, unknown> = {};
    const okStatus = String((meta as { successStatus?: number }).successStatus ?? 200);
    responses[okStatus] = {
      description: 'Success',
      content: endpoint.responseSchema ? { 'application/json': { schema: toJsonSchema(endpoint.responseSchema, 'output') } } : undefined,
    };
    if (strategy && dialect.name === 'ece') responses['302'] = { description: 'Redirect carrying the token in the fragment' };
    for (const status of ERROR_STATUSES) {
      const rendered = dialect.name === 'ece' && status === 422 ? null : status;
      if (rendered === null) continue;
      responses[String(status)] = {
        description: `Error (${dialect.name} dialect)`,
        content: { 'application/json': { schema: dialect.errorSchema(status) } },
      };
    }
    const operation: Record<string, unknown> = {
      operationId: meta.operationId ?? endpoint.id.replace(/[^A-Za-z0-9]+(.)/g, (_, ch: string) => ch.toUpperCase()),
      summary: meta.summary ?? endpoint.id,
      ...(meta.description ? { description: meta.description } : {}),
      tags: meta.tags ?? [strategy ? 'Login' : 'Endpoints'],
      ...(meta.security ? { security: meta.security } : {}),
      responses,
    };
    Object.assign(securitySchemes, meta.securitySchemes);
    const pathParams = [...endpoint.path.matchAll(/\{([A-Za-z][A-Za-z0-9_]*)\}/g)].map((m) => ({
      name: m[1]!,
      in: 'path',
      required: true,
      schema: { type: 'string', minLength: 1, maxLength: 256 },
    }));
    if (pathParams.length) operation.parameters = pathParams;
    if (method === 'get' || method === 'delete') {
      const schema = toJsonSchema(endpoint.requestSchema, 'input');
      const props = (schema.properties ?? {}) as Record<string, unknown>;
      const required = new Set((schema.required as string[] | undefined) ?? []);
      operation.parameters = [...pathParams, ...Object.entries(props).map(([name, s]) => ({ name, in: 'query', required: required.has(name), schema: s }))];
    } else {
      operation.requestBody = { required: true, content: { 'application/json': { schema: toJsonSchema(endpoint.requestSchema, 'input') } } };
    }
    (paths[endpoint.path] ??= {})[method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title ?? 'Gatehouse', version: info.version ?? '0.1.0', ...(info.description ? { description: info.description } : {}) },
    ...(info.servers ? { servers: info.servers } : {}),
    paths,
    ...(Object.keys(securitySchemes).length ? { components: { securitySchemes } } : {}),
  };
}
