// `@gatehouse-auth/server`: the production auth server composed from one config file — config schema and
// loading, the Fastify app, listeners, health, logs, the key for secrets at rest and the PGlite data folder.
// The `gatehouse` CLI (`@gatehouse-auth/cli`) runs it; programs that add their own routes compose it here.
export { configSchema } from './config/schema.js';
export type { GatehouseConfig, GatehouseConfigInput } from './config/schema.js';
export { loadConfig, applyEnvOverrides, resolveConfig, parseConfigText, describeIssues, ENV_OVERRIDES } from './config/load.js';
export type { LoadedConfig } from './config/load.js';
export { configReferenceRows, renderConfigReference } from './config/reference.js';
export { buildServer, OPENAPI_PATH } from './http/app.js';
export type { BuildServerOptions } from './http/app.js';
export { startServer } from './start-server.js';
export type { StartServerOptions, RunningServer, ServerContext } from './start-server.js';
export { runServer } from './run-server.js';
export type { ServedServer } from './run-server.js';
export { buildStrategies, cookieSecurity, testUpstreamWarnings } from './strategies.js';
export type { AnyStrategy } from './strategies.js';
export { issuerOptionsFrom } from './issuer-options.js';
export { openStores, postgresPoolOptions, redactConnectionString, PGLITE_DIR } from './store/open-stores.js';
export type { OpenedStores } from './store/open-stores.js';
export { createLogger, auditToLog } from './logger.js';
export type { ServerLogger } from './logger.js';
export { lockDataDir, LOCK_FILE } from './data-dir/lock.js';
export type { DataDirLock } from './data-dir/lock.js';
export { resolveEncryptionKey, parseEncryptionKey, newEncryptionKey, ENCRYPTION_KEY_BYTES } from './data-dir/encryption-key.js';
export { assertDemoAllowed, isLoopbackHost, DEMO_PUBLIC_BIND_ENV, DEMO_PUBLIC_BIND_VALUE } from './demo/fence.js';
export { loadDemoModule, DEMO_PACKAGE } from './demo/load-demo.js';
export type { DemoModule, PreparedDemo, DemoSession, DemoUpstreamUrls, DemoBannerInput } from './demo/contract.js';
export { ConfigError, DataDirInUseError } from './errors.js';
export { SERVER_VERSION } from './version.js';
// The Fastify decorations (`app.gatehouseGuard`, `request.gatehousePrincipal`) come with the adapter's types.
export type { GatehouseFastifyOptions } from '@gatehouse-auth/fastify';
