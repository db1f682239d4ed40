import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { applyEnvOverrides, loadConfig, parseConfigText, resolveConfig } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-config-'));
const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

function failure(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a failure');
}

describe('loadConfig', () => {
  it('reads YAML and JSON, applies defaults and resolves paths against the file', () => {
    const yaml = loadConfig(write('a.yaml', 'mode: demo\ndataDir: ./state\nserver:\n  port: 9000\n'), {});
    expect(yaml.config.mode).toBe('demo');
    expect(yaml.config.server).toMatchObject({ host: '127.0.0.1', port: 9000, bodyLimit: 65536 });
    expect(yaml.dataDir).toBe(join(dir, 'state'));
    expect(yaml.config.strategies.alicloud.enabled).toBe(true);
    const json = loadConfig(write('b.json', JSON.stringify({ server: { tls: { port: 9443, certFile: 'c.pem', keyFile: 'k.pem' } } })), {});
    expect(json.config.mode).toBe('production');
    expect(json.config.server.tls).toMatchObject({ port: 9443, certFile: join(dir, 'c.pem'), keyFile: join(dir, 'k.pem') });
  });

  it('an empty YAML file is the all-defaults config', () => {
    expect(loadConfig(write('empty.yaml', ''), {}).config.store.driver).toBe('pglite');
  });

  it('refuses unknown keys and wrong types, naming each path, without echoing values', () => {
    const err = failure(() => loadConfig(write('bad.json', JSON.stringify({ serverr: {}, server: { port: 'SECRET-VALUE' }, encryptionKey: 5 })), {}));
    expect(err.message).toMatch(/server\.port/);
    expect(err.message).toMatch(/encryptionKey/);
    expect(err.message).toMatch(/serverr/);
    expect(err.message).not.toContain('SECRET-VALUE');
  });

  it('telemetry: Prometheus on in demo mode only by default; bad fields are named; OTEL_EXPORTER_OTLP_ENDPOINT sets the collector', () => {
    const { config } = resolveConfig({}, dir);
    expect(config.telemetry).toMatchObject({ serviceName: 'gatehouse', prometheus: { path: '/metrics', host: '127.0.0.1' }, otlp: { timeoutMs: 10_000, metricIntervalMs: 60_000 }, traceSampleRatio: 1 });
    expect(config.telemetry.prometheus.enabled).toBeUndefined();
    const err = failure(() => resolveConfig({ telemetry: { prometheus: { path: 'metrics', port: 70000 }, otlp: { endpoint: 'ftp://x' }, traceSampleRatio: 2 } }, dir));
    for (const field of ['telemetry.prometheus.path', 'telemetry.prometheus.port', 'telemetry.otlp.endpoint', 'telemetry.traceSampleRatio']) expect(err.message).toContain(field);
    expect(applyEnvOverrides({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({ telemetry: { otlp: { endpoint: 'http://collector:4318' } } });
  });

  it('admin: off by default, on when asked; a wrong type or an unknown key is refused naming it', () => {
    expect(loadConfig(write('admin-default.json', '{}'), {}).config.admin).toEqual({});
    expect(loadConfig(write('admin-on.json', JSON.stringify({ admin: { enabled: true } })), {}).config.admin).toEqual({ enabled: true });
    const wrong = failure(() => loadConfig(write('admin-bad.json', JSON.stringify({ admin: { enabled: 'SECRET-yes', port: 9 } })), {}));
    expect(wrong.message).toMatch(/admin\.enabled/);
    expect(wrong.message).toMatch(/admin: Unrecognized key: "port"/);
    expect(wrong.message).not.toContain('SECRET-yes');
  });

  it('says which file is missing or malformed', () => {
    expect(failure(() => loadConfig(join(dir, 'nope.json'), {})).message).toMatch(/config file not found: .*nope\.json/);
    expect(failure(() => loadConfig(write('broken.json', '{"mode":'), {})).message).toMatch(/not valid JSON/);
    expect(failure(() => loadConfig(write('list.yaml', '- a\n- b\n'), {})).message).toMatch(/top level must be an object/);
  });
});

describe('environment overrides', () => {
  it('ports, data folder, secrets; DATABASE_URL selects postgres', () => {
    const raw = applyEnvOverrides(
      { server: { tls: { port: 1 } } },
      { GATEHOUSE_PORT: '0', GATEHOUSE_TLS_PORT: '0', GATEHOUSE_DATA_DIR: '/var/lib/gh', GATEHOUSE_ENCRYPTION_KEY: 'k', DATABASE_URL: 'postgres://u:p@db/gh' },
    );
    expect(raw).toMatchObject({ server: { port: 0, tls: { port: 0 } }, dataDir: '/var/lib/gh', encryptionKey: 'k', store: { driver: 'postgres', url: 'postgres://u:p@db/gh' } });
  });

  it('a TLS port does not switch on a listener the file does not configure', () => {
    expect(applyEnvOverrides({}, { GATEHOUSE_TLS_PORT: '8443' })).toEqual({});
  });

  it('IdP client secrets come from GATEHOUSE_IDP_<ID>_CLIENT_SECRET', () => {
    const raw = applyEnvOverrides({ strategies: { idpMfa: { idps: { 'corp-sso': { type: 'oidc' } } } } }, { GATEHOUSE_IDP_CORP_SSO_CLIENT_SECRET: 's3cret' });
    expect(raw).toMatchObject({ strategies: { idpMfa: { idps: { 'corp-sso': { clientSecret: 's3cret' } } } } });
  });

  it('a malformed port is refused by name', () => {
    expect(failure(() => applyEnvOverrides({}, { GATEHOUSE_PORT: 'eighty' })).message).toMatch(/GATEHOUSE_PORT: must be a port number/);
  });

  it('no environment variable can switch demo mode on', () => {
    const raw = applyEnvOverrides({}, { GATEHOUSE_MODE: 'demo', MODE: 'demo', GATEHOUSE_DEMO: '1' });
    expect(resolveConfig(raw, dir).config.mode).toBe('production');
  });

  it('postgres without a connection string is refused', () => {
    expect(failure(() => resolveConfig({ store: { driver: 'postgres' } }, dir)).message).toMatch(/no connection string/);
  });
});

describe('parseConfigText', () => {
  it('YAML alias bombs are refused', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');
    expect(failure(() => parseConfigText(bomb, 'bomb.yaml')).message).toMatch(/not valid YAML/);
  });
});

describe('cluster knobs', () => {
  it('store pool size and timeouts reach the PostgreSQL stores; defaults are 10 connections and 5 s each', async () => {
    const { postgresPoolOptions } = await import('../store/open-stores.js');
    const set = resolveConfig({ store: { driver: 'postgres', url: 'postgres://db/x', schema: 'gh', poolSize: 4, connectionTimeoutMs: 1500, statementTimeoutMs: 2500 } }, dir).config;
    expect(postgresPoolOptions(set)).toEqual({ schema: 'gh', poolConfig: { max: 4 }, connectionTimeoutMs: 1500, statementTimeoutMs: 2500 });
    const defaults = resolveConfig({ store: { driver: 'postgres', url: 'postgres://db/x' } }, dir).config;
    expect(postgresPoolOptions(defaults)).toEqual({ schema: 'public', poolConfig: { max: 10 }, connectionTimeoutMs: 5000, statementTimeoutMs: 5000 });
  });

  it('key timings reach the issuer; impossible combinations are refused naming the key', async () => {
    const { issuerOptionsFrom } = await import('../issuer-options.js');
    const config = resolveConfig({ tokens: { keyRefreshSeconds: 2, keyPropagationSeconds: 8, overlapSeconds: 30, rotateAfterSeconds: 60 } }, dir).config;
    expect(issuerOptionsFrom(config)).toMatchObject({ keyRefreshSeconds: 2, keyPropagationSeconds: 8, overlapSeconds: 30, rotateAfterSeconds: 60 });
    expect(issuerOptionsFrom(resolveConfig({}, dir).config)).toMatchObject({ keyRefreshSeconds: 30, keyPropagationSeconds: 600 });
    expect(failure(() => resolveConfig({ tokens: { keyRefreshSeconds: 30, keyPropagationSeconds: 59 } }, dir)).message).toMatch(
      /tokens\.keyPropagationSeconds: must be at least twice tokens\.keyRefreshSeconds \(30\)/,
    );
    expect(failure(() => resolveConfig({ tokens: { rotateAfterSeconds: 600 } }, dir)).message).toMatch(/tokens\.rotateAfterSeconds: must be longer than tokens\.keyPropagationSeconds \(600\)/);
    expect(failure(() => resolveConfig({ tokens: { keyRefreshSeconds: 301 } }, dir)).message).toMatch(/tokens\.keyRefreshSeconds/);
  });
});
