export { apiKeyStrategy, apiKeyConfigSchema, apiKeyLoginSchema, generateApiKey, hashApiKey } from './api-key-strategy.js';
export type { ApiKeyConfig } from './api-key-strategy.js';
