/**
 * The upstreams of demo mode, in-process on loopback: Alibaba's STS and OCI Identity as the emulators of
 * `@gatehouse-auth/testing` (they verify signatures for real), and an OpenID Connect provider (`oidc-provider`,
 * with its development login form) as the IdP of the idp-mfa strategy.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStsEmulator, type StsEmulator } from '@gatehouse-auth/testing/sts';
import { createOciIdentityEmulator, type OciIdentityEmulator } from '@gatehouse-auth/testing/oci';
import type { DemoMaterials } from './materials.js';

export interface DemoIdp {
  issuer: string;
  /** What oidc-provider warned about at start (development keys, in-memory adapter, runtime). */
  notes: string[];
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  close(): Promise<void>;
}

export interface DemoUpstreams {
  sts: StsEmulator;
  oci: OciIdentityEmulator;
  idp: DemoIdp | null;
  close(): Promise<void>;
}

/** The real OCI host the demo user signs for; the strategy relays it to the emulator. */
export const demoOciHost = (m: DemoMaterials) => `identity.${m.oci.region}.oraclecloud.com`;

/**
 * oidc-provider prints its (expected, for a demo IdP) development-mode and runtime warnings straight to the
 * console; they are collected here and returned, so the caller logs them as one structured line.
 */
async function quietly<T>(fn: () => Promise<T> | T, notes: string[]): Promise<T> {
  // eslint-disable-next-line no-console -- the provider's warnings go through console.warn
  const original = console.warn;
  // eslint-disable-next-line no-console
  console.warn = (...args: unknown[]) => void notes.push(args.map(String).join(' '));
  try {
    return await fn();
  } finally {
    // eslint-disable-next-line no-console
    console.warn = original;
  }
}

async function startIdp(m: DemoMaterials, redirectUri: string): Promise<DemoIdp> {
  const notes: string[] = [];
  // Loaded only in demo mode: a production server never imports the provider.
  const { default: Provider } = await quietly(() => import('oidc-provider'), notes);
  const mounted: { handler?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const server = createServer((req, res) => {
    if (mounted.handler) return mounted.handler(req, res);
    res.writeHead(503).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const account = m.idp.account;
  const provider = await quietly(() => new Provider(issuer, {
    clients: [
      {
        client_id: m.idp.clientId,
        client_secret: m.idp.clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    cookies: { keys: [m.idp.cookieKey] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The development login form: any login name signs in as the demo account.
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      return { accountId: id, claims: async () => ({ sub: account.sub, email: account.email, email_verified: true, name: account.name }) };
    },
  }), notes);
  provider.on('server_error', () => undefined);
  mounted.handler = provider.callback();
  return {
    issuer,
    notes,
    clientId: m.idp.clientId,
    clientSecret: m.idp.clientSecret,
    redirectUri,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startDemoUpstreams(m: DemoMaterials, opts: { idpRedirectUri: string | null }): Promise<DemoUpstreams> {
  const started: { close(): Promise<void> }[] = [];
  try {
    const sts = await createStsEmulator({
      accessKeys: [
        {
          id: m.alicloud.accessKeyId,
          secret: m.alicloud.accessKeySecret,
          arn: m.alicloud.arn,
          accountId: m.alicloud.accountId,
          principalId: m.alicloud.principalId,
          identityType: 'RAMUser',
        },
      ],
    });
    started.push(sts);
    const oci = await createOciIdentityEmulator({
      users: [
        {
          id: m.oci.userOcid,
          tenancyId: m.oci.tenancyOcid,
          name: m.oci.username,
          publicKeyPem: m.oci.publicKeyPem,
          fingerprint: m.oci.fingerprint,
        },
      ],
    });
    started.push(oci);
    const idp = opts.idpRedirectUri ? await startIdp(m, opts.idpRedirectUri) : null;
    if (idp) started.push(idp);
    return {
      sts,
      oci,
      idp,
      async close() {
        await Promise.allSettled(started.map((s) => s.close()));
      },
    };
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.close()));
    throw err;
  }
}
