/**
 * Starts an auth server from a loaded config: store, signing key, listeners, (demo: emulators, seeds),
 * strategies, Gatehouse, the Fastify app. `close()` shuts it down gracefully: stop accepting, let
 * in-flight requests finish (bounded by `server.shutdownTimeoutMs`), then close the app, the store and
 * the emulators.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { createGatehouse, ed25519Library, TOKENS, type Gatehouse, type OutboundHttp } from '@gatehouse-auth/core';
import { startPurgeSchedule } from '@gatehouse-auth/store-postgres';
import type { LoadedConfig } from './config/load.js';
import type { GatehouseConfig } from './config/schema.js';
import { configError } from './errors.js';
import { openStores, type OpenedStores } from './store/open-stores.js';
import type { DemoSession, PreparedDemo } from './demo/contract.js';
import { assertDemoAllowed } from './demo/fence.js';
import { loadDemoModule } from './demo/load-demo.js';
import { SERVER_VERSION } from './version.js';
import { buildServer } from './http/app.js';
import { lockDataDir, type DataDirLock } from './data-dir/lock.js';
import { resolveEncryptionKey } from './data-dir/encryption-key.js';
import { issuerOptionsFrom } from './issuer-options.js';
import { listenHttp, listenHttps, type Listener } from './http/listeners.js';
import { auditToLog, createLogger, type ServerLogger } from './logger.js';
import { buildStrategies, testUpstreamWarnings, type AnyStrategy } from './strategies.js';
import { NotReady, type ReadinessCheck } from './http/health.js';
import { setupTelemetry, type ServerTelemetry, type TelemetryExtras } from './telemetry/setup.js';

type Env = Record<string, string | undefined>;

export interface ServerContext {
  gatehouse: Gatehouse;
  /** The mounted strategies (e.g. idp-mfa's `authorizationUrl` for a login page's SSO button). */
  strategies: AnyStrategy[];
  /** Gatehouse's outbound HTTP client (timeouts, size caps, no redirects). */
  http: OutboundHttp;
  config: GatehouseConfig;
  logger: ServerLogger;
  /** `metrics`: the Prometheus scrape URL when Prometheus is on. */
  urls: { http: string; https: string | null; metrics: string | null };
  /** The OpenTelemetry SDK the server registered from `telemetry` config. */
  telemetry: ServerTelemetry;
  /** The demo session in demo mode (`@gatehouse-auth/demo`'s `demoContextOf` gives its typed details). */
  demo: DemoSession | null;
}

export interface StartServerOptions {
  env?: Env;
  /** Where the start banner goes. Default: stdout. */
  out?: NodeJS.WritableStream;
  /** Where JSON logs go. Default: stdout. */
  logDestination?: NodeJS.WritableStream;
  /** How the demo banner tells people to run the CLI. Default `npx gatehouse`. */
  cliCommand?: string;
  /** More metric readers / span processors next to the configured exporters (tests, embedders). */
  telemetry?: TelemetryExtras;
  /** Mounts more on the app (the example's login page); may return extra banner lines. */
  register?: (app: FastifyInstance, context: ServerContext) => Promise<string[] | void>;
}

export interface RunningServer extends ServerContext {
  app: FastifyInstance;
  /** Graceful shutdown; safe to call more than once. */
  close(): Promise<void>;
}

const PURGE_INTERVAL_MS = 60_000;

const enabledStrategyIds = (strategies: { id: string }[]) => new Set(strategies.map((s) => s.id));
const hasStrategy = (strategies: { id: string }[], id: string) => strategies.some((s) => s.id === id);

export async function startServer(loaded: LoadedConfig, options: StartServerOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const { config } = loaded;
  const demoMode = config.mode === 'demo';
  assertDemoAllowed(config, env);
  if (config.server.tls && !demoMode && (!config.server.tls.certFile || !config.server.tls.keyFile)) {
    throw configError('server.tls needs certFile and keyFile outside demo mode');
  }

  const logger = createLogger(config, options.logDestination);
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        logger.error({ err: { message: (err as Error).message } }, 'shutdown step failed');
      }
    }
  };

  try {
    if (demoMode) logger.warn({ dataDir: config.dataDir }, 'DEMO MODE: emulated upstreams and public demo credentials; never use this configuration in production');
    const persistent = config.store.driver !== 'memory';
    if (persistent || demoMode) mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    let lock: DataDirLock | null = null;
    if (config.store.driver === 'pglite') {
      lock = lockDataDir(config.dataDir, 'a gatehouse server');
      cleanups.push(() => lock?.release());
    }
    const key = resolveEncryptionKey({ configured: config.encryptionKey, demo: demoMode, dataDir: config.dataDir, needed: persistent });
    if (key.created) logger.warn({ file: key.file }, 'demo mode: generated an encryption key for secrets at rest (owner-only file)');

    const opened: OpenedStores = await openStores(config, key.key, (err) => logger.warn({ err: { message: err.message } }, 'idle database connection failed'));
    let storesOwnedByGatehouse = false;
    cleanups.push(async () => {
      if (!storesOwnedByGatehouse) await opened.close();
    });
    logger.info({ driver: opened.driver, location: opened.location }, 'store opened');

    // Listeners first: their URLs (port 0 included) feed the issuer default, OpenAPI and the demo IdP.
    // Demo code (emulators, the OpenID provider, the certificate factory) is a separate package, loaded in
    // demo mode only: a production server never imports it.
    const prepared: PreparedDemo | null = demoMode ? await (await loadDemoModule()).prepareDemo({ dataDir: config.dataDir }) : null;
    let demo: DemoSession | null = null;
    const http = await listenHttp(config.server.host, config.server.port);
    const listeners: Listener[] = [http];
    let https: Listener | null = null;
    if (config.server.tls) {
      const tls = config.server.tls;
      const certs = prepared
        ? prepared.serverTls
        : { cert: readFileSync(tls.certFile!, 'utf8'), key: readFileSync(tls.keyFile!, 'utf8') };
      https = await listenHttps(tls.host ?? config.server.host, tls.port, certs);
      listeners.push(https);
    }
    const telemetry = await setupTelemetry(config, SERVER_VERSION, options.telemetry);
    cleanups.push(() => telemetry.shutdown());
    // The scrape endpoint: on its own listener when a port is configured (kept off the public port), else on the main one.
    const promConfig = config.telemetry.prometheus;
    let metricsListener: Listener | null = null;
    if (telemetry.prometheus && promConfig.port !== undefined) {
      metricsListener = await listenHttp(promConfig.host, promConfig.port);
      const handler = telemetry.prometheus;
      metricsListener.setHandler((req, res) => {
        if (req.method === 'GET' && (req.url ?? '').split('?')[0] === promConfig.path) return handler(req, res);
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      });
      listeners.push(metricsListener);
    }
    const urls = {
      http: http.url,
      https: https?.url ?? null,
      metrics: telemetry.prometheus ? `${metricsListener?.url ?? http.url}${promConfig.path}` : null,
    };

    if (prepared) {
      const session = await prepared.start({ idpRedirectUri: config.demo.idp ? `${urls.http}${config.demo.idpRedirectPath}` : null });
      cleanups.push(() => session.close());
      if (session.notes.length) logger.info({ notes: session.notes }, 'demo IdP (oidc-provider) runs with development defaults');
      demo = session;
    }

    const strategies = buildStrategies(config, demo?.upstreams ?? null, env);
    // The admin API: off unless configured; demo mode turns it on (and seeds a demo admin token).
    const adminApi = config.admin.enabled ?? demoMode;
    for (const line of testUpstreamWarnings(config)) logger.warn({ testUpstream: true }, `TEST UPSTREAM: ${line}; never in a real deployment`);
    const gatehouse = createGatehouse({
      strategies,
      stores: opened.stores,
      logger: logger.child({ component: 'gatehouse' }),
      audit: auditToLog(logger),
      trustProxy: config.server.trustProxy,
      introspectionSecret: config.tokens.introspectionSecret ?? demo?.introspectionSecret,
      introspectionOpen: config.tokens.introspectionOpen,
      telemetry: { meterProvider: telemetry.meterProvider, tracerProvider: telemetry.tracerProvider },
      ...(config.server.rateLimit.enabled
        ? { rateLimit: { max: config.server.rateLimit.max, windowMs: config.server.rateLimit.windowMs, routes: 'login' as const } }
        : {}),
      issuer: issuerOptionsFrom(config),
      ...(adminApi ? { adminApi: { passwordPolicy: config.passwordPolicy } } : {}),
      // Bound tokens: DPoP proofs name this server's public URL (htu); behind a TLS-terminating proxy the client
      // certificate of a certificate-bound token arrives in the same header tls-cert reads.
      tokenBinding: {
        ...(config.server.publicUrl ? { publicUrls: [config.server.publicUrl] } : {}),
        ...(config.strategies.tlsCert.certificateHeader && config.strategies.tlsCert.trustedProxies?.length
          ? { clientCertificateHeader: config.strategies.tlsCert.certificateHeader, clientCertificateProxies: config.strategies.tlsCert.trustedProxies }
          : {}),
      },
    });
    storesOwnedByGatehouse = true;
    cleanups.push(() => gatehouse.close());
    // Expired nonces, temp tokens, limiter windows and sessions are purged so tables stay bounded.
    if (opened.stores.purgeExpired) {
      const stopPurge = startPurgeSchedule(opened.stores, {
        intervalMs: PURGE_INTERVAL_MS,
        clock: gatehouse.clock,
        onError: (err) => logger.warn({ err: { message: (err as Error).message } }, 'purging expired rows failed'),
      });
      cleanups.push(stopPurge);
    }

    if (!config.tokens.introspectionSecret && !config.tokens.introspectionOpen && !demo) {
      logger.warn('introspection refuses every caller: set tokens.introspectionSecret (GATEHOUSE_INTROSPECTION_SECRET) for your resource servers, or tokens.introspectionOpen behind a boundary that authenticates them');
    }
    if (hasStrategy(strategies, 'tls-cert') && !config.server.tls && !config.strategies.tlsCert.certificateHeader) {
      logger.warn('tls-cert is enabled but no client certificate can arrive: configure server.tls (an mTLS listener) or strategies.tlsCert.certificateHeader behind a proxy');
    }
    if (adminApi && !demo) {
      const now = gatehouse.clock.now().getTime();
      const live = (await gatehouse.admin.listAdminCredentials()).filter((c) => !c.revokedAt && (!c.expiresAt || c.expiresAt.getTime() > now));
      logger.info({ adminApi: true, adminTokens: live.length }, 'admin API enabled (docs/admin-api.md)');
      if (live.length === 0) logger.warn('the admin API is on but no admin token is live: make one with `gatehouse admin token create --scope …`');
    }
    // The signing key is made on first start and persisted; later starts load it.
    const { kid } = await gatehouse.issuer.keys.signingKey();
    const enabled = enabledStrategyIds(strategies);
    if (demo) {
      const seeded = await demo.seed(gatehouse, enabled);
      logger.info({ ...seeded }, 'demo identities and users seeded');
    }

    let draining = false;
    const app = await buildServer({
      gatehouse,
      logger,
      mode: config.mode,
      storeDriver: opened.driver,
      readiness: readinessChecks(opened, gatehouse),
      ...(telemetry.prometheus && !metricsListener ? { metrics: { path: promConfig.path, handler: telemetry.prometheus } } : {}),
      bodyLimit: config.server.bodyLimit,
      publicUrls: config.server.publicUrl ? [config.server.publicUrl] : [urls.http, ...(urls.https ? [urls.https] : [])],
      version: SERVER_VERSION,
      draining: () => draining,
    });
    cleanups.push(() => app.close());
    const context: ServerContext = { gatehouse, strategies, http: gatehouse.container.resolve<OutboundHttp>(TOKENS.Http), config, logger, urls, telemetry, demo };
    const extra = (await options.register?.(app, context)) ?? [];
    await app.ready();
    for (const l of listeners) if (l !== metricsListener) l.setHandler((req, res) => app.routing(req, res));
    // Listeners close first (registered last, so they run first in reverse order).
    cleanups.push(async () => {
      draining = true;
      const graceful = Promise.all(listeners.map((l) => l.close()));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        graceful.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), config.server.shutdownTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        logger.warn({ timeoutMs: config.server.shutdownTimeoutMs }, 'in-flight requests did not finish in time; closing connections');
        for (const l of listeners) l.destroyConnections();
        await graceful;
      }
    });

    // Which library signs EdDSA tokens: libsodium when the optional `sodium-native` is installed (core README).
    const signing = { algorithm: config.tokens.algorithm, ...(config.tokens.algorithm === 'EdDSA' ? { library: ed25519Library() } : {}) };
    logger.info({ http: urls.http, https: urls.https, metrics: urls.metrics, mode: config.mode, strategies: [...enabled], signingKeyId: kid, signing }, 'gatehouse listening');
    const out = options.out ?? process.stdout;
    if (demo) {
      out.write(demo.banner({ httpUrl: urls.http, httpsUrl: urls.https, metricsUrl: urls.metrics, dataDir: config.dataDir, enabled, cli: options.cliCommand ?? 'npx gatehouse', extra, adminApi }));
    } else {
      out.write(`Gatehouse listening on ${urls.http}${urls.https ? ` and ${urls.https} (mTLS)` : ''}; API reference ${urls.http}/docs${urls.metrics ? `; metrics ${urls.metrics}` : ''}\n`);
    }

    let closing: Promise<void> | null = null;
    return {
      ...context,
      app,
      close() {
        closing ??= (async () => {
          logger.info('shutting down: finishing in-flight requests');
          await cleanup();
          logger.info('shut down cleanly');
        })();
        return closing;
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** `/readyz`: the store answers, a signing key is loaded (loading it if the view is stale), the schema is current. */
function readinessChecks(opened: OpenedStores, gatehouse: Gatehouse): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [
    { name: 'store', run: () => opened.check() },
    {
      name: 'signingKey',
      run: async () => {
        const { kid } = await gatehouse.issuer.keys.signingKey();
        return { kid };
      },
    },
  ];
  const schema = opened.schema;
  if (schema) {
    checks.push({
      name: 'schema',
      run: async () => {
        const current = await schema.current();
        const detail = { version: current, expected: schema.expected };
        if (current > schema.expected) throw new NotReady('schema_newer', `the database schema is at ${current}; this instance's code writes ${schema.expected}: upgrade it`, detail);
        if (current < schema.expected) throw new NotReady('schema_older', `the database schema is at ${current}, below this instance's ${schema.expected}`, detail);
        return detail;
      },
    });
  }
  return checks;
}
