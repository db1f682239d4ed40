import type { IssuerOptions } from '@gatehouse-auth/core';
import type { GatehouseConfig } from './config/schema.js';

/** `iss` defaults to `server.publicUrl`, else `gatehouse`: never a listener URL, which changes with port 0. */
export function issuerOptionsFrom(config: GatehouseConfig): Partial<IssuerOptions> {
  return {
    issuer: config.tokens.issuer ?? config.server.publicUrl ?? 'gatehouse',
    audience: config.tokens.audience,
    algorithm: config.tokens.algorithm,
    overlapSeconds: config.tokens.overlapSeconds,
    keyRefreshSeconds: config.tokens.keyRefreshSeconds,
    keyPropagationSeconds: config.tokens.keyPropagationSeconds,
    ...(config.tokens.rotateAfterSeconds ? { rotateAfterSeconds: config.tokens.rotateAfterSeconds } : {}),
  };
}
