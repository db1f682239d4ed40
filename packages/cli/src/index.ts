// `@gatehouse-auth/cli`: the `gatehouse` command. Its entry exports the program, for tools that embed or
// test it; the server it runs is `@gatehouse-auth/server`.
export { main, buildProgram, describeFailure } from './cli/main.js';
export type { CliIo } from './cli/io.js';
export { CliError, EXIT_FAILURE, EXIT_USAGE } from './errors.js';
export { CLI_VERSION } from './version.js';
