import type { AuthError } from '../errors/auth-error.js';
import type { IssuedToken } from '../tokens/issuer.js';

export type DialectName = 'infisical' | 'ece' | 'bytebase';

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Renders errors and default successes for one API family. */
export interface Dialect {
  name: DialectName;
  renderError(error: AuthError, requestId: string): RenderedError;
  /** Body of a plain token success when the strategy does not shape its own. */
  renderToken(issued: IssuedToken): unknown;
  /** JSON Schema of the error body, for OpenAPI. */
  errorSchema(status: number): Record<string, unknown>;
}
