export { apiKeyStrategy, apiKeyConfigSchema, apiKeyLoginSchema, generateApiKey, hashApiKey } from './api-key-strategy.js';
export type { ApiKeyConfig } from './api-key-strategy.js';
export {
  SIGNED_REQUEST_METHOD,
  SIGNED_REQUEST_PATH,
  SIGNED_REQUEST_WINDOW_SECONDS,
  canonicalString,
  signWith,
  signedRequestConfigSchema,
  signedRequestLoginSchema,
  signedRequestStrategy,
} from './signed-request-strategy.js';
export type { SignedRequestConfig, SignedRequestLogin } from './signed-request-strategy.js';
export { generateSigningSecret, signLoginRequest } from './signed-request-client.js';
export type { SignOptions } from './signed-request-client.js';
