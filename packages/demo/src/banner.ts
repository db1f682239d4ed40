/**
 * What demo mode prints on start: where it listens, the demo identities and users, and the exact CLI
 * command for each of the five logins. Every command line starts with `$ ` (so tests and people can copy
 * them) and uses absolute paths, so it works from any folder inside the repository.
 */
import type { DemoFiles, DemoMaterials } from './materials.js';

export interface BannerInput {
  httpUrl: string;
  httpsUrl: string | null;
  /** The Prometheus scrape URL, when metrics are served. */
  metricsUrl?: string | null;
  dataDir: string;
  files: DemoFiles;
  materials: DemoMaterials;
  enabled: ReadonlySet<string>;
  upstreams: { sts: string; oci: string; idp: string | null };
  /** How to run the CLI, e.g. `npx gatehouse`. */
  cli: string;
  /** Extra lines (the login page, say). */
  extra?: string[];
  /** The admin API is served: show the demo admin token and a first call. */
  adminApi?: boolean;
}

/** Quotes a shell word only when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

const cmd = (cli: string, ...words: string[]) => `$ ${cli} ${words.map(shellQuote).join(' ')}`;

export function demoLoginCommands(b: BannerInput): { strategy: string; title: string; command: string; note?: string }[] {
  const { files: f, materials: m, httpUrl, httpsUrl, cli } = b;
  const out: { strategy: string; title: string; command: string; note?: string }[] = [];
  if (b.enabled.has('alicloud')) {
    out.push({
      strategy: 'alicloud',
      title: 'Alibaba Cloud (signed STS GetCallerIdentity, verified by the STS emulator)',
      command: cmd(cli, 'login', 'alicloud', '--server', httpUrl, '--identity-id', m.alicloud.identityId, '--credentials-file', f.alicloudCredentials),
    });
  }
  if (b.enabled.has('oci')) {
    out.push({
      strategy: 'oci',
      title: 'OCI (signed GET /users/<ocid>, verified by the OCI Identity emulator)',
      command: cmd(cli, 'login', 'oci', '--server', httpUrl, '--identity-id', m.oci.identityId, '--oci-config', f.ociConfig),
    });
  }
  if (b.enabled.has('tls-cert') && httpsUrl) {
    out.push({
      strategy: 'tls-cert',
      title: 'TLS client certificate (mTLS on the HTTPS listener)',
      command: cmd(cli, 'login', 'tls', '--server', httpsUrl, '--identity-id', m.tls.identityId, '--cert', f.tlsClientCert, '--key', f.tlsClientKey, '--ca', f.tlsCa),
    });
  }
  if (b.enabled.has('ece-password')) {
    out.push({
      strategy: 'ece-password',
      title: `ECE username/password (user "${m.users.operator.username}")`,
      command: cmd(cli, 'login', 'password', '--server', httpUrl, '--username', m.users.operator.username, '--password-file', f.operatorPassword),
    });
  }
  if (b.enabled.has('idp-mfa')) {
    const code = `"$(${cli} totp code --secret-file ${shellQuote(f.mfaTotpSecret)})"`;
    out.push({
      strategy: 'idp-mfa',
      title: `Bytebase email/password + TOTP (user "${m.users.mfa.email}")`,
      command: `${cmd(cli, 'login', 'password', '--server', httpUrl, '--email', m.users.mfa.email, '--password-file', f.mfaPassword)} --otp ${code}`,
      note: `the TOTP code: ${cli} totp code --secret-file ${shellQuote(f.mfaTotpSecret)} (or add the secret in ${f.mfaTotpSecret} to an authenticator app); recovery codes: ${f.mfaRecoveryCodes}`,
    });
  }
  return out;
}

export function renderDemoBanner(b: BannerInput): string {
  const rule = '='.repeat(78);
  const { materials: m, files: f } = b;
  const lines = [
    rule,
    ' GATEHOUSE IS RUNNING IN DEMO MODE - emulated upstreams, public demo credentials. NOT FOR PRODUCTION.',
    rule,
    `HTTP listening on   ${b.httpUrl}`,
    ...(b.httpsUrl ? [`HTTPS (mTLS) on      ${b.httpsUrl}   (asks for client certificates: tls-cert login)`] : []),
    `API reference       ${b.httpUrl}/docs   (OpenAPI: ${b.httpUrl}/openapi.json)`,
    `Health              ${b.httpUrl}/healthz   (readiness: ${b.httpUrl}/readyz)`,
    ...(b.metricsUrl ? [`Metrics             ${b.metricsUrl}   (Prometheus text format)`] : []),
    `Introspection       ${b.httpUrl}/api/v1/auth/token/introspect   (Authorization: Bearer <the secret in ${f.introspectionSecret}>)`,
    ...(b.adminApi && m.admin
      ? [
          `Admin API           ${b.httpUrl}/api/v1/identities ...   (docs/admin-api.md; token with every scope, also in ${f.adminToken})`,
          `Demo admin token    ${m.admin.token}`,
          `                    $ curl -s -H ${shellQuote(`Authorization: Bearer ${m.admin.token}`)} ${b.httpUrl}/api/v1/identities`,
        ]
      : []),
    `Data folder         ${b.dataDir}   (demo credentials in ${f.dir}, owner-only)`,
    `Emulators           STS ${b.upstreams.sts} | OCI Identity ${b.upstreams.oci}${b.upstreams.idp ? ` | OpenID provider ${b.upstreams.idp} (idps/demo)` : ' | no IdP'}`,
    ...(b.extra ?? []),
    '',
    'Demo users:',
    `  ece-password  username ${m.users.operator.username}   password ${m.users.operator.password}`,
    `  idp-mfa       email ${m.users.alice.email}   password ${m.users.alice.password}   (no MFA)`,
    `  idp-mfa       email ${m.users.mfa.email}   password ${m.users.mfa.password}   (TOTP)`,
    '',
    'Try each login (from the repository folder):',
  ];
  demoLoginCommands(b).forEach((c, i) => {
    lines.push(`  ${i + 1}. ${c.title}`, `     ${c.command}`);
    if (c.note) lines.push(`     # ${c.note}`);
  });
  lines.push(`Add --json to any login to see the whole response. Stop the server with Ctrl+C.`, rule);
  return lines.join('\n') + '\n';
}
