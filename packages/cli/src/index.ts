// `gatehouse`: the CLI's building blocks, for programs that compose their own auth server from a config
// file (the example auth server does).
export { configSchema } from './config/schema.js';
export type { GatehouseConfig, GatehouseConfigInput } from './config/schema.js';
export { loadConfig, applyEnvOverrides, resolveConfig, parseConfigText, ENV_OVERRIDES } from './config/load.js';
export type { LoadedConfig } from './config/load.js';
export { buildServer, OPENAPI_PATH } from './server/app.js';
export type { BuildServerOptions } from './server/app.js';
export { startServer, CLI_VERSION } from './server/start-server.js';
export type { StartServerOptions, RunningServer, ServerContext, DemoContext } from './server/start-server.js';
export { runServer } from './server/run-server.js';
export type { ServedServer } from './server/run-server.js';
export { buildStrategies } from './server/strategies.js';
export { assertDemoAllowed, isLoopbackHost, DEMO_PUBLIC_BIND_ENV, DEMO_PUBLIC_BIND_VALUE } from './demo/fence.js';
export { demoLoginCommands, renderDemoBanner } from './demo/banner.js';
export { main, buildProgram } from './cli/main.js';
export { CliError, EXIT_FAILURE, EXIT_USAGE } from './errors.js';
// The Fastify decorations (`app.gatehouseGuard`, `request.gatehousePrincipal`) come with the adapter's types.
export type { GatehouseFastifyOptions } from '@gatehouse/fastify';
