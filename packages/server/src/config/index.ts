// `@gatehouse-auth/server/config`: the config file alone (schema, loading, reference, the demo fence), for
// tools that read a config without starting a server — it loads no framework, store or strategy.
export { configSchema } from './schema.js';
export type { GatehouseConfig, GatehouseConfigInput } from './schema.js';
export { loadConfig, applyEnvOverrides, resolveConfig, parseConfigText, describeIssues, ENV_OVERRIDES } from './load.js';
export type { LoadedConfig } from './load.js';
export { configReferenceRows, renderConfigReference, REFERENCE_START, REFERENCE_END } from './reference.js';
export { assertDemoAllowed, isLoopbackHost, DEMO_PUBLIC_BIND_ENV, DEMO_PUBLIC_BIND_VALUE } from '../demo/fence.js';
export { ConfigError } from '../errors.js';
