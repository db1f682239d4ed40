/**
 * A real `oidc-provider` on 127.0.0.1:0, the IdP of the tests. It signs with an RSA key the test holds (so
 * the tampering proxy can forge tokens with the real key), knows a few static accounts, and authorization
 * codes are obtained the way a browser would: the authorization endpoint and the dev interactions' login and
 * consent forms, driven over HTTP with a cookie jar.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

export interface IdpAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface TestIdp {
  issuer: string;
  /** Private signing JWK of the provider (RS256), for forging tokens in tamper tests. */
  signingJwk: JWK & { kid: string };
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Requests the provider received, by `METHOD /path` (the tests' view of what Gatehouse fetched). */
  requests: Map<string, number>;
  /** Runs the browser part of the authorization-code flow and returns the code. */
  authorizationCode(account: string, opts?: { scope?: string; clientId?: string }): Promise<string>;
  close(): Promise<void>;
}

export const CLIENT_ID = 'gatehouse-app';
export const CLIENT_SECRET = 'a-long-test-client-secret-0123456789abcdef';
export const REDIRECT_URI = 'https://app.example.test/oauth/callback';

export async function startTestIdp(accounts: Record<string, IdpAccount>): Promise<TestIdp> {
  // The issuer URL needs the port, so the provider is created after listening and plugged in then.
  const mounted: { handler?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const requests = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const key = `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    mounted.handler?.(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingJwk = { ...(await exportJWK(privateKey)), kid: 'idp-key-1', alg: 'RS256', use: 'sig' } as JWK & { kid: string };

  const configuration: Configuration = {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingJwk as never] },
    cookies: { keys: ['test-cookie-key-0123456789abcdef'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: true } },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
    async findAccount(_ctx, id) {
      const account = accounts[id];
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ ...account }) };
    },
  };
  const provider = new Provider(issuer, configuration);
  // Quiet: the provider reports its own (expected) errors on this event.
  provider.on('server_error', () => undefined);
  mounted.handler = provider.callback();

  async function authorizationCode(account: string, opts: { scope?: string; clientId?: string } = {}): Promise<string> {
    const jar = new Map<string, string>();
    const request = async (url: string, init: RequestInit = {}): Promise<Response> => {
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const eq = pair!.indexOf('=');
        const name = pair!.slice(0, eq);
        const value = pair!.slice(eq + 1);
        if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name);
        else jar.set(name, value);
      }
      return res;
    };
    const auth = new URL('/auth', issuer);
    auth.search = new URLSearchParams({
      client_id: opts.clientId ?? CLIENT_ID,
      response_type: 'code',
      scope: opts.scope ?? 'openid email profile',
      redirect_uri: REDIRECT_URI,
    }).toString();
    let next: string = auth.href;
    for (let hop = 0; hop < 12; hop++) {
      const res = await request(next);
      await res.arrayBuffer();
      const location = res.headers.get('location');
      if (!location) throw new Error(`authorization flow stopped at ${new URL(next).pathname} with ${res.status}`);
      const target = new URL(location, next);
      if (target.href.startsWith(REDIRECT_URI)) {
        const code = target.searchParams.get('code');
        if (!code) throw new Error(`no code in redirect: ${target.searchParams.get('error') ?? 'unknown'}`);
        return code;
      }
      if (target.pathname.startsWith('/interaction/')) {
        // Render the interaction (sets nothing new) to learn which prompt it is, then submit it.
        const page = await request(target.href);
        const html = await page.text();
        const prompt = /name="prompt" value="login"/.test(html) ? 'login' : 'consent';
        const form = new URLSearchParams(prompt === 'login' ? { prompt, login: account, password: 'anything' } : { prompt });
        const submitted = await request(target.href, {
          method: 'POST',
          body: form.toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        await submitted.arrayBuffer();
        const after = submitted.headers.get('location');
        if (!after) throw new Error(`interaction ${prompt} did not redirect (${submitted.status})`);
        next = new URL(after, target).href;
        continue;
      }
      next = target.href;
    }
    throw new Error('authorization flow did not finish');
  }

  return {
    issuer,
    signingJwk,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
    requests,
    authorizationCode,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
