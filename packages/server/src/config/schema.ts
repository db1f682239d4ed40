/**
 * The server configuration: one file (JSON or YAML), validated here. Every key has a description; the
 * configuration reference (docs/configuration.md) is generated from this schema, so the two cannot drift.
 */
import { z } from 'zod';

const port = z.number().int().min(0).max(65535);
const positiveInt = (max: number) => z.number().int().positive().max(max);

const tlsListenerSchema = z
  .strictObject({
    host: z.string().min(1).optional().describe('Address of the HTTPS listener. Default: `server.host`.'),
    port: port.default(8443).describe('Port of the HTTPS listener (0 picks a free port).'),
    certFile: z.string().min(1).optional().describe('PEM server certificate (chain). Required outside demo mode; demo mode makes one.'),
    keyFile: z.string().min(1).optional().describe('PEM private key of the server certificate. Required outside demo mode.'),
  })
  .describe(
    'An HTTPS listener that asks every client for a certificate (`requestCert`, never rejecting: the tls-cert strategy validates the chain itself). All routes are served on it; the tls-cert login needs it.',
  );

const serverSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1').describe('Address of the HTTP listener. Env: `GATEHOUSE_HOST`.'),
    port: port.default(8080).describe('Port of the HTTP listener (0 picks a free port). Env: `GATEHOUSE_PORT`.'),
    publicUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('The URL clients use to reach this server: OpenAPI `servers` (default: the listeners\' URLs) and the default token `iss`. Env: `GATEHOUSE_PUBLIC_URL`.'),
    trustProxy: z
      .union([z.boolean(), z.array(z.string().min(1)).max(64)])
      .default(false)
      .describe('Honour `X-Forwarded-For` from these proxy addresses/CIDRs (`true`: from any peer; only behind a proxy you control).'),
    bodyLimit: positiveInt(10 * 1024 * 1024).default(64 * 1024).describe('Largest request body accepted, bytes.'),
    rateLimit: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Limit requests per client address on every login route.'),
        max: positiveInt(1_000_000).default(60).describe('Requests per client address (IPv6: per /64) and login route per window.'),
        windowMs: positiveInt(24 * 3600 * 1000).default(60_000).describe('The window, ms.'),
      })
      .prefault({})
      .describe('Per-address throttling of the login routes (429 with `retry-after`); the token routes and JWKS are not limited. On by default: 60 per minute. See docs/security.md.'),
    shutdownTimeoutMs: positiveInt(10 * 60_000)
      .default(10_000)
      .describe('On SIGINT/SIGTERM, how long in-flight requests may take to finish before connections are cut.'),
    tls: tlsListenerSchema.optional(),
  })
  .describe('Listeners.');

const storeSchema = z
  .strictObject({
    driver: z
      .enum(['pglite', 'postgres', 'memory'])
      .default('pglite')
      .describe('`pglite`: embedded PostgreSQL in `<dataDir>/pglite` (one process). `postgres`: a PostgreSQL server (`url`). `memory`: nothing persisted (tests only). Setting `DATABASE_URL` selects `postgres`.'),
    url: z.string().min(1).optional().describe('PostgreSQL connection string, for `driver: postgres`. Env: `DATABASE_URL` (preferred: it is a secret).'),
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/)
      .default('public')
      .describe('PostgreSQL schema holding the `gatehouse_*` tables (created when missing); lets several deployments share one database.'),
    poolSize: positiveInt(1000)
      .default(10)
      .describe('`driver: postgres`: connections in this instance\'s pool. Instances × poolSize must stay under the server\'s `max_connections`.'),
    connectionTimeoutMs: positiveInt(10 * 60_000)
      .default(5_000)
      .describe('`driver: postgres`: waiting longer for a connection (a new one, or a free one from the pool) fails the call as a 503.'),
    statementTimeoutMs: positiveInt(10 * 60_000)
      .default(5_000)
      .describe('`driver: postgres`: a statement running longer is cancelled on the server, and one unanswered for this + 500 ms fails on the client: either is a 503.'),
  })
  .describe('Where identities, users, tokens, nonces and signing keys live.');

const tokensSchema = z
  .strictObject({
    issuer: z.string().min(1).max(2048).optional().describe('`iss` of every token. Default: `server.publicUrl`, else `gatehouse` (never a listener URL: it changes with port 0).'),
    audience: z.string().min(1).max(2048).default('gatehouse').describe('`aud` of every token.'),
    algorithm: z.enum(['EdDSA', 'ES256', 'RS256']).default('EdDSA').describe('Signing algorithm of new keys.'),
    rotateAfterSeconds: positiveInt(10 * 365 * 24 * 3600)
      .optional()
      .describe('Add a new signing key when the newest is this old (decided once for all instances). Longer than `keyPropagationSeconds`. Off by default (`gatehouse keys rotate`).'),
    overlapSeconds: positiveInt(10 * 365 * 24 * 3600)
      .default(30 * 24 * 3600)
      .describe('How long a replaced key still verifies after it stopped signing; cover your longest token lifetime.'),
    keyRefreshSeconds: positiveInt(300)
      .default(30)
      .describe('Every instance re-reads the signing keys from the store at least this often before it signs or serves the JWKS.'),
    keyPropagationSeconds: positiveInt(7 * 24 * 3600)
      .default(600)
      .describe('A new key (rotation) is in every instance\'s JWKS this long before any instance signs with it. At least twice `keyRefreshSeconds`; the JWKS `Cache-Control` max-age is min(300, this − 2 × `keyRefreshSeconds`).'),
    introspectionSecret: z
      .string()
      .min(16)
      .max(1024)
      .optional()
      .describe('The secret resource servers send as `Authorization: Bearer <secret>` to `POST /api/v1/auth/token/introspect`. Without it (and without `introspectionOpen`) introspection refuses every caller (RFC 7662 §2.1); demo mode makes one. Env: `GATEHOUSE_INTROSPECTION_SECRET`.'),
    introspectionOpen: z
      .boolean()
      .default(false)
      .describe('Serve introspection WITHOUT caller authentication. Only behind a boundary that authenticates callers itself; anyone who can reach it learns whether a token is live and what it says.'),
  })
  .superRefine((t, ctx) => {
    if (t.keyPropagationSeconds < 2 * t.keyRefreshSeconds) {
      ctx.addIssue({ code: 'custom', path: ['keyPropagationSeconds'], message: `must be at least twice tokens.keyRefreshSeconds (${t.keyRefreshSeconds})` });
    }
    if (t.rotateAfterSeconds !== undefined && t.rotateAfterSeconds <= t.keyPropagationSeconds) {
      ctx.addIssue({ code: 'custom', path: ['rotateAfterSeconds'], message: `must be longer than tokens.keyPropagationSeconds (${t.keyPropagationSeconds})` });
    }
  })
  .describe('Token issuing.');

const logSchema = z
  .strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level. Env: `GATEHOUSE_LOG_LEVEL`.'),
  })
  .describe('Structured JSON logs on stdout (pino). Audit events are logged at `info` with `audit: {...}`.');

const enabled = z.boolean().default(true).describe('Mount this strategy.');

const lockoutSchema = z
  .strictObject({
    maxFailures: positiveInt(1_000_000).describe('Attempts per username and client address per window before that address is locked out for that username.'),
    windowMs: positiveInt(365 * 24 * 3600 * 1000).describe('Lockout window, ms.'),
    accountCeiling: positiveInt(10_000_000).optional().describe('Failures per username from all addresses per window before it is locked out everywhere. Default 100.'),
    addressCeiling: positiveInt(10_000_000).optional().describe('Failures per client address across usernames per window before that address is refused. Default 50.'),
  })
  .optional()
  .describe('Password lockout. Default 5 attempts per username and address, 100 failures per username, 50 per address, per 15 minutes (docs/security.md).');

const alicloudSchema = z
  .strictObject({
    enabled,
    stsEndpoints: z
      .record(z.string(), z.url())
      .optional()
      .describe('STS origins by region key (`global` → `https://sts.aliyuncs.com`); only these are ever called. Default: Alibaba\'s global and regional endpoints.'),
    defaultStsRegion: z.string().optional().describe('Region key used by identities that name none. Default `global`.'),
    timeoutMs: positiveInt(60_000).optional().describe('STS call timeout. Default 5000.'),
    maxResponseBytes: positiveInt(1024 * 1024).optional().describe('Largest STS answer accepted. Default 64 KiB.'),
    timestampSkewSeconds: positiveInt(3600).optional().describe('Accepted `Timestamp` skew either way. Default 900.'),
  })
  .describe('`POST /api/v1/auth/alicloud-auth/login` (Alibaba Cloud STS-signed login).');

const ociSchema = z
  .strictObject({
    enabled,
    realmDomains: z.array(z.string().min(1)).min(1).max(16).optional().describe('OCI realm domains whose identity hosts may be called. Default `["oraclecloud.com"]`.'),
    clockSkewSeconds: positiveInt(300).optional().describe('Allowed distance of the signed date from the server clock. Default and maximum 300.'),
    timeoutMs: positiveInt(60_000).optional().describe('OCI Identity call timeout. Default 5000.'),
    maxResponseBytes: positiveInt(1024 * 1024).optional().describe('Largest OCI answer accepted. Default 64 KiB.'),
    relayOverride: z
      .strictObject({
        origins: z
          .record(z.string().min(1).max(253), z.string().min(1).max(2048))
          .describe('OCI identity host → bare origin the signed GET is sent to instead, e.g. `identity.us-ashburn-1.oraclecloud.com: http://127.0.0.1:4321`. Keys must be identity hosts of the allowed realms.'),
        allowInProduction: z
          .boolean()
          .optional()
          .describe('Required when `NODE_ENV=production`: without it a relay override refuses to start.'),
      })
      .optional()
      .describe('TEST ENVIRONMENTS: send OCI logins for these identity hosts to another origin (an OCI Identity emulator). The signed `host` is forwarded unchanged. Logged as a warning at start.'),
  })
  .describe('`POST /api/v1/auth/oci-auth/login` (OCI signed-request login).');

const tlsCertSchema = z
  .strictObject({
    enabled,
    certificateHeader: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe('Behind a TLS-terminating proxy: header carrying the URL-encoded client PEM chain. Honoured only from `trustedProxies`.'),
    trustedProxies: z.array(z.string().min(1)).max(64).optional().describe('Addresses/CIDRs allowed to send `certificateHeader`.'),
  })
  .describe('`POST /api/v1/auth/tls-cert-auth/login` (client-certificate login; needs `server.tls` or a trusted proxy).');

const ecePasswordSchema = z
  .strictObject({
    enabled,
    sessionLifetimeSeconds: positiveInt(315_360_000).optional().describe('Token lifetime (`session_expiration_time`). Default 8 hours.'),
    sessionMaxLifetimeSeconds: positiveInt(315_360_000).optional().describe('Renewal budget. Default: `sessionLifetimeSeconds`.'),
    lockout: lockoutSchema,
  })
  .describe('`POST /api/v1/users/auth/_login` (username/password, ECE style), against the user store.');

const idpSchema = z
  .strictObject({
    type: z.enum(['oidc', 'oauth2']).describe('`oidc` (discovery from `issuer`) or `oauth2` (explicit endpoints).'),
    issuer: z.url().optional().describe('OIDC issuer URL (`type: oidc`).'),
    authorizationEndpoint: z.url().optional().describe('OAuth2 authorization endpoint (`type: oauth2`).'),
    tokenEndpoint: z.url().optional().describe('OAuth2 token endpoint (`type: oauth2`).'),
    userinfoEndpoint: z.url().optional().describe('OAuth2 userinfo endpoint (`type: oauth2`).'),
    clientId: z.string().min(1).describe('Client id registered at the IdP.'),
    clientSecret: z.string().min(1).optional().describe('Client secret. Env: `GATEHOUSE_IDP_<ID>_CLIENT_SECRET` (id upper-cased, `-` → `_`).'),
    redirectUri: z.url().describe('Redirect URI registered at the IdP (where your login page receives the code).'),
    scopes: z.array(z.string().min(1)).max(32).optional().describe('Scopes to ask for.'),
    jit: z.boolean().optional().describe('Create a user on first IdP login. Default false.'),
    allowInsecureHttpForTesting: z
      .boolean()
      .optional()
      .describe('TEST IdPs ONLY: allow plain-http IdP URLs (discovery, code exchange, JWKS, userinfo without TLS). Logged as a warning at start.'),
    allowInsecureHttpInProduction: z
      .boolean()
      .optional()
      .describe('Required with `allowInsecureHttpForTesting` when `NODE_ENV=production`: without it the server refuses to start.'),
  })
  .describe('One identity provider; checked again in full by the strategy.');

const idpMfaSchema = z
  .strictObject({
    enabled,
    idps: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/), idpSchema).default({}).describe('Identity providers by id (`idps/<id>` in a login).'),
    passwordRotationDays: positiveInt(3650).optional().describe('Report `requireResetPassword` for passwords older than this.'),
    mfaIssuer: z.string().min(1).max(64).optional().describe('Name authenticator apps show next to the account. Default `Gatehouse`.'),
    refreshTokenTtlSeconds: z.number().int().min(60).max(90 * 24 * 3600).optional().describe('Web refresh token lifetime. Default 7 days.'),
    lockout: lockoutSchema,
  })
  .describe('`POST /v1/auth/login` (email/password or IdP, then TOTP or recovery code; Bytebase style) + refresh and MFA enrolment.');

const strategiesSchema = z
  .strictObject({
    alicloud: alicloudSchema.prefault({}),
    oci: ociSchema.prefault({}),
    tlsCert: tlsCertSchema.prefault({}),
    ecePassword: ecePasswordSchema.prefault({}),
    idpMfa: idpMfaSchema.prefault({}),
  })
  .describe('The five login strategies; each is on unless `enabled: false`.');

const demoSchema = z
  .strictObject({
    idp: z.boolean().default(true).describe('Start an OpenID Connect provider (oidc-provider) on loopback as the demo IdP `idps/demo`.'),
    idpRedirectPath: z
      .string()
      .regex(/^\/[A-Za-z0-9/_.-]*$/)
      .default('/login/sso/demo/callback')
      .describe('Path on this server where the login page receives the demo IdP\'s code (the example login page uses `/login/sso/<id>/callback`).'),
  })
  .describe('Demo mode only (`mode: demo`).');

const telemetrySchema = z
  .strictObject({
    serviceName: z.string().min(1).max(128).default('gatehouse').describe('`service.name` of every metric and span.'),
    prometheus: z
      .strictObject({
        enabled: z.boolean().optional().describe('Serve metrics in the Prometheus text format. Default: on in demo mode, off in production.'),
        path: z
          .string()
          .regex(/^\/[A-Za-z0-9/_.-]*$/)
          .default('/metrics')
          .describe('Path of the scrape endpoint.'),
        port: port
          .optional()
          .describe('Serve the scrape endpoint on its own listener at this port (0 picks a free one) instead of the main listener: keeps it off the public port.'),
        host: z.string().min(1).default('127.0.0.1').describe('Address of that separate listener (with `port`).'),
      })
      .prefault({})
      .describe('The OpenTelemetry Prometheus exporter (pull).'),
    otlp: z
      .strictObject({
        endpoint: z
          .url({ protocol: /^https?$/ })
          .optional()
          .describe('OTLP/HTTP collector base URL (metrics to `<endpoint>/v1/metrics`, traces to `<endpoint>/v1/traces`). Unset: no OTLP export. Env: `OTEL_EXPORTER_OTLP_ENDPOINT`.'),
        headers: z.record(z.string().min(1).max(256), z.string().max(8192)).default({}).describe('Headers sent with every export (e.g. a collector API key).'),
        timeoutMs: positiveInt(120_000).default(10_000).describe('Timeout of one export call, ms.'),
        metricIntervalMs: positiveInt(3_600_000).default(60_000).describe('How often metrics are pushed, ms.'),
      })
      .prefault({})
      .describe('OTLP export of metrics and traces (push).'),
    traceSampleRatio: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe('Share of requests traced when spans are exported (parent-based: a sampled caller\'s traces are kept).'),
  })
  .describe('OpenTelemetry metrics and traces (docs/operations.md). The packages only use `@opentelemetry/api`; the server registers the SDK.');
const adminSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .optional()
      .describe('Serve the admin API on the listeners, for admin tokens made with `gatehouse admin token create`. Default false; demo mode: true.'),
  })
  .describe('The HTTP admin API (docs/admin-api.md): identities, machine login methods (Infisical-shaped) and password users, behind scoped admin tokens. Never reachable with a login token.');

export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Editor hint (`gatehouse config schema` prints the JSON Schema).'),
    mode: z
      .enum(['production', 'demo'])
      .default('production')
      .describe('`demo` starts emulators and seeds demo identities and users. Refused when `NODE_ENV=production`, with a PostgreSQL store, or on a non-loopback address (see docs/configuration.md#demo-mode).'),
    dataDir: z.string().min(1).default('./data').describe('Folder for the PGlite database and demo files, relative to the config file. Env: `GATEHOUSE_DATA_DIR`.'),
    encryptionKey: z
      .string()
      .optional()
      .describe('32-byte key (base64 or 64 hex digits) encrypting signing keys and MFA secrets at rest. Required outside demo mode. Env: `GATEHOUSE_ENCRYPTION_KEY` (preferred: it is a secret).'),
    server: serverSchema.prefault({}),
    cookies: z
      .strictObject({
        secure: z
          .enum(['always', 'auto'])
          .optional()
          .describe('`always`: cookies are `Secure` whatever the request says; `auto`: when the client used https (behind a TLS-terminating proxy: when a trusted proxy says `X-Forwarded-Proto: https`). Default `always` in production, `auto` in demo mode.'),
      })
      .prefault({})
      .describe('Cookies the server sets (web logins, the login page).'),
    passwordPolicy: z
      .strictObject({
        minLength: z.number().int().min(6).max(1024).default(8).describe('Fewest characters of a new password (NIST 800-63B: 8).'),
        rejectCommon: z.boolean().default(true).describe('Refuse common passwords (a list of about 49,000 from breach corpora) and the username or email as a password.'),
      })
      .prefault({})
      .describe('What a new password must satisfy, on every path that sets one (CLI, admin). No composition rules; logins are not affected.'),
    store: storeSchema.prefault({}),
    tokens: tokensSchema.prefault({}),
    log: logSchema.prefault({}),
    telemetry: telemetrySchema.prefault({}),
    strategies: strategiesSchema.prefault({}),
    demo: demoSchema.prefault({}),
    admin: adminSchema.prefault({}),
  })
  .describe('gatehouse.config.json / .yaml');

export type GatehouseConfig = z.output<typeof configSchema>;
export type GatehouseConfigInput = z.input<typeof configSchema>;
