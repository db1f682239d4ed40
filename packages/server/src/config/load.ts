/**
 * Reads a config file (JSON or YAML), applies the environment overrides (secrets and deployment details
 * belong in the environment, not in a file in a repository), validates it, and resolves relative paths
 * against the config file's folder.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configError } from '../errors.js';
import { configSchema, type GatehouseConfig } from './schema.js';

export interface LoadedConfig {
  config: GatehouseConfig;
  /** Absolute path of the file read. */
  path: string;
  /** Absolute `dataDir`. */
  dataDir: string;
}

type Env = Record<string, string | undefined>;
type Raw = Record<string, unknown>;

/**
 * The environment variables that override the file. `mode` is deliberately not among them: demo mode can
 * only be switched on by the config file itself.
 */
export const ENV_OVERRIDES = {
  GATEHOUSE_HOST: 'server.host',
  GATEHOUSE_PORT: 'server.port',
  GATEHOUSE_TLS_PORT: 'server.tls.port',
  GATEHOUSE_PUBLIC_URL: 'server.publicUrl',
  GATEHOUSE_DATA_DIR: 'dataDir',
  GATEHOUSE_ENCRYPTION_KEY: 'encryptionKey',
  GATEHOUSE_INTROSPECTION_SECRET: 'tokens.introspectionSecret',
  GATEHOUSE_LOG_LEVEL: 'log.level',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'telemetry.otlp.endpoint',
  DATABASE_URL: 'store.url',
} as const;

const NUMERIC = new Set(['server.port', 'server.tls.port']);

function objectAt(root: Raw, path: string[]): Raw {
  let node = root;
  for (const key of path) {
    const next = node[key];
    if (next === undefined || next === null) node[key] = {};
    else if (typeof next !== 'object' || Array.isArray(next)) throw configError(`config: ${path.join('.')} must be an object`);
    node = node[key] as Raw;
  }
  return node;
}

/** Applies env overrides to a raw (unvalidated) config object; returns a copy. */
export function applyEnvOverrides(raw: Raw, env: Env): Raw {
  const out = structuredClone(raw);
  for (const [name, path] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const keys = path.split('.');
    const leaf = keys.pop()!;
    // A port for a listener the file does not configure would switch that listener on: ignore it.
    if (path === 'server.tls.port' && !((out.server as Raw | undefined)?.tls)) continue;
    let parsed: unknown = value;
    if (NUMERIC.has(path)) {
      if (!/^\d{1,5}$/.test(value)) throw configError(`${name}: must be a port number, got ${JSON.stringify(value.slice(0, 20))}`);
      parsed = Number(value);
    }
    objectAt(out, keys)[leaf] = parsed;
  }
  // DATABASE_URL means PostgreSQL, whatever driver the file names.
  if (env.DATABASE_URL) objectAt(out, ['store']).driver = 'postgres';
  // IdP client secrets: GATEHOUSE_IDP_<ID>_CLIENT_SECRET.
  const idps = ((out.strategies as Raw | undefined)?.idpMfa as Raw | undefined)?.idps;
  if (idps && typeof idps === 'object') {
    for (const [id, idp] of Object.entries(idps as Raw)) {
      const secret = env[`GATEHOUSE_IDP_${id.toUpperCase().replaceAll('-', '_')}_CLIENT_SECRET`];
      if (secret && idp && typeof idp === 'object') (idp as Raw).clientSecret = secret;
    }
  }
  return out;
}

/** `path: message` lines, one per issue; values are never echoed (they may be secrets). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 20)
    .map((i) => `  ${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('\n');
}

export function parseConfigText(text: string, file: string): Raw {
  const ext = extname(file).toLowerCase();
  let data: unknown;
  try {
    data = ext === '.yaml' || ext === '.yml' ? parseYaml(text, { maxAliasCount: 100 }) : JSON.parse(text);
  } catch (err) {
    const what = ext === '.yaml' || ext === '.yml' ? 'YAML' : 'JSON';
    throw configError(`config ${file}: not valid ${what} (${(err as Error).message.split('\n')[0]})`);
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) throw configError(`config ${file}: the top level must be an object`);
  return data as Raw;
}

/** Validates a raw config (env already applied) and resolves its paths against `baseDir`. */
export function resolveConfig(raw: Raw, baseDir: string, label = 'config'): { config: GatehouseConfig; dataDir: string } {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw configError(`${label} is invalid:\n${describeIssues(result.error)}`);
  const config = result.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  config.dataDir = abs(config.dataDir);
  if (config.server.tls?.certFile) config.server.tls.certFile = abs(config.server.tls.certFile);
  if (config.server.tls?.keyFile) config.server.tls.keyFile = abs(config.server.tls.keyFile);
  if (config.store.driver === 'postgres' && !config.store.url) {
    throw configError(`${label}: store.driver is postgres but no connection string is set (DATABASE_URL or store.url)`);
  }
  return { config, dataDir: config.dataDir };
}

export function loadConfig(file: string, env: Env = process.env): LoadedConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw configError(code === 'ENOENT' ? `config file not found: ${path}` : `cannot read config file ${path} (${code ?? 'error'})`);
  }
  const raw = applyEnvOverrides(parseConfigText(text, path), env);
  const { config, dataDir } = resolveConfig(raw, dirname(path), `config ${path}`);
  return { config, path, dataDir };
}
