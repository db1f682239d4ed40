/**
 * A server that cannot start because of its input — the config file, an environment variable, a key, a
 * file it names — throws `ConfigError` with a message naming the key or file at fault (never its value:
 * it may be a secret). The CLI prints it as one line and exits 2; a program embedding the server can do
 * the same by checking `err.name === 'ConfigError'`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const configError = (message: string) => new ConfigError(message);

/** The PGlite data folder is held by another process (one process per folder). */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}
