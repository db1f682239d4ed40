/**
 * A man-in-the-middle IdP for negative tests. It presents itself as an issuer of its own: its discovery
 * document is the real provider's with `issuer` and `token_endpoint` pointing here. Token requests are
 * forwarded to the real provider, then the ID token is tampered with according to `mode` and (except where
 * the point is a bad signature) re-signed with the real provider's key, so that exactly one check fails.
 * In `honest` mode it only re-issues the token under its own issuer: the control that proves the proxy works.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { SignJWT, decodeJwt, generateKeyPair, importJWK, type JWTPayload } from 'jose';
import type { TestIdp } from './oidc-idp.js';

export type TamperMode =
  | 'honest'
  | 'wrong-audience'
  | 'wrong-issuer'
  | 'bad-signature'
  | 'expired'
  | 'lying-discovery'
  // An IdP that advertises `none` and `HS256` and uses them.
  | 'alg-none'
  | 'alg-hs256'
  // ID token `{sub, email_verified: true}` without email; userinfo (served here) names another address.
  | 'mixed-sources'
  // As above, but userinfo does not say whether its email is verified.
  | 'userinfo-unverified-unstated'
  // Userinfo answers for another subject than the ID token's.
  | 'userinfo-sub-mismatch';

/** The address the userinfo modes claim (an existing user's, in the tests). */
export const VICTIM_EMAIL = 'victim@example.com';

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export interface TamperIdp {
  issuer: string;
  mode: TamperMode;
  /** How many token requests it forwarded. */
  tokenRequests: number;
  /** How many userinfo requests it answered. */
  userinfoRequests: number;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTamperIdp(real: TestIdp): Promise<TamperIdp> {
  const realKey = await importJWK(real.signingJwk, 'RS256');
  const { privateKey: strangerKey } = await generateKeyPair('RS256');
  const state = { issuer: '', mode: 'honest' as TamperMode, tokenRequests: 0, userinfoRequests: 0, lastSubject: '' };

  const sign = (payload: JWTPayload, key: Parameters<SignJWT['sign']>[0]) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: real.signingJwk.kid, typ: 'JWT' }).sign(key);

  async function tamper(idToken: string): Promise<string> {
    const claims = decodeJwt(idToken);
    state.lastSubject = String(claims.sub);
    const now = Math.floor(Date.now() / 1000);
    switch (state.mode) {
      case 'wrong-issuer':
        return idToken; // the real provider's token, untouched: its iss is not this issuer
      case 'wrong-audience':
        return sign({ ...claims, iss: state.issuer, aud: 'some-other-client' }, realKey);
      case 'bad-signature':
        return sign({ ...claims, iss: state.issuer }, strangerKey);
      case 'expired':
        return sign({ ...claims, iss: state.issuer, iat: now - 7200, exp: now - 3600 }, realKey);
      case 'alg-none':
        return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...claims, iss: state.issuer })}.`;
      case 'alg-hs256': {
        // The classic confusion: HMAC keyed with the client secret, which the IdP also knows.
        const input = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ ...claims, iss: state.issuer })}`;
        return `${input}.${createHmac('sha256', real.clientSecret).update(input).digest('base64url')}`;
      }
      case 'mixed-sources':
      case 'userinfo-unverified-unstated':
      case 'userinfo-sub-mismatch': {
        const { email: _email, ...rest } = claims;
        return sign({ ...rest, iss: state.issuer, email_verified: true }, realKey);
      }
      default:
        return sign({ ...claims, iss: state.issuer }, realKey);
    }
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', state.issuer);
      if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
        const doc = (await (await fetch(`${real.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
        if (state.mode !== 'lying-discovery') doc.issuer = state.issuer;
        doc.token_endpoint = `${state.issuer}/token`;
        doc.userinfo_endpoint = `${state.issuer}/me`;
        doc.id_token_signing_alg_values_supported = ['none', 'HS256', 'RS256'];
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
        return;
      }
      if (req.method === 'POST' && url.pathname === '/token') {
        state.tokenRequests++;
        const upstream = await fetch(`${real.issuer}/token`, {
          method: 'POST',
          headers: {
            'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded',
            ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
          },
          body: await readBody(req),
        });
        const json = (await upstream.json()) as Record<string, unknown>;
        if (upstream.ok && typeof json.id_token === 'string') json.id_token = await tamper(json.id_token);
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
        return;
      }
      if (req.method === 'GET' && url.pathname === '/me') {
        state.userinfoRequests++;
        const sub = state.lastSubject;
        const body =
          state.mode === 'mixed-sources'
            ? { sub, email: VICTIM_EMAIL, email_verified: false }
            : state.mode === 'userinfo-unverified-unstated'
              ? { sub, email: VICTIM_EMAIL }
              : state.mode === 'userinfo-sub-mismatch'
                ? { sub: `${sub}-other`, email: VICTIM_EMAIL, email_verified: true }
                : await (await fetch(`${real.issuer}/me`, { headers: { authorization: req.headers.authorization ?? '' } })).json();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        return;
      }
      res.writeHead(404).end();
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    get issuer() {
      return state.issuer;
    },
    get mode() {
      return state.mode;
    },
    set mode(m: TamperMode) {
      state.mode = m;
    },
    get tokenRequests() {
      return state.tokenRequests;
    },
    get userinfoRequests() {
      return state.userinfoRequests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
